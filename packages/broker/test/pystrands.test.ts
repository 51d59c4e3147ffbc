// Compatibility with an unmodified PyStrands 1.0 Python backend (AsyncPyStrandsClient).
// Runs where a reference checkout exists (PYSTRANDS_REF, default /tmp/pystrands-ref); skipped elsewhere.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, waitFor, type Harness } from './support/harness.js';

const ref = process.env.PYSTRANDS_REF ?? '/tmp/pystrands-ref';
const script = join(ref, 'run_py_backend.py');
const available = existsSync(script);

let h: Harness;
let python: ChildProcess;
let log = '';

/** The JSON the reference backend printed after `event`, for the line matching `match`. */
function logged(event: string, match: (value: Record<string, any>) => boolean): Record<string, any> | undefined {
  for (const line of log.split('\n')) {
    if (!line.startsWith(`${event} `)) continue;
    const json = line.slice(event.length + 1);
    const value = JSON.parse(json.startsWith('"') ? `[${json.replace(/" \{/, '", {')}]` : json) as any;
    const ctx = Array.isArray(value) ? value[1] : value;
    if (match(ctx)) return ctx;
  }
  return undefined;
}

describe.skipIf(!available)('PyStrands 1.0 Python backend', () => {
  beforeAll(async () => {
    h = await startBroker();
    python = spawn('python3', ['-u', script, '127.0.0.1', String(h.addresses.tcpPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
    python.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    python.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(() => h.broker.stats().backends === 1, 'python backend connected', 30_000);
  });
  afterAll(async () => {
    python?.kill('SIGKILL');
    await h?.cleanup();
  });

  it('accepts and rejects clients, with its room ids and exactly its metadata', async () => {
    const rejected = await h.attempt('/ws/reject');
    expect(rejected).toMatchObject({ kind: 'http', status: 403 });
    const c = await h.client('/ws/meta');
    c.send('who am i');
    await c.waitMessage('who am i');
    const ctx = logged('new_connection', (v) => v.room_id === 'meta');
    expect(ctx).toBeDefined();
    expect(ctx?.metadata).toEqual({ via: 'pystrands' });
    expect(ctx?.client_id).toMatch(/^[0-9a-f-]{36}$/);
    c.close();
    await waitFor(() => logged('disconnected', (v) => v.client_id === ctx?.client_id), 'disconnect reached the backend');
  });

  it('routes room messages, private messages and broadcasts where they should go', async () => {
    const a = await h.client('/ws/roomA');
    const b = await h.client('/ws/roomA');
    const other = await h.client('/ws/roomB');
    a.send('hello room');
    await a.waitMessage('hello room');
    await b.waitMessage('hello room');
    const bId = (await waitFor(() => logged('new_connection', (v) => v.room_id === 'roomA' && logged('new_message', (m) => m.client_id === v.client_id) === undefined), 'b id')).client_id as string;
    a.send(`dm:${bId}:secret`);
    await b.waitMessage('secret');
    a.send('bc:to all');
    for (const c of [a, b, other]) await c.waitMessage('to all');
    expect(a.messages).not.toContain('secret');
    expect(other.messages).toEqual(['to all']);
  });

  it('receives 200 messages from one client in order', async () => {
    const c = await h.client('/ws/order');
    for (let i = 0; i < 200; i += 1) c.send(`n${i}`);
    await waitFor(() => c.messages.length >= 200, '200 echoes', 30_000);
    expect(c.messages).toEqual(Array.from({ length: 200 }, (_, i) => `n${i}`));
  });
});
