// The broker's acknowledgement and queue suites (acks.test.ts, queue.test.ts) run again with the
// Redis Streams queue under the dispatcher (drop-oldest and a disabled queue stay in memory: the
// Redis queue refuses them). The harness' startBroker is swapped for one that adds `queue`.
import { expect, it, vi } from 'vitest';
import type { BrokerOptions, BrokerParts } from '../../src/index.js';

vi.mock('../support/harness.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../support/harness.js')>();
  const { startRedis } = await import('../../../../testing/src/redis.js');
  // Stopped with the test process (startRedis kills its server on exit).
  const redis = await startRedis();
  let brokers = 0;
  return {
    ...real,
    startBroker: (options: BrokerOptions & BrokerParts = {}) =>
      real.startBroker(
        options.queueOverflow === 'drop-oldest' || options.queueSize === 0 ? options : { queue: { url: redis.url, prefix: `d${++brokers}` }, ...options },
      ),
  };
});

it('runs them on the Redis queue (the swap took)', async () => {
  const { startBroker } = await import('../support/harness.js');
  const h = await startBroker();
  try {
    expect((await h.http('/metrics')).body).toContain('strands_queue_held_events');
  } finally {
    await h.cleanup();
  }
});

await import('../acks.test.js');
await import('../queue.test.js');
