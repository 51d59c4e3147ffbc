// The offline queue: order, overflow policies and counting, and flushes interrupted by another loss.
import { describe, expect, it, afterEach } from 'vitest';
import { EventQueue } from '../src/core/event-queue.js';
import { RawBackend, startBroker, waitFor, type Harness } from './support/harness.js';

describe('EventQueue', () => {
  it('keeps order, drops the newest when full by default, and takes events back at the front', () => {
    const q = new EventQueue<string>(3, 'drop-newest');
    for (const line of ['a', 'b', 'c']) expect(q.push(line, 'o').queued).toBe(true);
    expect(q.push('d', 'o').queued).toBe(false);
    expect(q.shift()?.line).toBe('a');
    q.prepend([
      { line: 'x', owner: 'o' },
      { line: 'y', owner: 'o' },
    ]);
    expect([q.shift(), q.shift(), q.shift(), q.shift(), q.shift()].map((e) => e?.line)).toEqual(['x', 'y', 'b', 'c', undefined]);
  });

  it('drops the oldest under drop-oldest, and everything when capacity is 0', () => {
    const q = new EventQueue<null>(2, 'drop-oldest');
    q.push('1', null);
    q.push('2', null);
    expect(q.push('3', null).evicted.map((e) => e.line)).toEqual(['1']);
    expect([q.shift()?.line, q.shift()?.line]).toEqual(['2', '3']);
    const off = new EventQueue<null>(0, 'drop-newest');
    expect(off.push('x', null).queued).toBe(false);
    expect(off.length).toBe(0);
  });

  it('bounds new events by bytes too: drop-oldest evicts until the new one fits, a line over the bound is refused', () => {
    const q = new EventQueue<null>(100, 'drop-oldest', 10);
    for (const line of ['aaa', 'bbb', 'ccc']) expect(q.push(line, null).queued).toBe(true);
    expect(q.bytes).toBe(9);
    expect(q.push('dddddd', null).evicted.map((e) => e.line)).toEqual(['aaa', 'bbb']);
    expect([q.length, q.bytes]).toEqual([2, 9]);
    expect(q.push('x'.repeat(11), null)).toEqual({ queued: false, evicted: [] });
    const strict = new EventQueue<null>(100, 'reject', 4);
    expect(strict.push('é', null).queued).toBe(true); // two UTF-8 bytes
    expect(strict.push('éé', null).queued).toBe(false);
    strict.prepend([{ line: 'taken back, over the bound', owner: null }]);
    expect(strict.length).toBe(2);
    strict.shift();
    strict.shift();
    expect([strict.length, strict.bytes]).toEqual([0, 0]);
  });

  it('does not count events given back against the bounds of new ones, nor drop them for room', () => {
    const q = new EventQueue<string>(2, 'drop-oldest', 100);
    q.push('n1', 'o');
    q.push('n2', 'o');
    q.prepend([
      { line: 'owed1', owner: 'stuck' },
      { line: 'owed2', owner: 'stuck' },
      { line: 'owed3', owner: 'stuck' },
    ]);
    expect([q.length, q.owedLength]).toEqual([5, 3]);
    // Full with two new ones: the oldest new one goes, the owed ones stay.
    expect(q.push('n3', 'o').evicted.map((e) => e.line)).toEqual(['n1']);
    const reject = new EventQueue<string>(2, 'reject');
    reject.prepend(Array.from({ length: 50 }, (_, i) => ({ line: `owed${i}`, owner: 'stuck' })));
    expect(reject.push('new', 'o').queued).toBe(true); // 50 owed, yet room for two new
    expect(reject.push('new2', 'o').queued).toBe(true);
    expect(reject.push('new3', 'o').queued).toBe(false);
    const lines: string[] = [];
    for (let e = q.shift(); e !== undefined; e = q.shift()) lines.push(e.line);
    expect(lines).toEqual(['owed1', 'owed2', 'owed3', 'n2', 'n3']);
    expect([q.owedLength, q.bytes]).toEqual([0, 0]);
  });

  it('stays correct over many pushes and shifts (compaction)', () => {
    const q = new EventQueue<number>(5000, 'drop-newest');
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 20; round += 1) {
      for (let i = 0; i < 300; i += 1) q.push(String(next++), 0);
      for (let i = 0; i < 250; i += 1) expect(q.shift()?.line).toBe(String(expected++));
    }
    expect(q.length).toBe(next - expected);
  });
});

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

/** A broker with one accepted client whose backend then went away. */
async function orphanedClient(options: Parameters<typeof startBroker>[0] = {}) {
  h = await startBroker(options);
  const first = await h.backend();
  const client = await h.client('/ws/r?id=q');
  await first.waitFrame((f) => f.action === 'new_connection', 'new_connection');
  first.close();
  await waitFor(() => h.broker.stats().backends === 0, 'backend gone');
  return client;
}

describe('queue while no backend is connected', () => {
  it('keeps events in order and flushes them in order to the next backend', async () => {
    const client = await orphanedClient();
    for (let i = 0; i < 50; i += 1) client.send(`m${i}`);
    await waitFor(() => h.broker.stats().queueLength === 50, '50 queued');
    client.close();
    await waitFor(() => h.broker.stats().queueLength === 51, 'disconnected queued');
    const next = await h.backend();
    const events = await waitFor(() => (next.frames.length >= 51 ? next.frames : undefined), 'flushed events');
    expect(events.slice(0, 50).map((f) => f.params.message)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(events[50]?.action).toBe('disconnected');
    expect(h.broker.stats().queueLength).toBe(0);
  });

  it('drops new events when full (default) and counts them', async () => {
    const client = await orphanedClient({ queueSize: 5 });
    for (let i = 0; i < 8; i += 1) client.send(`m${i}`);
    const metrics = await waitFor(async () => {
      const body = (await h.http('/metrics')).body;
      return /^strands_queue_dropped_total 3$/m.test(body) ? body : undefined;
    }, '3 drops counted');
    expect(metrics).toMatch(/^strands_queue_length 5$/m);
    const next = await h.backend();
    const events = await waitFor(() => (next.frames.length >= 5 ? next.frames : undefined), 'flushed');
    expect(events.map((f) => f.params.message)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });

  it('drops the oldest events under --queue-overflow drop-oldest', async () => {
    const client = await orphanedClient({ queueSize: 5, queueOverflow: 'drop-oldest' });
    for (let i = 0; i < 8; i += 1) client.send(`m${i}`);
    const next = await waitFor(async () => {
      const body = (await h.http('/metrics')).body;
      return /^strands_queue_dropped_total 3$/m.test(body) ? true : undefined;
    }, '3 drops').then(() => h.backend());
    const events = await waitFor(() => (next.frames.length >= 5 ? next.frames : undefined), 'flushed');
    expect(events.map((f) => f.params.message)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
  });

  it('keeps nothing with --queue-size 0 and counts the drops', async () => {
    const client = await orphanedClient({ queueSize: 0 });
    client.send('lost');
    await waitFor(async () => /^strands_queue_dropped_total 1$/m.test((await h.http('/metrics')).body), 'drop counted');
    expect(h.broker.stats().queueLength).toBe(0);
  });

  it('loses nothing and keeps order when the backend taking the flush is lost mid-flush', async () => {
    // The flush to the first backend pauses on its buffer bound; that backend stops reading and
    // the heartbeat drops it. What its kernel took it can still read; the rest goes, in order,
    // to the next backend: together they hold every event, in order.
    // 30 MB from one client at once: far past its default byte rate, which this test is not about.
    const client = await orphanedClient({ maxBackendBufferBytes: 1024 * 1024, heartbeatIntervalMs: 300, queueSize: 300, clientBytesPerSecond: 0 });
    // 30 MB: more than loopback socket buffers hold, so the flush must wait on the backend.
    const payload = 'p'.repeat(100_000);
    for (let i = 0; i < 300; i += 1) client.send(`${i}:${payload}`);
    await waitFor(() => h.broker.stats().queueLength === 300, '300 queued');
    const doomed = await RawBackend.connect(h.addresses.tcpPort);
    doomed.socket.pause();
    await waitFor(async () => /^strands_backends_dropped_total 1$/m.test((await h.http('/metrics')).body), 'stalled backend dropped');
    const left = h.broker.stats().queueLength;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(300);
    doomed.socket.resume();
    await waitFor(() => doomed.closed, 'doomed backend read to the end');
    const next = await RawBackend.connect(h.addresses.tcpPort);
    await waitFor(() => h.broker.stats().queueLength === 0, 'queue drained');
    const indexOf = (f: { params: { message?: unknown } }) => Number(String(f.params.message).split(':')[0]);
    const second = await waitFor(() => {
      const got = next.of('new_message').map(indexOf);
      return got.at(-1) === 299 ? got : undefined;
    }, 'the rest at the next backend');
    const first = doomed.of('new_message').map(indexOf);
    expect(first).toEqual(Array.from({ length: first.length }, (_, i) => i));
    expect(second).toEqual(Array.from({ length: second.length }, (_, i) => (second[0] as number) + i));
    // No gap between them (an overlap is possible for a write cut halfway).
    expect(second[0]).toBeLessThanOrEqual(first.length);
    next.close();
  });
});
