// One client flooding must not take the others down: rate limits pause and close it, and a backend that falls behind pauses clients instead of being dropped.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { acceptedFrame, confirmFrame } from '@strands/protocol/wire';
import type { BrokerOptions } from '../src/index.js';
import { RawBackend, startBroker, waitFor, type Harness } from './support/harness.js';

let h: Harness | undefined;
let stops: (() => void)[] = [];
afterEach(async () => {
  for (const stop of stops) stop();
  stops = [];
  await h?.cleanup();
  h = undefined;
});

/** A logger whose JSON lines the test reads. */
function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/**
 * Makes `backend` echo each client message to its sender (but `skipClient`'s); with
 * `slowEveryMs`, a slow but live reader: its socket is read for one turn every `slowEveryMs`
 * (the kernel's window then holds the broker back).
 */
function echoing(backend: RawBackend, skipClient: string, slowEveryMs?: number): void {
  const reader =
    slowEveryMs === undefined
      ? undefined
      : setInterval(() => {
          backend.socket.resume();
          setImmediate(() => backend.socket.pause());
        }, slowEveryMs);
  if (reader !== undefined) backend.socket.pause();
  let seen = 0;
  const echo = setInterval(() => {
    for (; seen < backend.frames.length; seen += 1) {
      const f = backend.frames[seen];
      if (f?.action !== 'new_message' || f.params.context.client_id === skipClient) continue;
      backend.send('message_to_connection', { conn_id: f.params.context.client_id, message: f.params.message });
    }
  }, 2);
  stops.push(() => {
    clearInterval(reader);
    clearInterval(echo);
  });
}

/** A client that sends `count` messages of 100 bytes at once, as fast as ws writes them. */
async function flooder(url: string, count: number): Promise<{ ws: WebSocket; closed: Promise<{ code: number; reason: string }> }> {
  const ws = new WebSocket(url);
  ws.on('error', () => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise((resolve) => ws.once('open', resolve));
  const payload = 'f'.repeat(92);
  for (let i = 0; i < count; i += 1) ws.send(`${String(i).padStart(7, '0')} ${payload}`);
  return { ws, closed };
}

/** Ten well-behaved clients in rooms of their own, each sending `series` numbered messages and collecting the echoes. */
async function wellBehaved(harness: Harness, clients: number, series: number): Promise<() => Promise<void>> {
  const all = await Promise.all(Array.from({ length: clients }, (_, i) => harness.client(`/ws/room-${i}?id=good-${i}`)));
  all.forEach((c, i) => {
    for (let n = 1; n <= series; n += 1) c.send(`good-${i} #${n}`);
  });
  return async () => {
    for (const [i, c] of all.entries()) {
      await waitFor(() => c.messages.length >= series, `good-${i}'s ${series} echoes`, 60_000);
      expect(c.messages).toEqual(Array.from({ length: series }, (_, n) => `good-${i} #${n + 1}`));
      expect(c.closed).toBe(false);
    }
  };
}

async function metric(harness: Harness, name: string): Promise<number> {
  const body = (await harness.http('/metrics')).body;
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(body);
  if (match === null) throw new Error(`no metric ${name}`);
  return Number(match[1]);
}

/** A slow backend holding less than its buffer bound would take today: small enough that a flood fills it. */
const SMALL_BACKEND_BUFFER: BrokerOptions = { maxBackendBufferBytes: 256 * 1024, pingIntervalMs: 0 };

describe('per-client rate limits', () => {
  it('pause a client over its limits without dropping anything it sent', async () => {
    h = await startBroker({ clientMessagesPerSecond: 2000, clientMessageBurst: 200, clientOverLimitCloseMs: 0, pingIntervalMs: 0 });
    const backend = await h.backend();
    echoing(backend, 'burst');
    const burst = await flooder(h.url('/ws/burst?id=burst'), 3000);
    await waitFor(() => backend.of('new_message').length === 3000, 'all 3,000 at the backend', 60_000);
    const got = backend.of('new_message').map((f) => Number(String(f.params.message).slice(0, 7)));
    expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(await metric(h, 'strands_client_rate_limited_total')).toBeGreaterThan(0);
    expect(await metric(h, 'strands_client_rate_limit_closes_total')).toBe(0);
    expect(burst.ws.readyState).toBe(WebSocket.OPEN);
    burst.ws.terminate();
  });

  it("pass on the rest of a socket read at the client's rate, not as a burst each time it is read again", async () => {
    const rate = 2000;
    const burst = 100;
    h = await startBroker({ clientMessagesPerSecond: rate, clientMessageBurst: burst, clientBytesPerSecond: 0, clientOverLimitCloseMs: 0, pingIntervalMs: 0 });
    const backend = await h.backend();
    // Each chunk the backend reads: when, and how many of the flooder's messages it had by then.
    const seen: { at: number; count: number }[] = [];
    backend.socket.on('data', () => seen.push({ at: Date.now(), count: backend.of('new_message').length }));
    const openedAt = Date.now();
    await flooder(h.url('/ws/burst?id=burst'), 4000);
    await waitFor(() => backend.of('new_message').length === 4000, 'all 4,000 at the backend', 60_000);
    // The bucket starts full no earlier than the client opened, so by any time t at most
    // burst + rate * (t - openedAt) messages can have been let through (+ the one that goes into
    // debt, and a clock tick). A socket read of some 650 messages let through at once breaks it.
    const allowed = (at: number) => burst + (rate * (at - openedAt + 2)) / 1000 + 2;
    const over = seen.filter((s) => s.count > allowed(s.at));
    expect(over.slice(0, 3)).toEqual([]);
    const got = backend.of('new_message').map((f) => Number(String(f.params.message).slice(0, 7)));
    expect(got).toEqual(Array.from({ length: 4000 }, (_, i) => i));
  });

  it('pass on what they held before the disconnect of a client that closes while over its rate', async () => {
    h = await startBroker({ clientMessagesPerSecond: 50, clientMessageBurst: 10, clientBytesPerSecond: 0, clientOverLimitCloseMs: 0, pingIntervalMs: 0 });
    const backend = await h.backend();
    // 200 messages of 100 bytes and the close frame: mostly one socket read, so most are held when the close comes.
    const burst = await flooder(h.url('/ws/burst?id=burst'), 200);
    burst.ws.close(1000, 'done');
    const gone = await backend.waitFrame((f) => f.action === 'disconnected' && f.params.context.client_id === 'burst', 'burst disconnected');
    const events = backend.frames.filter((f) => f.params?.context?.client_id === 'burst').map((f) => f.action);
    expect(events.at(-1)).toBe('disconnected');
    expect(gone.params.code).toBe(1000);
    const got = backend.of('new_message').map((f) => Number(String(f.params.message).slice(0, 7)));
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('keep each confirmed send with its own confirm frame while its frames are held', async () => {
    h = await startBroker({ clientMessagesPerSecond: 1000, clientMessageBurst: 20, clientBytesPerSecond: 0, clientOverLimitCloseMs: 0, pingIntervalMs: 0 });
    const backend = await h.backend();
    const client = await h.client('/ws/r?id=confirms', { protocols: ['strands.v1'] });
    for (let id = 1; id <= 300; id += 1) {
      client.send(confirmFrame(id));
      client.send(`m${id}`);
    }
    await waitFor(() => (client.messages.length >= 300 ? true : undefined), '300 answers', 30_000);
    expect(client.messages).toEqual(Array.from({ length: 300 }, (_, i) => acceptedFrame(i + 1, false)));
    expect(backend.of('new_message').map((f) => f.params.message)).toEqual(Array.from({ length: 300 }, (_, i) => `m${i + 1}`));
    expect(await metric(h, 'strands_client_rate_limited_total')).toBeGreaterThan(0);
  });

  it('close a client that stays over them with 1008; ten others in other rooms get every echo', async () => {
    const { logger, lines } = capturedLogger();
    h = await startBroker({ logger, clientMessagesPerSecond: 500, clientMessageBurst: 500, clientOverLimitCloseMs: 1000, pingIntervalMs: 0 });
    const backend = await h.backend();
    echoing(backend, 'flood');
    const flood = await flooder(h.url('/ws/flood?id=flood'), 20_000);
    const check = await wellBehaved(h, 10, 30);
    await check();
    expect(await flood.closed).toEqual({ code: 1008, reason: 'rate limit exceeded' });
    const gone = await backend.waitFrame((f) => f.action === 'disconnected' && f.params.context.client_id === 'flood', 'flooder disconnected');
    expect(gone.params.code).toBe(1008);
    expect(await metric(h, 'strands_client_rate_limit_closes_total')).toBe(1);
    expect(lines.filter((l) => l.includes('stayed over its rate limit'))).toHaveLength(1);
    flood.ws.terminate();
  });
});

describe('one client flooding', () => {
  it('is paused, then closed with 1008; ten others in other rooms get every echo; the slow backend is never dropped', async () => {
    const { logger, lines } = capturedLogger();
    h = await startBroker({
      ...SMALL_BACKEND_BUFFER,
      logger,
      clientMessagesPerSecond: 500,
      clientMessageBurst: 500,
      clientOverLimitCloseMs: 1000,
    });
    const backend = await h.backend();
    echoing(backend, 'flood', 10);
    const flood = await flooder(h.url('/ws/flood?id=flood'), 20_000);
    const check = await wellBehaved(h, 10, 30);
    await check();
    expect(await flood.closed).toEqual({ code: 1008, reason: 'rate limit exceeded' });
    const gone = await backend.waitFrame((f) => f.action === 'disconnected' && f.params.context.client_id === 'flood', 'flooder disconnected');
    expect(gone.params.code).toBe(1008);
    // What the flooder got in before the close reached the backend whole and in order.
    const got = backend.of('new_message').filter((f) => f.params.context.client_id === 'flood').map((f) => Number(String(f.params.message).slice(0, 7)));
    expect(got.length).toBeLessThan(20_000);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i));
    expect(await metric(h, 'strands_client_rate_limited_total')).toBeGreaterThan(0);
    expect(await metric(h, 'strands_client_rate_limit_closes_total')).toBe(1);
    expect(await metric(h, 'strands_backends_dropped_total')).toBe(0);
    expect(await metric(h, 'strands_backend_connections_total')).toBe(1);
    expect(await metric(h, 'strands_queue_dropped_total')).toBe(0);
    expect(backend.closed).toBe(false);
    expect(lines.filter((l) => l.includes('"backend gone"'))).toEqual([]);
    // Logged, but not per message.
    expect(lines.filter((l) => l.includes('over its rate limit')).length).toBeLessThan(10);
    flood.ws.terminate();
  });

  it('without rate limits, a backend that falls behind pauses its clients instead of being dropped: nothing is lost', async () => {
    const { logger, lines } = capturedLogger();
    h = await startBroker({ ...SMALL_BACKEND_BUFFER, logger, clientMessagesPerSecond: 0, clientBytesPerSecond: 0 });
    const backend = await h.backend();
    echoing(backend, 'flood', 10);
    const flood = await flooder(h.url('/ws/flood?id=flood'), 20_000);
    const check = await wellBehaved(h, 10, 30);
    await check();
    await waitFor(() => backend.of('new_message').filter((f) => f.params.context.client_id === 'flood').length === 20_000, 'every flood message at the backend', 60_000);
    const got = backend.of('new_message').filter((f) => f.params.context.client_id === 'flood').map((f) => Number(String(f.params.message).slice(0, 7)));
    expect(got).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(await metric(h, 'strands_backend_behind_total')).toBeGreaterThan(0);
    expect(await metric(h, 'strands_backends_dropped_total')).toBe(0);
    expect(await metric(h, 'strands_backend_connections_total')).toBe(1);
    expect(await metric(h, 'strands_queue_dropped_total')).toBe(0);
    expect(backend.closed).toBe(false);
    expect(lines.filter((l) => l.includes('"backend gone"'))).toEqual([]);
    flood.ws.terminate();
  });

  it('still drops a backend that stalled (reads nothing at all), and its paused clients go on with another backend', async () => {
    h = await startBroker({ ...SMALL_BACKEND_BUFFER, heartbeatIntervalMs: 200, clientMessagesPerSecond: 0, clientBytesPerSecond: 0 });
    const stalled = await h.backend();
    const client = await h.client('/ws/r?id=c');
    const next = await h.backend();
    stalled.socket.pause();
    const payload = 'p'.repeat(1000);
    for (let i = 0; i < 5000; i += 1) client.send(`${i} ${payload}`);
    await waitFor(async () => ((await metric(h!, 'strands_backend_behind_total')) > 0 ? true : undefined), 'backend behind');
    // (A paused socket does not see its end: the broker's count tells.)
    await waitFor(async () => ((await metric(h!, 'strands_backends_dropped_total')) === 1 ? true : undefined), 'stalled backend dropped');
    // Its client is read again and its events go to the other backend, in order (what the dead one took is lost: at most once).
    client.send('after');
    await next.waitFrame((f) => f.action === 'new_message' && f.params.message === 'after', 'the client read again');
    const seen = next.of('new_message').map((f) => f.params.message as string);
    const numbers = seen.slice(0, -1).map((m) => Number(m.split(' ')[0]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });
});
