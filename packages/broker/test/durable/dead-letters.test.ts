// A backend that never acknowledges, on a broker with the Redis queue: its events are redelivered
// after the ack timeout, then dead-lettered into the DLQ stream, and nothing stays behind, in the
// broker's memory or in the partition streams.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { createIoredisLink } from '../../src/cluster/redis/ioredis-link.js';
import type { RedisLink } from '../../src/cluster/redis/redis-link.js';
import { startBroker, waitFor, type Harness } from '../support/harness.js';

let redis: TestRedis;
let link: RedisLink;
let h: Harness | undefined;
const PARTITIONS = 2;

beforeAll(async () => {
  redis = await startRedis();
  link = await createIoredisLink({ url: redis.url });
});
afterEach(async () => {
  await h?.cleanup();
});
afterAll(async () => {
  await link?.quit();
  await redis?.stop();
});

async function queued(prefix: string): Promise<number> {
  let total = 0;
  for (let p = 0; p < PARTITIONS; p += 1) total += await link.xlen(`${prefix}:{queue:${p}}`);
  return total;
}

it('redelivers what a backend never acknowledges, then dead-letters it into the DLQ stream; memory and streams stay bounded', async () => {
  const prefix = 'dlq';
  h = await startBroker({ queue: { url: redis.url, prefix, partitions: PARTITIONS }, ackTimeoutMs: 150, maxDeliveries: 2, maxUnackedEvents: 20 });
  const backend = await h.backend();
  const hello = backend.send('hello', { name: 'silent', protocol_version: 1, capabilities: ['ack'] });
  await backend.waitFrame((f) => f.request_id === hello, 'hello_reply');
  const client = await h.client('/ws/r?id=c1');
  const COUNT = 40;
  for (let i = 0; i < COUNT; i += 1) client.send(`m${i}`);
  // The connection and the 40 messages, each twice (the second flagged), then all set aside.
  await waitFor(async () => (await link.xlen(`${prefix}:queue:dlq`)) === COUNT + 1, 'every event in the DLQ stream', 20_000);
  const messages = backend.of('new_message');
  for (let i = 0; i < COUNT; i += 1) {
    const deliveries = messages.filter((f) => f.params.message === `m${i}`);
    expect(deliveries.map((f) => f.params.redelivered ?? false)).toEqual([false, true]);
    expect(deliveries[0]!.params.event_id).toBe(deliveries[1]!.params.event_id);
  }
  const letters = await link.xrange(`${prefix}:queue:dlq`, '-', '+');
  expect(letters.filter((e) => e.fields.action === 'new_message').map((e) => JSON.parse(e.fields.line!).params.message)).toEqual(
    Array.from({ length: COUNT }, (_, i) => `m${i}`),
  );
  expect(letters[0]!.fields).toMatchObject({ action: 'new_connection', client: 'c1', deliveries: '2' });
  expect(h.broker.deadLetters()).toHaveLength(COUNT + 1);
  expect(h.broker.unackedEvents()).toBe(0);
  await waitFor(async () => (await queued(prefix)) === 0, 'partition streams empty');
  const metrics = await h.http('/metrics');
  expect(metrics.body).toMatch(/strands_queue_dlq_total\S* 41/);
  expect(metrics.body).toMatch(/strands_queue_held_events\S* 0/);
});
