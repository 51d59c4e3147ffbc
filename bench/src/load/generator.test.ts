// The load generator against a real bare `ws` server child process, over loopback.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startWsBaseline, type Stack } from '../scenarios/stacks.js';
import { runLoad } from './generator.js';
import type { LoadSpec } from './types.js';

const base = (url: string): LoadSpec => ({
  mode: 'ping-pong',
  url,
  clients: 10,
  workers: 2,
  warmupMs: 50,
  durationMs: 300,
  drainMs: 2_000,
  messageBytes: 64,
  connectConcurrency: 5,
});

describe('runLoad against an echo server', () => {
  let echo: Stack;
  beforeAll(async () => {
    echo = await startWsBaseline('echo');
  });
  afterAll(() => echo.stop());

  it('ping-pong: every message sent in the window gets its own reply back', async () => {
    const r = await runLoad(base(`${echo.baseUrl}/ws/a`));
    expect(r.connected).toBe(10);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.received).toBe(r.sent);
    expect(r.lost).toBe(0);
    expect(r.mismatched).toBe(0);
    expect(r.stalled).toBe(0);
    expect(r.latency.count).toBe(r.received);
    expect(r.latency.p50Ms).toBeGreaterThan(0);
    expect(r.latency.p99Ms).toBeGreaterThanOrEqual(r.latency.p50Ms);
  });

  it('open loop: sends on schedule and gets every message back', async () => {
    const r = await runLoad({ ...base(`${echo.baseUrl}/ws/a`), mode: 'open-loop', ratePerSec: 2_000 });
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThanOrEqual(2_000); // never more than the rate allows in 0.3 s, plus slack
    expect(r.received).toBe(r.sent);
    expect(r.mismatched).toBe(0);
  });

  it('idle: calls onConnected with every client connected, then ends', async () => {
    let seen = -1;
    const r = await runLoad({ ...base(`${echo.baseUrl}/ws/a`), mode: 'idle', clients: 25 }, {
      onConnected: async (count) => {
        seen = count;
      },
    });
    expect(seen).toBe(25);
    expect(r).toMatchObject({ connected: 25, sent: 0, dropped: 0 });
  });

  it('fails with connect_failed when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const port = typeof address === 'object' && address !== null ? address.port : 1;
    await expect(runLoad({ ...base(`ws://127.0.0.1:${port}/ws/a`), clients: 2 })).rejects.toMatchObject({
      name: 'BenchError',
      code: 'connect_failed',
    });
  });
});

describe('runLoad fan-out against a room server', () => {
  let room: Stack;
  beforeAll(async () => {
    room = await startWsBaseline('room');
  });
  afterAll(() => room.stop());

  it('delivers every message of the sender to every receiver, on both workers', async () => {
    const r = await runLoad({ ...base(`${room.baseUrl}/ws/r`), mode: 'fan-out', clients: 6, inFlight: 4 });
    expect(r.connected).toBe(7);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.received).toBe(r.sent * 6);
    expect(r.lost).toBe(0);
    expect(r.latency.count).toBe(r.received);
  });
});

describe('runLoad fan-out flow control', () => {
  // A room where the sender's own copy comes back at once and every other receiver gets the
  // message 40 ms later: in flight must last until the last receiver has it.
  const DELAY_MS = 40;
  let server: WebSocketServer;
  let url: string;
  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    const clients = new Set<WebSocket>();
    server.on('connection', (ws) => {
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      ws.on('message', (data) => {
        ws.send(data);
        setTimeout(() => {
          for (const other of clients) if (other !== ws) other.send(data);
        }, DELAY_MS);
      });
    });
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address();
    url = `ws://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/ws/r`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('keeps a message in flight until its last receiver has it, not the sender\'s own copy', async () => {
    const inFlight = 2;
    const r = await runLoad({ ...base(url), mode: 'fan-out', clients: 4, inFlight, warmupMs: 0, durationMs: 400 });
    // At most inFlight messages per DELAY_MS (plus the first batch); counting from the sender's
    // own copy would send thousands.
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThanOrEqual(inFlight * (Math.ceil(400 / DELAY_MS) + 1));
    expect(r.received).toBe(r.sent * 4);
    expect(r.lost).toBe(0);
  });
});
