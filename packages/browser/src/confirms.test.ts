import { describe, expect, it } from 'vitest';
import type { Refusal } from './confirm-layer.js';
import { Confirms } from './confirms.js';
import { StrandsClientError } from './errors.js';
import type { CallState } from './send-buffer.js';

function setup() {
  const confirms = new Confirms();
  const refused: Refusal[] = [];
  confirms.bind((r) => refused.push(r));
  const calls: CallState[] = [];
  const settled: string[] = [];
  const send = (label: string) =>
    confirms
      .start((call) => {
        calls.push(call);
        return new Promise<void>(() => {}); // written, as far as this test cares
      })
      .then(
        () => void settled.push(`${label}:ok`),
        (e: StrandsClientError) => void settled.push(`${label}:${e.code}`),
      );
  return { confirms, refused, calls, settled, send };
}

const tick = () => new Promise((resolve) => setTimeout(resolve));

describe('Confirms', () => {
  it('numbers confirmed sends, writes a confirm frame before each, and settles them by the answers', async () => {
    const { confirms, calls, settled, send } = setup();
    void send('a');
    void send('b');
    void send('c');
    expect(calls.map((c) => confirms.frame(c))).toEqual(['{"strands":"confirm","id":1}', '{"strands":"confirm","id":2}', '{"strands":"confirm","id":3}']);
    expect(confirms.frame({ sent: false, done: false })).toBeUndefined();
    expect(confirms.handle('{"strands":"accepted","id":2,"queued":true}')).toBe(true);
    expect(confirms.handle('{"strands":"refused","id":1,"code":"overloaded","message":"full"}')).toBe(true);
    expect(confirms.handle('{"strands":"refused","id":3,"code":"no_backend","message":"none"}')).toBe(true);
    await tick();
    expect(settled).toEqual(['b:ok', 'a:overloaded', 'c:no_backend']);
    expect(calls.every((c) => c.done)).toBe(true);
  });

  it('reports refusals no promise waits for as events, and leaves other messages alone', () => {
    const { confirms, refused } = setup();
    expect(confirms.handle('{"strands":"refused","code":"overloaded","message":"queue full"}')).toBe(true);
    expect(confirms.handle('{"strands":"refused","id":9,"code":"dead_letter","message":"set aside"}')).toBe(true);
    expect(refused).toEqual([
      { code: 'overloaded', message: 'queue full' },
      { code: 'dead_letter', message: 'set aside', id: 9 },
    ]);
    for (const text of ['hello', '{"strands":"response","id":"1"}', '{"strands":"refused","code":1}', '{"strands":"accepted"}']) {
      expect(confirms.handle(text), text).toBe(false);
    }
  });

  it('fails sends written on a connection that closed with closed, keeps those not yet written, fails all when the client ends', async () => {
    const { confirms, calls, settled, send } = setup();
    void send('written');
    void send('buffered');
    calls[0]!.sent = true;
    confirms.drop();
    await tick();
    expect(settled).toEqual(['written:closed']);
    confirms.drop(new StrandsClientError('closed', 'client closed'));
    await tick();
    expect(settled).toEqual(['written:closed', 'buffered:closed']);
  });
});
