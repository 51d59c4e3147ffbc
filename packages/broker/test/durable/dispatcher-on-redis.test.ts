// The broker's acknowledgement and queue suites (acks.test.ts, queue.test.ts) run again with the
// Redis Streams queue under the dispatcher (drop-oldest and a disabled queue stay in memory: the
// Redis queue refuses them). The harness' startBroker is swapped for one that adds `queue`.
import { afterAll, expect, it, vi } from 'vitest';
import type { TestRedis } from '../../../../testing/src/redis.js';
import type { BrokerOptions, BrokerParts } from '../../src/index.js';

// The server the mock starts, stopped after the suites: a kill on exit does not run when the
// test runner ends its worker, and the server would outlive the run.
const shared = vi.hoisted(() => ({ redis: undefined as TestRedis | undefined }));

vi.mock('../support/harness.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../support/harness.js')>();
  const { startRedis } = await import('../../../../testing/src/redis.js');
  const redis = await startRedis();
  shared.redis = redis;
  let brokers = 0;
  return {
    ...real,
    startBroker: (options: BrokerOptions & BrokerParts = {}) =>
      real.startBroker(
        options.queueOverflow === 'drop-oldest' || options.queueSize === 0 ? options : { queue: { url: redis.url, prefix: `d${++brokers}` }, ...options },
      ),
  };
});

afterAll(async () => {
  await shared.redis?.stop();
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
