// Room history against a real broker (history for `hist*`) and SDK echo backend: the fan-out load
// reads `pub` envelopes, and clients that missed messages recover them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runLoad } from '../load/generator.js';
import { smallSpec } from '../load/small-spec.js';
import type { ResultRow } from '../results.js';
import { requireFreshBuild } from '../servers/built-for-tests.js';
import { historyCost, withHistoryCost } from './history.js';
import { recoveryRound } from './recovery.js';
import { startStrands, type Stack } from './stacks.js';

requireFreshBuild();

let stack: Stack;
beforeAll(async () => {
  stack = await startStrands(1, 'room', 'sdk', undefined, { historyRooms: ['hist*'] });
}, 60_000);
afterAll(() => stack?.stop());

const firstMessage = (url: string, send: string) =>
  new Promise<string>((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('{"strands":"session"') || text.startsWith('{"strands":"position"')) return;
      ws.terminate();
      resolve(text);
    });
    ws.once('open', () => ws.send(send));
    ws.once('error', reject);
  });

describe('history scenario', () => {
  it('fans out into a room with history, its session clients reading pub envelopes', async () => {
    // What the load's receivers get there: the message inside a pub envelope.
    expect(await firstMessage(`${stack.baseUrl}/ws/hist?strands_session=1`, '{"t":"x"}')).toMatch(/^\{"strands":"pub","room":"hist","offset":1,/);
    expect(await firstMessage(`${stack.baseUrl}/ws/plain?strands_session=1`, '{"t":"x"}')).toBe('{"t":"x"}');
    const r = await runLoad(smallSpec(`${stack.baseUrl}/ws/hist?strands_session=1`, { mode: 'fan-out', clients: 5, inFlight: 2 }));
    expect(r.sent).toBeGreaterThan(0);
    expect(r.received).toBe(r.sent * 5);
    expect(r.mismatched).toBe(0);
    expect(r.latency.p99Ms).toBeGreaterThan(0);
  });

  it('times clients that missed messages recovering every one of them', async () => {
    expect(await recoveryRound(stack.baseUrl, 'hist-recover', 6, 20, 64)).toMatchObject({ replayed: 120 });
    const none = await recoveryRound(stack.baseUrl, 'hist-reconnect', 3, 0, 64);
    expect(none.replayed).toBe(0);
    expect(none.ms).toBeGreaterThan(0);
  });

});

describe('historyCost', () => {
  const row = (id: string, value: number, cpu: number): ResultRow => ({
    scenario: 'history', id, system: 'strands', label: id, clients: 10, metric: 'deliveries/s', value, status: 'ok', cpu: { perThousandMs: cpu, byRole: {} },
  });

  it('sets each history-on row against the history-off row of its tree', () => {
    const rows = [row('history/off/10', 100_000, 2), row('history/on/10', 90_000, 2.5), row('history/off/10@baseline', 50_000, 1), row('history/on/10@baseline', 50_000, 1)];
    expect(historyCost(rows, rows[1])).toMatchObject({ share: 0.9, cpu: 1.25 });
    expect(historyCost(rows, rows[0])).toBeUndefined();
    const noted = withHistoryCost(rows);
    expect(noted[1]?.note).toBe('90% of history off, CPU per 1,000 1.25x');
    expect(noted[3]?.note).toBe('100% of history off, CPU per 1,000 1.00x');
    expect(noted[0]?.note).toBeUndefined();
    expect(historyCost([{ ...rows[0]!, status: 'failed' }, rows[1]!], rows[1])).toBeUndefined();
  });
});
