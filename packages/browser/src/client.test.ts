// The connection lifecycle against a real WebSocket server on port 0.
import { afterEach, describe, expect, it } from 'vitest';
import { once, record } from '../test/support/events.js';
import { startServer, TestServer, WebSocket } from '../test/support/ws-server.js';
import { connect, type ConnectOptions, type StrandsClient } from './index.js';

let server: TestServer | undefined;
const clients: StrandsClient[] = [];

function open(url: string | (() => string), options: ConnectOptions = {}): StrandsClient {
  const client = connect(url, { WebSocket, initialBackoffMs: 5, maxBackoffMs: 50, confirmAfterMs: 10, ...options });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  server = undefined;
});

describe('connect', () => {
  it('opens with the strands.v1 subprotocol and exchanges text, JSON and binary', async () => {
    server = await startServer();
    const client = open(server.url);
    const opened = await once(client, 'open');
    expect(opened).toEqual({ reconnected: false, protocol: 'strands.v1' });
    expect(client.state).toBe('open');
    const peer = await server.peers.next();

    await client.send('hello');
    await client.sendJson({ n: 1 });
    await client.send(new Uint8Array([1, 2, 255]));
    expect(await peer.messages.next()).toBe('hello');
    expect(await peer.nextJson()).toEqual({ n: 1 });
    expect(await peer.messages.next()).toBe('binary:0102ff');

    const text = once(client, 'message');
    peer.send('hi there');
    expect(await text).toBe('hi there');
    const binary = once(client, 'message');
    peer.ws.send(Buffer.from([7, 8]));
    expect(new Uint8Array((await binary) as ArrayBuffer)).toEqual(new Uint8Array([7, 8]));
  });

  it('holds sends made before the socket opens and delivers them in order', async () => {
    server = await startServer();
    const client = open(server.url);
    const sends = ['one', 'two', 'three'].map((m) => client.send(m));
    const peer = await server.peers.next();
    await Promise.all(sends);
    expect([await peer.messages.next(), await peer.messages.next(), await peer.messages.next()]).toEqual(['one', 'two', 'three']);
  });

  it('calls a url function before every attempt', async () => {
    server = await startServer();
    let calls = 0;
    const url = server.url;
    const client = open(() => `${url}/ws/room?attempt=${++calls}`);
    await once(client, 'open');
    (await server.peers.next()).ws.terminate();
    await once(client, 'open');
    expect(server.attempts).toEqual(['/ws/room?attempt=1', '/ws/room?attempt=2']);
  });
});

describe('rejection', () => {
  it('reports the backend reason and status and never reconnects', async () => {
    server = await startServer({ reject: () => [4403, 'banned: spam'] });
    const client = open(server.url);
    const reconnecting = record(client, 'reconnecting');
    const opened = record(client, 'open');
    const [error, close] = await Promise.all([once(client, 'error'), once(client, 'close')]);
    expect(error).toMatchObject({ name: 'RejectedError', code: 'rejected', status: 403, reason: 'banned: spam', closeCode: 4403 });
    expect(close).toEqual({ code: 4403, reason: 'banned: spam', willReconnect: false });
    // The decision is taken when the close arrives: no timer is left to reconnect later.
    expect(client.state).toBe('closed');
    expect(reconnecting).toEqual([]);
    expect(opened).toEqual([]);
    await expect(client.send('late')).rejects.toBe(error);
    await expect(client.request('any', {})).rejects.toBe(error);
  });

  it('treats 4900 as replaced by a newer connection, also final', async () => {
    server = await startServer({ reject: () => [4900, 'replaced'] });
    const client = open(server.url);
    const error = await once(client, 'error');
    expect(error).toMatchObject({ name: 'RejectedError', code: 'replaced', closeCode: 4900, status: undefined });
    expect(client.state).toBe('closed');
  });

  it('treats 4409 as a 409 refusal with its reason, not as replaced', async () => {
    server = await startServer({ reject: () => [4409, 'name taken'] });
    const client = open(server.url);
    const error = await once(client, 'error');
    expect(error).toMatchObject({ name: 'RejectedError', code: 'rejected', closeCode: 4409, status: 409, reason: 'name taken' });
    expect(client.state).toBe('closed');
  });

  it('treats 1008 (policy violation) as final', async () => {
    server = await startServer({ reject: () => [1008, 'policy'] });
    const client = open(server.url);
    expect(await once(client, 'error')).toMatchObject({ code: 'rejected', closeCode: 1008, status: undefined });
  });

  it('treats a normal close (1000) sent by the server as final: the backend closed it on purpose', async () => {
    server = await startServer({ reject: () => [1000, 'kicked'] });
    const client = open(server.url);
    expect(await once(client, 'error')).toMatchObject({ code: 'server_closed', message: 'closed by the server: kicked' });
    expect(client.state).toBe('closed');
  });

  it('reconnects after 4503 (no backend), 4504 (backend timeout), 1013 (overload) and 1012 (restart)', async () => {
    const transient: [number, string][] = [
      [4503, 'no backend'],
      [4504, 'backend did not answer in time'],
      [1013, 'slow consumer'],
      [1012, 'restart'],
    ];
    let connections = 0;
    server = await startServer({ reject: () => transient[connections++] });
    const client = open(server.url);
    const closes = record(client, 'close');
    await once(client, 'open');
    expect(closes).toEqual(transient.map(([code, reason]) => ({ code, reason, willReconnect: true })));
  });
});

describe('reconnect', () => {
  it('reconnects after a drop and flushes what was sent meanwhile, in order', async () => {
    server = await startServer();
    const client = open(server.url);
    await once(client, 'open');
    const first = await server.peers.next();

    const closed = once(client, 'close');
    const reconnecting = once(client, 'reconnecting');
    first.ws.terminate();
    expect(await closed).toMatchObject({ code: 1006, willReconnect: true });
    expect(await reconnecting).toMatchObject({ attempt: 1 });
    expect(client.state).toBe('reconnecting');

    const sends = ['a', 'b', 'c'].map((m) => client.send(m));
    const reopened = once(client, 'open');
    const second = await server.peers.next();
    expect(await reopened).toEqual({ reconnected: true, protocol: 'strands.v1' });
    await Promise.all(sends);
    expect([await second.messages.next(), await second.messages.next(), await second.messages.next()]).toEqual(['a', 'b', 'c']);
  });

  it('keeps trying while the server is down, and reconnects when it is back', async () => {
    server = await startServer();
    const client = open(server.url);
    await once(client, 'open');
    await server.peers.next();
    await server.stop();
    // Two failed attempts against a closed port prove it keeps trying.
    const attempts: number[] = [];
    await new Promise<void>((resolve) =>
      client.on('reconnecting', ({ attempt }) => {
        attempts.push(attempt);
        if (attempt === 3) resolve();
      }),
    );
    expect(attempts).toEqual([1, 2, 3]);
    const pending = client.send('queued while down');
    await server.start();
    const peer = await server.peers.next();
    await pending;
    expect(await peer.messages.next()).toBe('queued while down');
    expect(client.state).toBe('open');
  });

  it('gives up after maxReconnectAttempts and fails what was buffered', async () => {
    server = await startServer();
    const url = server.url;
    await server.stop();
    const client = open(url, { maxReconnectAttempts: 2 });
    const reconnecting = record(client, 'reconnecting');
    const buffered = client.send('never');
    const error = await once(client, 'error');
    expect(error).toMatchObject({ code: 'disconnected', message: expect.stringMatching(/gave up after 2/) });
    expect(reconnecting.map((r) => r.attempt)).toEqual([1, 2]);
    expect(client.state).toBe('closed');
    await expect(buffered).rejects.toBe(error);
  });

  it('does not reconnect when reconnect is false', async () => {
    server = await startServer();
    const client = open(server.url, { reconnect: false });
    await once(client, 'open');
    const error = once(client, 'error');
    (await server.peers.next()).ws.terminate();
    expect(await error).toMatchObject({ code: 'disconnected' });
    expect(client.state).toBe('closed');
  });
});

describe('state', () => {
  it('shows failed first attempts as reconnecting, yet reports the first open as not reconnected', async () => {
    let refusals = 1;
    server = await startServer({ reject: () => (refusals-- > 0 ? [4503, 'no backend connected'] : undefined) });
    const client = open(server.url);
    expect(client.state).toBe('connecting');
    const states: string[] = [];
    client.on('reconnecting', () => states.push(client.state));
    expect(await once(client, 'open')).toEqual({ reconnected: false, protocol: 'strands.v1' });
    expect(states).toEqual(['reconnecting']);
    expect(client.state).toBe('open');
  });

  it('shows a socket not yet confirmed as open; after it drops, the next open is a reconnect', async () => {
    server = await startServer();
    const client = open(server.url, { protocols: [], confirmAfterMs: 60_000 });
    expect(await once(client, 'open')).toEqual({ reconnected: false, protocol: '' });
    expect(client.state).toBe('open');
    const states: string[] = [];
    client.on('close', () => states.push(client.state));
    (await server.peers.next()).ws.close(4503, 'no backend connected');
    expect(await once(client, 'open')).toEqual({ reconnected: true, protocol: '' });
    expect(states).toEqual(['reconnecting']);
  });

  it('stays closed: a close() after the end changes nothing and emits nothing', async () => {
    server = await startServer({ reject: () => [4403, 'no'] });
    const client = open(server.url);
    await once(client, 'error');
    const closes = record(client, 'close');
    client.close();
    expect(client.state).toBe('closed');
    expect(closes).toEqual([]);
  });
});

describe('a refusal under the strands.v1.refusal subprotocol', () => {
  it('writes nothing, never reports open, and fails what was buffered with the rejection', async () => {
    server = await startServer({ reject: () => [4401, 'bad token'] });
    const client = open(server.url);
    const opens = record(client, 'open');
    const sent = client.send('secret');
    await expect(sent).rejects.toMatchObject({ code: 'rejected', status: 401, reason: 'bad token' });
    expect(opens).toEqual([]);
  });

  it('keeps what was buffered across a 4503 refusal and sends it once accepted', async () => {
    let refusals = 1;
    server = await startServer({ reject: () => (refusals-- > 0 ? [4503, 'no backend connected'] : undefined) });
    const client = open(server.url);
    const sent = client.send('important');
    const peer = await server.peers.next();
    expect(await peer.messages.next()).toBe('important');
    await sent;
    expect(server.attempts.length).toBe(2);
  });
});

describe('a rejection right after the upgrade, from a server without the Strands subprotocols', () => {
  // Such a server may upgrade a refused client and close it at once; in a browser the close
  // can arrive after "open", once buffered sends were written. Here the server waits for the
  // first message before closing, which is that race made certain.
  it('sends again what was written before a 4503, on the next connection', async () => {
    server = await startServer();
    const client = open(server.url, { protocols: [], confirmAfterMs: 60_000 });
    const sent = client.send('important');
    const first = await server.peers.next();
    expect(await first.messages.next()).toBe('important');
    first.ws.close(4503, 'no backend connected');
    const second = await server.peers.next();
    expect(await second.messages.next()).toBe('important');
    second.send('welcome'); // a first message confirms the connection
    await sent;
  });

  it('fails what was written before a 4403 with the rejection', async () => {
    server = await startServer();
    const client = open(server.url, { protocols: [], confirmAfterMs: 60_000 });
    const sent = client.send('hello?');
    const peer = await server.peers.next();
    await peer.messages.next();
    peer.ws.close(4403, 'go away');
    await expect(sent).rejects.toMatchObject({ code: 'rejected', reason: 'go away' });
  });

  it('does not send again what went out on a confirmed connection', async () => {
    server = await startServer();
    const client = open(server.url, { protocols: [], confirmAfterMs: 60_000 });
    const sent = client.send('once');
    const first = await server.peers.next();
    expect(await first.messages.next()).toBe('once');
    first.send('confirmed');
    await sent;
    first.ws.close(4503, 'backend gone');
    const second = await server.peers.next();
    const marker = client.send('marker');
    expect(await second.messages.next()).toBe('marker');
    second.send('confirmed');
    await marker;
  });

  it('keeps growing the backoff while every connection is refused with 4503', async () => {
    server = await startServer({ reject: () => [4503, 'no backend connected'] });
    const client = open(server.url, { confirmAfterMs: 60_000, maxReconnectAttempts: 3 });
    const attempts = record(client, 'reconnecting');
    const error = await once(client, 'error');
    expect(error).toMatchObject({ code: 'disconnected' });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
  });
});

describe('buffer and close', () => {
  it('fails sends past maxBufferedMessages with buffer_full, keeping the others', async () => {
    server = await startServer();
    const url = server.url;
    await server.stop();
    const client = open(url, { maxBufferedMessages: 2 });
    const kept = [client.send('1'), client.send('2')];
    await expect(client.send('3')).rejects.toMatchObject({ name: 'StrandsClientError', code: 'buffer_full' });
    await server.start();
    const peer = await server.peers.next();
    await Promise.all(kept);
    expect([await peer.messages.next(), await peer.messages.next()]).toEqual(['1', '2']);
  });

  it('with maxBufferedMessages 0 sends on an open connection and fails at once while disconnected', async () => {
    server = await startServer();
    const client = open(server.url, { maxBufferedMessages: 0 });
    await once(client, 'open');
    const peer = await server.peers.next();
    await client.send('live');
    expect(await peer.messages.next()).toBe('live');
    const reconnecting = once(client, 'reconnecting');
    peer.ws.terminate();
    await reconnecting;
    await expect(client.send('offline')).rejects.toMatchObject({ code: 'buffer_full' });
  });

  it('close() ends the client: buffered sends and later ones fail with closed', async () => {
    server = await startServer();
    const url = server.url;
    await server.stop();
    const client = open(url);
    const buffered = client.send('x');
    const close = once(client, 'close');
    client.close(1000, 'bye');
    expect(await close).toEqual({ code: 1000, reason: 'bye', willReconnect: false });
    expect(client.state).toBe('closed');
    await expect(buffered).rejects.toMatchObject({ code: 'closed' });
    await expect(client.send('y')).rejects.toMatchObject({ code: 'closed' });
  });

  it('close() on an open client closes the socket with the given code', async () => {
    server = await startServer();
    const client = open(server.url);
    await once(client, 'open');
    const peer = await server.peers.next();
    const code = new Promise<number>((resolve) => peer.ws.on('close', (c) => resolve(c)));
    client.close(4000, 'done');
    expect(await code).toBe(4000);
  });
});
