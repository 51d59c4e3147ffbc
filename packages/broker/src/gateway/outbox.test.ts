// The outbox on fake sockets: one write per client per flush, slices, order, and the backlog bound.
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { ClientConnection } from './client-connection.js';
import { ClientOutbox, FLUSH_SLICE_CLIENTS } from './outbox.js';
import { textFrame } from './ws-frames.js';

/** A client whose socket records each write. */
function fakeClient(id: string): { client: ClientConnection; writes: Buffer[] } {
  const writes: Buffer[] = [];
  const socket = new Duplex({
    read: () => undefined,
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk);
      done();
    },
  });
  return { client: new ClientConnection(id, 'room', {}, {} as WebSocket, socket), writes };
}

function deliver(outbox: ClientOutbox, client: ClientConnection, frame: Buffer, fanOut = false): void {
  expect(client.enqueue(frame, 1024 * 1024)).toBe(true);
  outbox.touch(client, frame.length, fanOut);
}

/** A room's or a broadcast's frame: it may wait out the write delay. */
function fanOut(outbox: ClientOutbox, client: ClientConnection, frame: Buffer): void {
  deliver(outbox, client, frame, true);
}

const noHooks = { full: () => undefined, drained: () => undefined };

describe('ClientOutbox', () => {
  it('writes each client once per flush, its frames joined in order', () => {
    const outbox = new ClientOutbox(1024 * 1024, noHooks);
    const a = fakeClient('a');
    const b = fakeClient('b');
    const frames = ['one', 'two', 'three'].map(textFrame);
    for (const frame of frames) {
      deliver(outbox, a.client, frame);
      deliver(outbox, b.client, frame);
    }
    outbox.flush();
    expect(a.writes).toEqual([Buffer.concat(frames)]);
    expect(b.writes).toEqual([Buffer.concat(frames)]);
    expect(outbox.pendingBytes).toBe(0);
  });

  it('flushes in slices; a client touched after its write goes behind the others', () => {
    const outbox = new ClientOutbox(1024 * 1024, noHooks);
    const clients = ['a', 'b', 'c'].map(fakeClient);
    for (const { client } of clients) deliver(outbox, client, textFrame('1'));
    outbox.flush(2);
    expect(clients.map((c) => c.writes.length)).toEqual([1, 1, 0]);
    // 'a' gets more while 'c' still waits: 'c' is written with its one frame, then 'a'.
    deliver(outbox, (clients[0] as { client: ClientConnection }).client, textFrame('2'));
    deliver(outbox, (clients[2] as { client: ClientConnection }).client, textFrame('2'));
    outbox.flush(1);
    expect(clients[2]?.writes).toEqual([Buffer.concat([textFrame('1'), textFrame('2')])]);
    expect(clients[0]?.writes).toHaveLength(1);
    outbox.flush();
    expect(clients[0]?.writes[1]).toEqual(textFrame('2'));
  });

  it('reports full past its bound and drained once back under half', () => {
    const events: string[] = [];
    const outbox = new ClientOutbox(100, { full: () => events.push('full'), drained: () => events.push('drained') });
    const clients = Array.from({ length: 4 }, (_, i) => fakeClient(String(i)));
    const frame = textFrame('x'.repeat(38)); // 40 bytes
    for (const { client } of clients) deliver(outbox, client, frame);
    expect(events).toEqual(['full']);
    expect(outbox.pendingBytes).toBe(160);
    outbox.flush(1);
    expect(events).toEqual(['full']); // 120 owed
    outbox.flush(2);
    expect(events).toEqual(['full', 'drained']); // 40 owed
  });

  it('forgets the frames of a dropped client', () => {
    const events: string[] = [];
    const outbox = new ClientOutbox(50, { full: () => events.push('full'), drained: () => events.push('drained') });
    const a = fakeClient('a');
    deliver(outbox, a.client, textFrame('x'.repeat(58)));
    outbox.forget(a.client.discard());
    expect(events).toEqual(['full', 'drained']);
    outbox.flush();
    expect(a.writes).toEqual([]);
  });
});

describe('ClientOutbox with a write delay', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a pass of fan-out frames only once the delay is over: the frames of the meantime share one write', () => {
    vi.useFakeTimers();
    const outbox = new ClientOutbox(1024 * 1024, noHooks, 5);
    const a = fakeClient('a');
    fanOut(outbox, a.client, textFrame('one'));
    vi.advanceTimersByTime(4);
    expect(a.writes).toEqual([]);
    fanOut(outbox, a.client, textFrame('two'));
    vi.advanceTimersByTime(1);
    expect(a.writes).toEqual([Buffer.concat([textFrame('one'), textFrame('two')])]);
  });

  it('never holds a frame that does not fan out: its client is written next turn, its waiting fan-out frames first', () => {
    vi.useFakeTimers();
    const outbox = new ClientOutbox(1024 * 1024, noHooks, 50);
    const a = fakeClient('a');
    const b = fakeClient('b');
    fanOut(outbox, a.client, textFrame('room 1'));
    fanOut(outbox, b.client, textFrame('room 1'));
    deliver(outbox, a.client, textFrame('reply'));
    vi.advanceTimersByTime(1);
    expect(a.writes).toEqual([Buffer.concat([textFrame('room 1'), textFrame('reply')])]);
    expect(b.writes).toEqual([]);
    expect(outbox.pendingBytes).toBe(textFrame('room 1').length);
    // The delayed pass finds 'a' written: no second write for it; 'b' waits the delay out.
    fanOut(outbox, b.client, textFrame('room 2'));
    vi.advanceTimersByTime(49);
    expect(a.writes).toHaveLength(1);
    expect(b.writes).toEqual([Buffer.concat([textFrame('room 1'), textFrame('room 2')])]);
    expect(outbox.pendingBytes).toBe(0);
  });

  it('keeps a hurried client in order when it gets fan-out frames again before the delayed pass', () => {
    vi.useFakeTimers();
    const outbox = new ClientOutbox(1024 * 1024, noHooks, 50);
    const a = fakeClient('a');
    fanOut(outbox, a.client, textFrame('room 1'));
    deliver(outbox, a.client, textFrame('reply 1'));
    deliver(outbox, a.client, textFrame('reply 2'));
    vi.advanceTimersByTime(1);
    fanOut(outbox, a.client, textFrame('room 2'));
    vi.advanceTimersByTime(49);
    expect(a.writes).toEqual([Buffer.concat(['room 1', 'reply 1', 'reply 2'].map(textFrame)), textFrame('room 2')]);
    vi.runAllTimers();
    expect(a.writes).toHaveLength(2);
    expect(outbox.pendingBytes).toBe(0);
  });

  it('does not wait when a frame that does not fan out starts the pass', () => {
    vi.useFakeTimers();
    const outbox = new ClientOutbox(1024 * 1024, noHooks, 50);
    const a = fakeClient('a');
    deliver(outbox, a.client, textFrame('reply'));
    fanOut(outbox, a.client, textFrame('room'));
    vi.advanceTimersByTime(1);
    expect(a.writes).toEqual([Buffer.concat([textFrame('reply'), textFrame('room')])]);
  });

  it('does not hold back a pass under way: its next slices go out turn by turn', () => {
    vi.useFakeTimers();
    const outbox = new ClientOutbox(1024 * 1024, noHooks, 50);
    const clients = Array.from({ length: FLUSH_SLICE_CLIENTS + 1 }, (_, i) => fakeClient(String(i)));
    for (const { client } of clients) fanOut(outbox, client, textFrame('x'));
    vi.advanceTimersByTime(50);
    expect(clients.filter((c) => c.writes.length === 1)).toHaveLength(FLUSH_SLICE_CLIENTS);
    // The last client is in the next slice: the next turn (setImmediate), not another 50 ms.
    vi.advanceTimersByTime(1);
    expect(clients.at(-1)?.writes).toHaveLength(1);
  });

  it('without a delay writes in the next turn', () => {
    vi.useFakeTimers();
    const outbox = new ClientOutbox(1024 * 1024, noHooks);
    const a = fakeClient('a');
    deliver(outbox, a.client, textFrame('one'));
    vi.advanceTimersByTime(0);
    vi.runOnlyPendingTimers();
    expect(a.writes).toEqual([textFrame('one')]);
  });
});
