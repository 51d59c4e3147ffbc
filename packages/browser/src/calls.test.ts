// Requests and streams against a real WebSocket server that answers envelopes itself.
import { afterEach, describe, expect, it } from 'vitest';
import { once, record } from '../test/support/events.js';
import { startServer, TestServer, WebSocket, type Peer } from '../test/support/ws-server.js';
import { connect, type ConnectOptions, type StrandsClient } from './index.js';

interface Sent {
  strands: string;
  id: string;
  route?: string;
  data?: unknown;
  n?: number;
}

let server: TestServer | undefined;
const clients: StrandsClient[] = [];

async function setup(options: ConnectOptions = {}): Promise<{ client: StrandsClient; peer: Peer }> {
  server = await startServer();
  const client = connect(server.url, { WebSocket, initialBackoffMs: 5, maxBackoffMs: 50, confirmAfterMs: 10, ...options });
  clients.push(client);
  return { client, peer: await server.peers.next() };
}

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  server = undefined;
});

describe('request', () => {
  it('resolves with the response data, matching replies by id', async () => {
    const { client, peer } = await setup();
    const first = client.request('math.double', 2);
    const second = client.request('math.double', 5);
    const a = await peer.nextJson<Sent>();
    const b = await peer.nextJson<Sent>();
    expect(a).toMatchObject({ strands: 'request', route: 'math.double', data: 2 });
    expect(a.id).not.toBe(b.id);
    // Answer in reverse order.
    peer.sendJson({ strands: 'response', id: b.id, data: 10 });
    peer.sendJson({ strands: 'response', id: a.id, data: 4 });
    expect(await Promise.all([first, second])).toEqual([4, 10]);
  });

  it('rejects with a RemoteError carrying the backend code', async () => {
    const { client, peer } = await setup();
    const pending = client.request('boom', {});
    const { id } = await peer.nextJson<Sent>();
    peer.sendJson({ strands: 'error', id, code: 'handler_error', message: 'it broke' });
    await expect(pending).rejects.toMatchObject({ name: 'RemoteError', code: 'remote_error', remoteCode: 'handler_error', message: 'it broke' });
  });

  it('times out with a timeout error, and a late reply is not shown as a message', async () => {
    const { client, peer } = await setup();
    const messages = record(client, 'message');
    const pending = client.request('slow', {}, { timeoutMs: 20 });
    const { id } = await peer.nextJson<Sent>();
    await expect(pending).rejects.toMatchObject({ code: 'timeout' });
    peer.sendJson({ strands: 'response', id, data: 'too late' });
    peer.send('marker');
    await once(client, 'message');
    expect(messages).toEqual(['marker']);
  });

  it('fails requests in flight with disconnected when the connection drops', async () => {
    const { client, peer } = await setup();
    const pending = client.request('slow', {});
    await peer.nextJson();
    peer.ws.terminate();
    await expect(pending).rejects.toMatchObject({ code: 'disconnected' });
    expect(['reconnecting', 'connecting', 'open']).toContain(client.state);
  });

  it('sends a request made while disconnected after reconnecting, and resolves it', async () => {
    const { client, peer } = await setup();
    await once(client, 'open');
    const reconnecting = once(client, 'reconnecting');
    peer.ws.terminate();
    await reconnecting;
    const pending = client.request('echo', 'hi');
    const next = await server!.peers.next();
    const { id, data } = await next.nextJson<Sent>();
    next.sendJson({ strands: 'response', id, data });
    expect(await pending).toBe('hi');
  });

  it('does not send a request that timed out while buffered', async () => {
    server = await startServer();
    const url = server.url;
    await server.stop();
    const client = connect(url, { WebSocket, initialBackoffMs: 5, maxBackoffMs: 20, confirmAfterMs: 10 });
    clients.push(client);
    await expect(client.request('stale', {}, { timeoutMs: 10 })).rejects.toMatchObject({ code: 'timeout' });
    const after = client.send('after');
    await server.start();
    const peer = await server.peers.next();
    expect(await peer.messages.next()).toBe('after');
    await after;
  });

  it('fire sends a fire envelope without an id', async () => {
    const { client, peer } = await setup();
    await client.fire('chat.typing', { on: true });
    expect(await peer.nextJson()).toEqual({ strands: 'fire', route: 'chat.typing', data: { on: true } });
  });
});

describe('stream', () => {
  it('receives items within its credits, topping them up as they are consumed', async () => {
    const { client, peer } = await setup({ streamCredits: 4 });
    const total = 10;
    let sentItems = 0;
    let credits = 0;
    let maxOutstanding = 0;
    const backend = (async () => {
      const open = await peer.nextJson<Sent>();
      expect(open).toMatchObject({ strands: 'stream', route: 'count', data: { to: total }, n: 4 });
      credits = open.n!;
      while (sentItems < total) {
        while (credits > 0 && sentItems < total) {
          credits--;
          peer.sendJson({ strands: 'next', id: open.id, data: sentItems++ });
          maxOutstanding = Math.max(maxOutstanding, 4 - credits);
        }
        if (sentItems === total) break;
        const grant = await peer.nextJson<Sent>();
        expect(grant).toMatchObject({ strands: 'request_n', id: open.id });
        credits += grant.n!;
      }
      peer.sendJson({ strands: 'complete', id: open.id });
    })();
    const items: unknown[] = [];
    for await (const item of client.stream('count', { to: total })) items.push(item);
    await backend;
    expect(items).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxOutstanding).toBeLessThanOrEqual(4);
  });

  it('cancels the stream on the backend when the loop breaks', async () => {
    const { client, peer } = await setup({ streamCredits: 8 });
    const items: unknown[] = [];
    const consumer = (async () => {
      for await (const item of client.stream('ticks', null)) {
        items.push(item);
        if (items.length === 3) break;
      }
    })();
    const open = await peer.nextJson<Sent>();
    expect(open.data).toBeNull();
    for (let i = 0; i < 5; i++) peer.sendJson({ strands: 'next', id: open.id, data: i });
    await consumer;
    expect(items).toEqual([0, 1, 2]);
    expect(await peer.nextJson()).toEqual({ strands: 'cancel', id: open.id });
  });

  it('throws the backend error after the items that came before it', async () => {
    const { client, peer } = await setup();
    const items: unknown[] = [];
    const consumer = (async () => {
      for await (const item of client.stream('feed', {})) items.push(item);
    })();
    const { id } = await peer.nextJson<Sent>();
    peer.sendJson({ strands: 'next', id, data: 'a' });
    peer.sendJson({ strands: 'error', id, code: 'unknown_route', message: 'no such route' });
    await expect(consumer).rejects.toMatchObject({ code: 'remote_error', remoteCode: 'unknown_route' });
    expect(items).toEqual(['a']);
  });

  it('throws disconnected when the connection drops mid-stream', async () => {
    const { client, peer } = await setup();
    const consumer = (async () => {
      for await (const _ of client.stream('feed', {})) peer.ws.terminate();
    })();
    const { id } = await peer.nextJson<Sent>();
    peer.sendJson({ strands: 'next', id, data: 1 });
    await expect(consumer).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('opens one stream per iteration, nothing before', async () => {
    const { client, peer } = await setup();
    const stream = client.stream('feed', {});
    const marker = client.send('marker');
    expect(await peer.messages.next()).toBe('marker');
    await marker;
    const iterator = stream[Symbol.asyncIterator]();
    expect(await peer.nextJson()).toMatchObject({ strands: 'stream', route: 'feed' });
    await iterator.return?.();
  });
});

describe('messages', () => {
  it('passes JSON that is not a reply to the application', async () => {
    const { client, peer } = await setup();
    const message = once(client, 'message');
    peer.send('{"strands":"chat","text":"hello"}');
    expect(await message).toBe('{"strands":"chat","text":"hello"}');
  });
});
