// The upgrade flow: what the backend is asked, and every way an upgrade is refused (HTTP status or 4xxx close).
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptAll, closeOf, startBroker, waitFor, type Harness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

describe('connection requests', () => {
  it('sends canonical headers with lists of values, the path, the parsed query and the peer address', async () => {
    h = await startBroker();
    const backend = await h.backend();
    await h.client('/ws/room1?token=abc&tag=a&tag=b', {
      headers: { authorization: 'Bearer x', 'x-client-id': 'me', 'x-multi': 'one' },
    });
    const req = backend.of('connection_request')[0];
    expect(req?.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(req?.params.url).toBe('/ws/room1');
    expect(req?.params.query).toEqual({ token: ['abc'], tag: ['a', 'b'] });
    expect(req?.params.headers.Authorization).toEqual(['Bearer x']);
    expect(req?.params.headers['X-Client-Id']).toEqual(['me']);
    expect(req?.params.headers['Sec-Websocket-Version']).toEqual(['13']);
    expect(req?.params.remote_addr).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('refuses a rejected client with HTTP 403 and no WebSocket', async () => {
    h = await startBroker();
    await h.backend(() => ({ accepted: false }));
    const result = await h.attempt('/ws/r');
    expect(result.kind).toBe('http');
    if (result.kind === 'http') expect(result.status).toBe(403);
    expect(h.broker.stats().clients).toBe(0);
  });

  it('uses the status and reason the backend gave', async () => {
    h = await startBroker();
    await h.backend(() => ({ accepted: false, status: 401, reason: 'token expired' }));
    const result = await h.attempt('/ws/r');
    expect(result).toMatchObject({ kind: 'http', status: 401, body: 'token expired' });
  });

  it('closes a rejected strands.v1 client with 4000 + status and the reason', async () => {
    h = await startBroker();
    await h.backend(() => ({ accepted: false, status: 403, reason: 'go away' }));
    const closed = await closeOf(await h.attempt('/ws/r', { protocols: ['strands.v1'] }));
    expect(closed).toEqual({ code: 4403, reason: 'go away' });
  });

  it('selects the refusal subprotocol for a refused client that offers it, so it knows at open', async () => {
    h = await startBroker();
    await h.backend(() => ({ accepted: false, status: 401, reason: 'bad token' }));
    const result = await h.attempt('/ws/r', { protocols: ['strands.v1', 'strands.v1.refusal'] });
    const protocol = result.kind === 'open' ? result.client.protocol : result.kind === 'closed' ? result.protocol : '';
    expect(protocol).toBe('strands.v1.refusal');
    expect(await closeOf(result)).toEqual({ code: 4401, reason: 'bad token' });
  });

  it('selects strands.v1, never the refusal subprotocol, for an accepted client offering both', async () => {
    h = await startBroker();
    await h.backend();
    const c = await h.client('/ws/r', { protocols: ['strands.v1', 'strands.v1.refusal'] });
    expect(c.protocol).toBe('strands.v1');
  });

  it('echoes the strands.v1 subprotocol to an accepted client', async () => {
    h = await startBroker();
    await h.backend();
    const c = await h.client('/ws/r', { protocols: ['strands.v1'] });
    expect(c.protocol).toBe('strands.v1');
  });

  it('answers 503 with Retry-After when no backend is connected (4503 for strands.v1)', async () => {
    h = await startBroker({ retryAfterSeconds: 7 });
    const result = await h.attempt('/ws/r');
    expect(result.kind).toBe('http');
    if (result.kind === 'http') {
      expect(result.status).toBe(503);
      expect(result.headers['retry-after']).toBe('7');
    }
    expect((await closeOf(await h.attempt('/ws/r', { protocols: ['strands.v1'] }))).code).toBe(4503);
    expect((await h.http('/metrics')).body).toMatch(/^strands_rejected_connections_total\{reason="no_backend"\} 2$/m);
  });

  it('answers 504 when the backend does not answer in time, and tells it with an error event', async () => {
    h = await startBroker({ connectionRequestTimeoutMs: 200 });
    const backend = await h.backend(() => null);
    const result = await h.attempt('/ws/slow');
    expect(result).toMatchObject({ kind: 'http', status: 504 });
    const error = await backend.waitFrame((f) => f.action === 'error', 'error event');
    expect(error.params.error).toMatch(/timed out/);
    // The request's own headers and address, read back from its line (the pending record keeps no params).
    const req = backend.of('connection_request')[0];
    expect(req?.params.headers.Host).toHaveLength(1);
    expect(error.params.context).toEqual({ url: '/ws/slow', headers: req?.params.headers, remote_addr: req?.params.remote_addr, request_id: req?.request_id });
    // The late answer finds nothing and harms nothing.
    backend.send('response', { accepted: true }, req?.request_id);
    expect((await h.http('/healthz')).status).toBe(200);
    expect(h.broker.stats().clients).toBe(0);
    expect((await closeOf(await h.attempt('/ws/slow', { protocols: ['strands.v1'] }))).code).toBe(4504);
  });

  it('retries a pending request on another backend when its backend dies', async () => {
    h = await startBroker();
    const silent = await h.backend(() => null);
    const helpful = await h.backend(() => null);
    const attempt = h.attempt('/ws/r?id=retry');
    const first = await waitFor(
      () => (silent.of('connection_request').length > 0 ? silent : helpful.of('connection_request').length > 0 ? helpful : undefined),
      'request at a backend',
    );
    const other = first === silent ? helpful : silent;
    other.decide = (f) => ({ accepted: true, client_id: f.params.query.id[0], room_id: 'r' });
    first.close();
    const result = await attempt;
    expect(result.kind).toBe('open');
    expect(other.of('connection_request')).toHaveLength(1);
    await other.waitFrame((f) => f.action === 'new_connection', 'new_connection at the survivor');
  });

  it('answers 503 when the only backend dies with a request pending', async () => {
    h = await startBroker();
    const backend = await h.backend(() => null);
    const attempt = h.attempt('/ws/r');
    await backend.waitFrame((f) => f.action === 'connection_request', 'connection_request');
    backend.close();
    expect(await attempt).toMatchObject({ kind: 'http', status: 503 });
  });

  it('forgets a pending request when the client goes away first', async () => {
    h = await startBroker();
    const backend = await h.backend(() => null);
    const socket = connect(h.addresses.wsPort, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(
      'GET /ws/r HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    const req = await backend.waitFrame((f) => f.action === 'connection_request', 'connection_request');
    expect(h.broker.stats().pendingConnectionRequests).toBe(1);
    socket.destroy();
    await waitFor(() => h.broker.stats().pendingConnectionRequests === 0, 'pending request dropped');
    backend.send('response', { accepted: true, client_id: 'late' }, req.request_id);
    backend.send('message_to_connection', { conn_id: 'late', message: 'nobody' });
    backend.decide = acceptAll;
    const c = await h.client('/ws/r?id=after');
    expect(h.broker.stats().clients).toBe(1);
    expect(c.closed).toBe(false);
  });

  it('reports a client whose connection is reset after the upgrade as gone (1006), and harms no one else', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const other = await h.client('/ws/r?id=stays');
    const c = await h.client('/ws/r?id=reset');
    // An RST: the broker's side of the socket errors (ECONNRESET), which ws alone now handles.
    (c.ws as unknown as { _socket: Socket })._socket.resetAndDestroy();
    const gone = await backend.waitFrame((f) => f.action === 'disconnected' && f.params.context?.client_id === 'reset', 'disconnected of the reset client');
    expect(gone.params.code).toBe(1006);
    backend.send('message_to_connection', { conn_id: 'stays', message: 'still here' });
    await other.waitMessage('still here');
    expect(h.broker.stats().clients).toBe(1);
    expect((await h.http('/healthz')).status).toBe(200);
  });

  it('answers 502 to the client when the backend response has wrong params', async () => {
    h = await startBroker();
    const backend = await h.backend(() => ({ accepted: 'yes' }));
    await backend.hello();
    const attempt = await h.attempt('/ws/r');
    expect(attempt).toMatchObject({ kind: 'http', status: 502 });
    // End users get a generic reason; the validation details go to the backend and the log.
    expect(attempt.kind === 'http' ? attempt.body : '').not.toMatch(/accepted|params|boolean/);
    const err = await backend.waitFrame((f) => f.action === 'error_reply', 'error_reply');
    expect(err.params).toMatchObject({ code: 'invalid_params', action: 'response' });
    expect(String(err.params.message)).toMatch(/accepted/);
  });

  it('refuses a non-WebSocket upgrade with 400 without asking a backend', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const socket = connect(h.addresses.wsPort, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.write('GET /ws/r HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
    await waitFor(() => text.includes('\r\n\r\n'), 'HTTP answer');
    expect(text.startsWith('HTTP/1.1 400')).toBe(true);
    socket.destroy();
    expect(backend.of('connection_request')).toHaveLength(0);
  });
});

describe('HTTP endpoints', () => {
  it('serves /healthz as JSON, /metrics as Prometheus text, and 426 elsewhere', async () => {
    h = await startBroker();
    await h.backend();
    await h.client('/ws/r?id=x');
    const health = await h.http('/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok', clients: 1, rooms: 1, backends: 1, queue_length: 0 });
    const metrics = await h.http('/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    for (const name of [
      'strands_connections',
      'strands_messages_in_total',
      'strands_messages_out_total',
      'strands_fanout_deliveries_total',
      'strands_queue_length',
      'strands_queue_dropped_total',
      'strands_backends',
      'strands_rejected_connections_total',
    ]) {
      expect(metrics.body).toContain(`# TYPE ${name} `);
    }
    const other = await h.http('/anything');
    expect(other.status).toBe(426);
  });
});
