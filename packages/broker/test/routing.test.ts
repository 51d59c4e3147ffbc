// Every routing action end to end, room isolation, several rooms per connection, ids and metadata.
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, waitFor, type Harness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

describe('routing', () => {
  it('delivers message_to_room to the room only (room isolation)', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const a1 = await h.client('/ws/a?id=a1');
    const a2 = await h.client('/ws/a?id=a2');
    const b1 = await h.client('/ws/b?id=b1');
    backend.send('message_to_room', { room_id: 'a', message: 'to-a' });
    backend.send('message_to_room', { room_id: 'b', message: 'to-b' });
    await a1.waitMessage('to-a');
    await a2.waitMessage('to-a');
    await b1.waitMessage('to-b');
    // A marker sent after: once it arrives, anything misrouted would have arrived too.
    backend.send('broadcast', { message: 'marker' });
    await Promise.all([a1, a2, b1].map((c) => c.waitMessage('marker')));
    expect(a1.messages).toEqual(['to-a', 'marker']);
    expect(a2.messages).toEqual(['to-a', 'marker']);
    expect(b1.messages).toEqual(['to-b', 'marker']);
  });

  it('delivers message_to_connection to one client by client_id', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const one = await h.client('/ws/r?id=one');
    const two = await h.client('/ws/r?id=two');
    backend.send('message_to_connection', { conn_id: 'two', message: 'private' });
    backend.send('broadcast', { message: 'marker' });
    await one.waitMessage('marker');
    await two.waitMessage('marker');
    expect(one.messages).toEqual(['marker']);
    expect(two.messages).toEqual(['private', 'marker']);
  });

  it('broadcasts to every connected client in every room', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const clients = await Promise.all(['x', 'y', 'z'].map((room, i) => h.client(`/ws/${room}?id=c${i}`)));
    backend.send('broadcast', { message: 'everyone' });
    for (const c of clients) await c.waitMessage('everyone');
  });

  it('lets a connection be in several rooms (join_room, leave_room) and answers room_members', async () => {
    h = await startBroker();
    const backend = await h.backend();
    await backend.hello();
    const c = await h.client('/ws/home?id=c');
    const other = await h.client('/ws/extra?id=other');
    backend.send('join_room', { conn_id: 'c', room_id: 'extra' });
    const rid = backend.send('room_members', { room_id: 'extra' });
    const reply = await backend.waitFrame((f) => f.action === 'room_members_reply' && f.request_id === rid, 'room_members_reply');
    expect(reply.params.room_id).toBe('extra');
    expect(reply.params.members.map((m: { client_id: string }) => m.client_id).sort()).toEqual(['c', 'other']);
    expect(reply.params.members.find((m: { client_id: string }) => m.client_id === 'c').metadata).toEqual({ url: '/ws/home' });

    backend.send('message_to_room', { room_id: 'home', message: 'home-1' });
    backend.send('message_to_room', { room_id: 'extra', message: 'extra-1' });
    await c.waitMessage('extra-1');
    await other.waitMessage('extra-1');
    expect(c.messages).toEqual(['home-1', 'extra-1']);

    backend.send('leave_room', { conn_id: 'c', room_id: 'extra' });
    backend.send('message_to_room', { room_id: 'extra', message: 'extra-2' });
    backend.send('message_to_room', { room_id: 'home', message: 'home-2' });
    await c.waitMessage('home-2');
    await other.waitMessage('extra-2');
    expect(c.messages).toEqual(['home-1', 'extra-1', 'home-2']);
  });

  it('closes a connection on disconnect_connection with the given code and reason, and reports it', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const c = await h.client('/ws/r?id=kick');
    backend.send('disconnect_connection', { conn_id: 'kick', code: 4001, reason: 'bye' });
    expect(await c.waitClose()).toBe(4001);
    expect(c.closeReason).toBe('bye');
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected');
    expect(gone.params).toMatchObject({ context: { client_id: 'kick' }, code: 4001, reason: 'bye' });
  });

  it('treats targets that do not exist as no-ops, and tells a hello backend not_found for room actions', async () => {
    h = await startBroker();
    const backend = await h.backend();
    await backend.hello();
    const c = await h.client('/ws/r?id=real');
    backend.send('message_to_room', { room_id: 'nobody-here', message: 'x' });
    backend.send('message_to_connection', { conn_id: 'ghost', message: 'x' });
    const join = backend.send('join_room', { conn_id: 'ghost', room_id: 'r' });
    const reply = await backend.waitFrame((f) => f.action === 'error_reply' && f.request_id === join, 'not_found');
    expect(reply.params.code).toBe('not_found');
    backend.send('message_to_connection', { conn_id: 'real', message: 'still fine' });
    await c.waitMessage('still fine');
    expect((await h.http('/healthz')).status).toBe(200);
  });

  it('sends new_connection, new_message and disconnected with exactly the backend metadata as context', async () => {
    h = await startBroker();
    const backend = await h.backend(() => ({ accepted: true, client_id: 'ctx', room_id: 'r1', metadata: { role: 'admin', n: 1 } }));
    const c = await h.client('/ws/whatever');
    c.send('hello');
    const msg = await backend.waitFrame((f) => f.action === 'new_message', 'new_message');
    const expected = { client_id: 'ctx', room_id: 'r1', metadata: { role: 'admin', n: 1 } };
    expect(msg.params.message).toBe('hello');
    expect(msg.params.context).toEqual(expected);
    expect(backend.of('new_connection')[0]?.params.context).toEqual(expected);
    c.close();
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected');
    expect(gone.params.context).toEqual(expected);
    expect(gone.params.code).toBe(1005);
  });

  it('gives a client a UUID when the backend names none, and the url path as room when it gives none', async () => {
    h = await startBroker();
    const backend = await h.backend(() => ({ accepted: true }));
    const c = await h.client('/ws/some/path?x=1');
    c.send('hi');
    const msg = await backend.waitFrame((f) => f.action === 'new_message', 'new_message');
    expect(msg.params.context.client_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(msg.params.context.room_id).toBe('/ws/some/path');
    expect(msg.params.context.metadata).toEqual({});
    backend.send('message_to_room', { room_id: '/ws/some/path', message: 'room by path' });
    await c.waitMessage('room by path');
  });

  it('replaces an older connection that claims the same client_id (older closed with 4900)', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const first = await h.client('/ws/r?id=dup');
    const second = await h.client('/ws/r?id=dup');
    expect(await first.waitClose()).toBe(4900);
    expect(first.closeReason).toBe('replaced');
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected of the older');
    expect(gone.params.code).toBe(4900);
    backend.send('message_to_connection', { conn_id: 'dup', message: 'to the newer' });
    await second.waitMessage('to the newer');
    expect(second.closed).toBe(false);
    // The older one's late close must not unregister the newer one.
    backend.send('message_to_connection', { conn_id: 'dup', message: 'again' });
    await second.waitMessage('again');
    expect(h.broker.stats().clients).toBe(1);
  });

  it('passes binary frames to the backend as base64 with encoding "base64"', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const c = await h.client('/ws/r?id=bin');
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    c.send(bytes);
    const msg = await backend.waitFrame((f) => f.action === 'new_message', 'binary new_message');
    expect(msg.params.encoding).toBe('base64');
    expect(Buffer.from(msg.params.message, 'base64').equals(bytes)).toBe(true);
    c.send('text');
    const text = await backend.waitFrame((f) => f.action === 'new_message' && f.params.message === 'text', 'text');
    expect(text.params.encoding).toBeUndefined();
  });

  it('delivers encoding "base64" sends as binary frames with the exact bytes: room, connection, broadcast', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const a = await h.client('/ws/r?id=a');
    const b = await h.client('/ws/other?id=b');
    const bytes = (...values: number[]) => Buffer.from(values).toString('base64');
    backend.send('message_to_room', { room_id: 'r', message: bytes(0, 1, 255), encoding: 'base64' });
    backend.send('message_to_connection', { conn_id: 'b', message: bytes(10, 13, 0), encoding: 'base64' });
    backend.send('broadcast', { message: bytes(128), encoding: 'base64' });
    // The same text without the key is text, as PyStrands sends it.
    backend.send('broadcast', { message: bytes(7) });
    await a.waitMessage(`binary:${bytes(0, 1, 255)}`);
    await b.waitMessage(`binary:${bytes(10, 13, 0)}`);
    for (const c of [a, b]) {
      await c.waitMessage(`binary:${bytes(128)}`);
      await c.waitMessage(bytes(7));
    }
    expect(a.messages).toEqual([`binary:${bytes(0, 1, 255)}`, `binary:${bytes(128)}`, bytes(7)]);
  });

  it('refuses encoding "base64" with a message that is not base64 (invalid_params), and sends nothing', async () => {
    h = await startBroker();
    const backend = await h.backend();
    await backend.hello();
    const c = await h.client('/ws/r?id=a');
    const bad = [
      backend.send('message_to_room', { room_id: 'r', message: 'not base64!', encoding: 'base64' }),
      backend.send('message_to_connection', { conn_id: 'a', message: 'AAA', encoding: 'base64' }),
      backend.send('broadcast', { message: 'A===', encoding: 'base64' }),
    ];
    const badEncoding = backend.send('broadcast', { message: 'AAAA', encoding: 'hex' });
    for (const id of [...bad, badEncoding]) {
      const reply = await backend.waitFrame((f) => f.action === 'error_reply' && f.request_id === id, `invalid_params for ${id}`);
      expect(reply.params.code).toBe('invalid_params');
    }
    backend.send('message_to_connection', { conn_id: 'a', message: 'after' });
    await c.waitMessage('after');
    expect(c.messages).toEqual(['after']);
  });

  it('counts fan-out deliveries in /metrics', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const clients = await Promise.all([1, 2, 3].map((i) => h.client(`/ws/room?id=m${i}`)));
    backend.send('message_to_room', { room_id: 'room', message: 'm' });
    for (const c of clients) await c.waitMessage('m');
    const metrics = (await h.http('/metrics')).body;
    expect(metrics).toMatch(/^strands_fanout_deliveries_total 3$/m);
    expect(metrics).toMatch(/^strands_connections 3$/m);
    await waitFor(() => h.broker.stats().rooms === 1, 'one room');
  });
});
