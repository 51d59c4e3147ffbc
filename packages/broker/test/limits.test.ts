// Limits: oversize and invalid client frames, slow clients with bounded buffers, dead clients found by ping.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { rawUpgrade, startBroker, waitFor, type Harness } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

describe('client limits', () => {
  it('closes a client that sends a message over maxMessageBytes with 1009, and only that client', async () => {
    h = await startBroker({ maxMessageBytes: 1024 });
    const backend = await h.backend();
    const big = await h.client('/ws/r?id=big');
    const other = await h.client('/ws/r?id=other');
    big.send('x'.repeat(2000));
    expect(await big.waitClose()).toBe(1009);
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected');
    expect(gone.params).toMatchObject({ context: { client_id: 'big' }, code: 1009 });
    expect(backend.of('new_message')).toHaveLength(0);
    other.send('x'.repeat(1000));
    await backend.waitFrame((f) => f.action === 'new_message', 'message under the limit');
  });

  it('closes a client that sends invalid UTF-8 in a text frame with 1007', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const c = await h.client('/ws/r?id=bad');
    c.ws.send(Buffer.from([0xc3, 0x28]), { binary: false });
    expect(await c.waitClose()).toBe(1007);
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected');
    expect(gone.params.code).toBe(1007);
  });

  it('closes a client that does not read with 1013, keeps memory bounded, and keeps serving the others', async () => {
    h = await startBroker({ maxClientBufferBytes: 512 * 1024, pingIntervalMs: 0 });
    const backend = await h.backend();
    const slow = await rawUpgrade(h.addresses.wsPort, '/ws/room?id=slow');
    const fast = new WebSocket(h.url('/ws/room?id=fast'));
    let received = 0;
    let bytes = 0;
    fast.on('message', (data: Buffer) => {
      received += 1;
      bytes += data.length;
    });
    await new Promise((resolve) => fast.once('open', resolve));
    await waitFor(() => h.broker.stats().clients === 2, 'two clients');
    const chunk = 'm'.repeat(64 * 1024);
    const total = 400; // 25 MB through a room where one member never reads
    let maxBuffered = 0;
    for (let i = 0; i < total; i += 1) {
      backend.send('message_to_room', { room_id: 'room', message: chunk });
      if (i % 10 === 9) {
        await waitFor(() => received >= i - 10, 'fast client keeping up');
        maxBuffered = Math.max(maxBuffered, h.broker.stats().clientBufferedBytes);
      }
    }
    // Bounded: the limit plus about one turn of frames, not the 25 MB sent.
    expect(maxBuffered).toBeLessThan(4 * 1024 * 1024);
    await waitFor(() => received === total, 'every message at the fast client');
    expect(bytes).toBe(total * chunk.length);
    const gone = await backend.waitFrame((f) => f.action === 'disconnected' && f.params.context.client_id === 'slow', 'slow dropped');
    expect(gone.params.code).toBe(1013);
    expect((await h.http('/metrics')).body).toMatch(/^strands_slow_client_closes_total 1$/m);
    expect(h.broker.stats().clients).toBe(1);
    slow.destroy();
    fast.terminate();
  });

  it('drops a client that stops answering pings and reports it as disconnected', async () => {
    h = await startBroker({ pingIntervalMs: 50 });
    const backend = await h.backend();
    const deaf = await rawUpgrade(h.addresses.wsPort, '/ws/r?id=deaf');
    const alive = await h.client('/ws/r?id=alive');
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected');
    expect(gone.params).toMatchObject({ context: { client_id: 'deaf' }, code: 1006, reason: 'ping timeout' });
    expect(alive.closed).toBe(false);
    // Several more ping rounds: the client that answers stays.
    await waitFor(() => h.broker.stats().clients === 1, 'one client left');
    alive.send('still here');
    await backend.waitFrame((f) => f.action === 'new_message', 'message from the live client');
    expect(alive.closed).toBe(false);
    deaf.destroy();
  });

  it('drops no client for a pong that came while the broker itself was held up', async () => {
    h = await startBroker({ pingIntervalMs: 50 });
    const backend = await h.backend();
    const client = new WebSocket(h.url('/ws/r?id=answers'), { autoPong: false });
    await new Promise((resolve) => client.once('open', resolve));
    await backend.waitFrame((f) => f.action === 'new_connection', 'new_connection');
    let stalls = 0;
    client.on('ping', (data: Buffer) => {
      client.pong(data);
      if (stalls > 0) return;
      stalls += 1;
      // Hold the whole process for four ping intervals right after answering, as a long GC pause
      // would hold the broker: the pong waits unread in its socket, and timers run before I/O.
      const until = Date.now() + 200;
      while (Date.now() < until) {
        // busy
      }
    });
    await waitFor(() => stalls === 1, 'the stall');
    await new Promise((resolve) => setTimeout(resolve, 300)); // six more ping rounds, every one answered
    expect(h.broker.stats().clients).toBe(1);
    expect(backend.frames.filter((f) => f.action === 'disconnected')).toEqual([]);
    client.close();
  });
});
