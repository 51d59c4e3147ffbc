// Backends: hello and tokens, spreading and affinity, per-client order, loss, heartbeats, bad frames.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { RawBackend, startBroker, waitFor, type Harness, type WireFrame } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

/** Makes a raw backend echo every message back to its sender. */
function echo(backend: RawBackend): void {
  backend.socket.on('data', () => {
    for (const f of backend.frames.splice(0)) {
      if (f.action === 'new_message') backend.send('message_to_connection', { conn_id: f.params.context.client_id, message: f.params.message });
      seen.get(backend)?.push(f);
    }
  });
  seen.set(backend, []);
}
const seen = new Map<RawBackend, WireFrame[]>();

describe('backends', () => {
  it('keeps each client on one backend and its 1,000 messages in order across three backends', async () => {
    h = await startBroker();
    const backends = [await h.backend(), await h.backend(), await h.backend()];
    backends.forEach(echo);
    const clients = await Promise.all(Array.from({ length: 10 }, (_, i) => h.client(`/ws/r?id=c${i}`)));
    for (let n = 0; n < 100; n += 1) for (const [i, c] of clients.entries()) c.send(`c${i}-${n}`);
    await waitFor(() => clients.every((c) => c.messages.length === 100), 'all 1,000 echoes');
    for (const [i, c] of clients.entries()) {
      expect(c.messages).toEqual(Array.from({ length: 100 }, (_, n) => `c${i}-${n}`));
      const owners = backends.filter((b) => seen.get(b)?.some((f) => f.params.context?.client_id === `c${i}`));
      expect(owners).toHaveLength(1);
    }
    const used = backends.filter((b) => (seen.get(b)?.length ?? 0) > 0);
    expect(used.length).toBeGreaterThanOrEqual(2);
  });

  it('moves the clients of a lost backend to another one', async () => {
    h = await startBroker();
    const first = await h.backend();
    const c = await h.client('/ws/r?id=mover');
    const owner = await waitFor(() => (first.of('new_connection').length > 0 ? first : undefined), 'new_connection');
    const second = await h.backend();
    owner.close();
    await waitFor(() => h.broker.stats().backends === 1, 'one backend left');
    c.send('after loss');
    const msg = await second.waitFrame((f) => f.action === 'new_message', 'message at the survivor');
    expect(msg.params.message).toBe('after loss');
    expect(msg.params.context.client_id).toBe('mover');
  });

  it('sends heartbeat frames with request_id "heartbeat"', async () => {
    h = await startBroker({ heartbeatIntervalMs: 30 });
    const backend = await h.backend();
    const beat = await backend.waitFrame((f) => f.action === 'heartbeat', 'heartbeat');
    expect(beat).toEqual({ action: 'heartbeat', request_id: 'heartbeat', params: {} });
  });

  it('drops a backend that stops reading (heartbeat sees its bytes stuck) and queues for the next', async () => {
    h = await startBroker({ heartbeatIntervalMs: 500 });
    const stuck = await h.backend();
    const c = await h.client('/ws/r?id=big');
    stuck.socket.pause();
    const chunk = 'x'.repeat(512 * 1024);
    let sent = 0;
    // Keep sending until the broker gives up on the backend; loopback buffers hold a few MB.
    await waitFor(() => {
      if (h.broker.stats().backends === 0) return true;
      // 40 MB: several times what loopback socket buffers hold.
      if (sent < 80 && c.ws.bufferedAmount === 0) {
        c.send(chunk);
        sent += 1;
      }
      return false;
    }, 'stuck backend dropped', 30_000);
    expect((await h.http('/metrics')).body).toMatch(/^strands_backends_dropped_total 1$/m);
    c.send('later');
    const next = await h.backend();
    await waitFor(() => next.frames.find((f) => f.params.message === 'later'), 'queued message at next backend', 30_000);
  });

  it('drops a backend whose outbound buffer passes the bound with what pausing clients cannot hold back', async () => {
    // Client events stop at the high-water mark (their clients are paused): here the bytes are
    // the backend's own error replies, piling up while it writes bad frames and reads nothing.
    h = await startBroker({ maxBackendBufferBytes: 256 * 1024, heartbeatIntervalMs: 60_000 });
    const stuck = await h.backend();
    await stuck.hello();
    stuck.socket.pause();
    const bad = `${JSON.stringify({ action: 'no_such_action', request_id: 'r'.repeat(200), params: {} })}\n`.repeat(100);
    let sent = 0;
    await waitFor(() => {
      if (h.broker.stats().backends === 0) return true;
      if (sent < 5_000 && stuck.socket.writableLength === 0) {
        stuck.raw(bad);
        sent += 1;
      }
      return false;
    }, 'overflowing backend dropped', 30_000);
    expect((await h.http('/metrics')).body).toMatch(/^strands_backends_dropped_total 1$/m);
  });

  it('drops a backend process that dies (SIGKILL) and keeps serving with the rest', async () => {
    h = await startBroker();
    const script = `
      const s = require('net').connect(${h.addresses.tcpPort}, '127.0.0.1');
      s.on('connect', () => process.stdout.write('up\\n'));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await waitFor(() => h.broker.stats().backends === 1, 'child backend ready');
    const live = await h.backend();
    expect(h.broker.stats().backends).toBe(2);
    child.kill('SIGKILL');
    await waitFor(() => h.broker.stats().backends === 1, 'dead backend dropped');
    const c = await h.client('/ws/r?id=ok');
    c.send('ping');
    await live.waitFrame((f) => f.action === 'new_message', 'message at the live backend');
  });
});

describe('hello and tokens', () => {
  it('answers hello with hello_reply, and a hello is optional without a token', async () => {
    h = await startBroker();
    const quiet = await h.backend();
    const c = await h.client('/ws/r?id=q');
    c.send('works without hello');
    await quiet.waitFrame((f) => f.action === 'new_message', 'message');
    const reply = await quiet.hello();
    expect(reply.params).toMatchObject({ accepted: true, protocol_version: 1 });
    expect(reply.params.broker).toMatch(/^strands-broker\//);
  });

  it('with a token, acts on nothing before a hello carrying it', async () => {
    h = await startBroker({ backendToken: 's3cret' });
    const intruder = await RawBackend.connect(h.addresses.tcpPort);
    const listener = await h.attempt('/ws/r');
    expect(listener).toMatchObject({ kind: 'http', status: 503 });
    const id = intruder.send('broadcast', { message: 'spam' });
    const refused = await intruder.waitFrame((f) => f.action === 'error_reply' && f.request_id === id, 'unauthorized');
    expect(refused.params.code).toBe('unauthorized');
    const wrong = await intruder.hello('nope');
    expect(wrong.params.accepted).toBe(false);
    await waitFor(() => intruder.closed, 'intruder closed');

    const good = await RawBackend.connect(h.addresses.tcpPort);
    expect((await good.hello('s3cret')).params.accepted).toBe(true);
    await waitFor(() => h.broker.stats().backends === 1, 'authorized backend ready');
    const c = await h.client('/ws/r?id=in');
    good.send('broadcast', { message: 'legit' });
    await c.waitMessage('legit');
    expect(c.messages).toEqual(['legit']);
  });
});

describe('bad backend frames', () => {
  it('answers each bad frame of a hello backend with error_reply and carries on', async () => {
    h = await startBroker({ maxBackendLineBytes: 1024 });
    const backend = await h.backend();
    await backend.hello();
    const c = await h.client('/ws/r?id=c');
    backend.raw('{not json\n');
    backend.raw('[1,2]\n');
    backend.send('message_to_room', { room_id: 'r', message: 42 }, 'wrong-type');
    backend.send('message_to_connection', { message: 'no target' }, 'missing');
    backend.send('teleport', { to: 'mars' }, 'unknown');
    backend.send('broadcast', { message: 'z'.repeat(4096) }, 'too-big');
    backend.send('disconnect_connection', { conn_id: 'c', code: 1234 }, 'bad-code');
    backend.send('broadcast', { message: 'still alive' });
    await c.waitMessage('still alive');
    const replies = await waitFor(() => {
      const r = backend.of('error_reply');
      return r.length >= 7 ? r : undefined;
    }, 'seven error replies');
    const codes = replies.map((r) => [r.request_id, r.params.code]);
    expect(codes).toEqual([
      ['', 'invalid_json'],
      ['', 'invalid_frame'],
      ['wrong-type', 'invalid_params'],
      ['missing', 'invalid_params'],
      ['unknown', 'unknown_action'],
      ['', 'frame_too_large'],
      ['bad-code', 'invalid_params'],
    ]);
    expect(replies[2]?.params.message).toMatch(/params\.message must be a string/);
    expect(c.messages).toEqual(['still alive']);
    expect(c.closed).toBe(false);
  });

  it('only logs bad frames of a backend that never said hello, and keeps it', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const c = await h.client('/ws/r?id=c');
    backend.raw('garbage\n');
    backend.send('message_to_room', { room_id: 5, message: 'x' });
    backend.send('new_thing', {});
    backend.send('message_to_room', { room_id: 'r', message: 'fine' });
    await c.waitMessage('fine');
    expect(backend.of('error_reply')).toHaveLength(0);
    expect((await h.http('/metrics')).body).toMatch(/^strands_backend_frame_errors_total 3$/m);
    expect(h.broker.stats().backends).toBe(1);
  });
});
