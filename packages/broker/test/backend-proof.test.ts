// A connection to the backend port gets no client's connection request before it proved itself a backend.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RawBackend, startBroker, waitFor, type Harness } from './support/harness.js';

let h: Harness | undefined;
let sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  await h?.cleanup();
  h = undefined;
});

/** A TCP connection to the backend port that records what it is sent and says nothing. */
async function silent(port: number): Promise<{ socket: Socket; received: () => string }> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => (text += d));
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received: () => text };
}

describe('backends prove themselves before they get clients', () => {
  it('gives a silent connection no connection request while a proven backend takes them all', async () => {
    h = await startBroker({ backendProbationMs: 60_000 });
    const proven = await RawBackend.connect(h.addresses.tcpPort);
    sockets.push(proven.socket);
    await proven.hello();
    const quiet = await silent(h.addresses.tcpPort);
    await waitFor(async () => ((await h!.http('/metrics')).body.includes('strands_backend_connections_total 2') ? true : undefined), 'both connected');
    for (let i = 0; i < 10; i += 1) await h.client(`/ws/r?id=c${i}`);
    expect(proven.of('connection_request')).toHaveLength(10);
    expect(quiet.received()).not.toContain('connection_request');
    expect(h.broker.stats().backends).toBe(1);
  });

  it('refuses an HTTP request sent within the silence, and it never got a client', async () => {
    h = await startBroker({ backendProbationMs: 60_000 });
    const proven = await RawBackend.connect(h.addresses.tcpPort);
    sockets.push(proven.socket);
    await proven.hello();
    const post = await silent(h.addresses.tcpPort);
    await h.client('/ws/r?id=before');
    post.socket.write('POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}');
    await waitFor(() => post.received().startsWith('HTTP/1.1 400') || undefined, 'HTTP 400');
    expect(post.received()).not.toContain('connection_request');
    expect(proven.of('connection_request')).toHaveLength(1);
  });

  it('takes a first valid frame as the proof at once (an SDK backend says hello; any valid frame will do)', async () => {
    h = await startBroker({ backendProbationMs: 60_000 });
    const raw = await RawBackend.connect(h.addresses.tcpPort);
    sockets.push(raw.socket);
    // A client arriving while the only backend is unproven waits for it instead of getting 503.
    const early = h.attempt('/ws/r?id=early');
    await waitFor(async () => ((await h!.http('/metrics')).body.includes('strands_backend_connections_total 1') ? true : undefined), 'backend connected');
    expect(raw.of('connection_request')).toHaveLength(0);
    raw.send('broadcast', { message: 'I am a backend' });
    await waitFor(() => h!.broker.stats().backends === 1 || undefined, 'proven by its frame');
    expect(await early).toMatchObject({ kind: 'open' });
    expect(raw.of('connection_request')).toHaveLength(1);
    const c = await h.client('/ws/r?id=late');
    raw.send('message_to_connection', { conn_id: 'late', message: 'hi' });
    await c.waitMessage('hi');
  });

  it('lets a client that came during the probation in once the silent backend is proven, not 503', async () => {
    h = await startBroker({ backendProbationMs: 300 });
    const py = await RawBackend.connect(h.addresses.tcpPort);
    sockets.push(py.socket);
    const result = await h.attempt('/ws/r?id=during-probation');
    expect(result).toMatchObject({ kind: 'open' });
    expect(py.of('connection_request')).toHaveLength(1);
  });

  it('answers 503 to the waiting client when the unproven backend leaves before it is proven', async () => {
    h = await startBroker({ backendProbationMs: 60_000 });
    const quiet = await silent(h.addresses.tcpPort);
    await waitFor(async () => ((await h!.http('/metrics')).body.includes('strands_backend_connections_total 1') ? true : undefined), 'backend connected');
    const waiting = h.attempt('/ws/r?id=waiting');
    await waitFor(async () => ((await h!.http('/metrics')).body.includes('strands_pending_connection_requests 1') ? true : undefined), 'request waiting');
    quiet.socket.destroy();
    expect(await waiting).toMatchObject({ kind: 'http', status: 503 });
    expect(quiet.received()).not.toContain('connection_request');
  });

  it('serves an unmodified PyStrands-style backend (bare TCP, never speaks first) after its silence', async () => {
    h = await startBroker();
    const py = await h.backend();
    expect(py.frames).toEqual([]);
    const c = await h.client('/ws/room1?id=py-client');
    expect(py.of('connection_request')).toHaveLength(1);
    c.send('hello from the client');
    const event = await py.waitFrame((f) => f.action === 'new_message', 'new_message');
    expect(event.params.message).toBe('hello from the client');
    py.send('message_to_room', { room_id: 'room1', message: 'hello from python' });
    await c.waitMessage('hello from python');
  });

  it('drops a connection that sent bytes but never a valid frame after one heartbeat interval', async () => {
    h = await startBroker({ heartbeatIntervalMs: 200 });
    const junk = await silent(h.addresses.tcpPort);
    junk.socket.write('not json at all\n');
    await waitFor(() => junk.socket.readableEnded || junk.socket.destroyed || undefined, 'junk connection cut');
    expect(h.broker.stats().backends).toBe(0);
  });
});
