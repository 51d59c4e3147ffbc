// The outbox on fake sockets: one write per client per flush, slices, order, and the backlog bound.
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { ClientConnection } from './client-connection.js';
import { ClientOutbox } from './outbox.js';
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

function deliver(outbox: ClientOutbox, client: ClientConnection, frame: Buffer): void {
  expect(client.enqueue(frame, 1024 * 1024)).toBe(true);
  outbox.touch(client, frame.length);
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
