// The EventStore contract against the Redis Streams store on a real redis-server, and what the
// store must do in Redis beyond it: every event kept is an entry pending for this consumer, a
// released one is gone from the stream, an earlier run's entries come back, a dead consumer's are
// claimed, a full stream keeps events in memory only, dead letters land in the DLQ stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { createRedisQueue, type RedisQueue } from '../../src/cluster/queue/index.js';
import { createIoredisLink } from '../../src/cluster/redis/ioredis-link.js';
import type { RedisLink } from '../../src/cluster/redis/redis-link.js';
import type { EventOwner } from '../../src/index.js';
import { waitFor } from '../support/harness.js';
import { runEventStoreContract } from './contract.js';

let redis: TestRedis;
let link: RedisLink;
let seq = 0;
const quiet = { info: () => undefined, warn: () => undefined };
const ownerOf = (id: string): EventOwner => ({ id, affinity: undefined });

beforeAll(async () => {
  redis = await startRedis();
  link = await createIoredisLink({ url: redis.url });
});
afterAll(async () => {
  await link?.quit();
  await redis?.stop();
});

interface Settings { prefix?: string; consumer?: string; leaseMs?: number; maxStreamLength?: number; partitions?: number; maxBytes?: number }

function queue(capacity: number, { maxBytes, ...options }: Settings = {}): RedisQueue<EventOwner> {
  const q = createRedisQueue<EventOwner>(
    { url: redis.url, prefix: options.prefix ?? `t${++seq}`, partitions: options.partitions ?? 4, leaseMs: options.leaseMs ?? 600, ...options },
    { capacity, overflow: 'drop-newest', ownerOf, logger: quiet, link, ...(maxBytes === undefined ? {} : { maxBytes }) },
  );
  q.store.attach(link);
  return q;
}

/** Every entry of the queue's partition streams: [client, line] in stream order per partition. */
async function streamed(q: RedisQueue<EventOwner>): Promise<string[]> {
  const out: string[] = [];
  for (let p = 0; p < q.store.options.partitions; p += 1) {
    for (const entry of await link.xrange(q.store.keys.partition(p), '-', '+')) out.push(entry.fields.l ?? '');
  }
  return out.sort();
}

runEventStoreContract({ name: 'RedisEventStore', make: (capacity, maxBytes) => queue(capacity, maxBytes === undefined ? {} : { maxBytes }).store });

describe('RedisEventStore in Redis', () => {
  it('counts the first deliveries each consumer holds by id (redeliveries apart), as the dispatcher bounds them per backend', () => {
    const { store } = queue(10);
    const [one, two] = [{}, {}];
    store.holdTracked(one, 'a\n', ownerOf('x'), 'a', 1, 0);
    store.holdTracked(one, 'b\n', ownerOf('x'), 'b', 2, 0);
    store.holdTracked(two, 'c\n', ownerOf('y'), 'c', 1, 0);
    expect([store.firstDeliveriesHeld(one), store.firstDeliveriesHeld(two)]).toEqual([1, 1]);
    store.acknowledgeIds(two, ['a', 'c']);
    expect([store.firstDeliveriesHeld(one), store.firstDeliveriesHeld(two)]).toEqual([0, 0]);
    expect(store.takeBack(one)).toBe(1);
  });

  it('bounds waiting events by bytes too, and refuses drop-oldest and a zero bound with a clear error', () => {
    const { store } = queue(10, { maxBytes: 8 });
    expect(store.append('héé\n', ownerOf('x'))).toBe('queued'); // 6 bytes
    expect(store.append('ab\n', ownerOf('x'))).toBe('dropped');
    expect(store.append('a\n', ownerOf('x'))).toBe('queued');
    expect(store.waitingBytes).toBe(8);
    store.drop();
    expect(store.waitingBytes).toBe(2);
    const make = (capacity: number, overflow: 'drop-oldest' | 'drop-newest') =>
      createRedisQueue<EventOwner>({ url: redis.url }, { capacity, overflow, ownerOf, logger: quiet, link });
    expect(() => make(10, 'drop-oldest')).toThrow(/drop-oldest cannot be used with the Redis queue/);
    expect(() => make(0, 'drop-newest')).toThrow(/queueSize: 0 cannot be used with the Redis queue/);
    expect(() => createRedisQueue<EventOwner>({ url: redis.url, partitions: 0 }, { capacity: 1, overflow: 'drop-newest', ownerOf, logger: quiet })).toThrow(
      /queue.partitions/,
    );
  });

  it('mirrors what it keeps: appended and held events are pending entries, released ones leave the stream', async () => {
    const q = queue(10);
    const { store } = q;
    const consumer = {};
    for (const line of ['a\n', 'b\n', 'c\n']) store.append(line, ownerOf('x'));
    store.hold(consumer, 'd\n', ownerOf('y'));
    store.holdTracked(consumer, 'e\n', ownerOf('z'), 'id-e', 1, 0);
    await store.settled();
    expect(await streamed(q)).toEqual(['a\n', 'b\n', 'c\n', 'd\n', 'e\n']);
    store.handOut(consumer);
    store.acknowledge(consumer, 1); // d, the oldest held
    store.acknowledgeIds(consumer, ['id-e']);
    expect(store.drop()?.line).toBe('b\n'); // a went to the consumer, b is the oldest waiting
    await store.settled();
    await waitFor(async () => (await streamed(q)).join() === 'a\n,c\n', 'released entries deleted');
    let pending = 0;
    for (let p = 0; p < 4; p += 1) pending += (await link.xinfoConsumers(store.keys.partition(p), 'backends').catch(() => [])).reduce((n, c) => n + c.pending, 0);
    expect(pending).toBe(2);
  });

  it('an event a consumer is done with in the turn it was held in is never written; one still held at the end of the turn is', async () => {
    const q = queue(10);
    const { store } = q;
    const [fast, slow] = [{}, {}];
    store.hold(fast, 'done\n', ownerOf('x'));
    store.hold(slow, 'kept\n', ownerOf('y'));
    store.hold(fast, 'later\n', ownerOf('x'));
    store.acknowledge(fast, 1); // 'done', in the same turn
    await new Promise((resolve) => setImmediate(resolve));
    store.acknowledge(fast, 1); // 'later', a turn after it was held: it was written first
    store.hold(slow, 'next\n', ownerOf('y'));
    store.append('waiting\n', ownerOf('y'));
    expect(store.handOut(slow)?.line).toBe('waiting\n'); // behind the held ones, which get their entries first
    await store.settled();
    await waitFor(async () => (await streamed(q)).join() === 'kept\n,next\n,waiting\n', 'only what is still held or waiting in the streams');
    store.acknowledge(slow, 2);
    expect(store.takeBack(slow)).toBe(1);
    expect(store.handOut(fast)?.line).toBe('waiting\n');
    store.acknowledge(fast, 1);
    await store.settled();
    await waitFor(async () => (await streamed(q)).length === 0, 'every entry released');
  });

  it('a restart under the same consumer takes back what was kept, in each client order, with the ids events carried', async () => {
    const prefix = `restart${++seq}`;
    const first = queue(100, { prefix, consumer: 'one' });
    // Each stream's ids run a minute ahead of Redis' clock, as they do when the restart comes within
    // the millisecond of the last write: what was kept is told apart by where the streams ended, not by time.
    const ahead = `${Date.now() + 60_000}-0`;
    for (let p = 0; p < first.store.options.partitions; p += 1) await link.xadd(first.store.keys.partition(p), ahead, { c: 'other', l: 'not ours\n', i: '' });
    for (let i = 0; i < 20; i += 1) first.store.append(`m${i}\n`, ownerOf(`c${i % 3}`));
    first.store.holdTracked({}, 'sent\n', ownerOf('c0'), 'id-sent', 1, 0);
    await first.store.settled();
    // The process dies here: nothing is closed, nothing released.
    const second = queue(100, { prefix, consumer: 'one' });
    await second.open();
    const back: { line: string; client: string; id?: string }[] = [];
    for (let e = second.store.drop(); e !== undefined; e = second.store.drop()) back.push({ line: e.line, client: e.owner.id, ...(e.id ? { id: e.id } : {}) });
    expect(back).toHaveLength(21);
    for (const client of ['c0', 'c1', 'c2']) {
      const mine = back.filter((e) => e.client === client && e.line.startsWith('m')).map((e) => Number(e.line.slice(1)));
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
    expect(back.find((e) => e.line === 'sent\n')).toMatchObject({ id: 'id-sent' });
    await second.close();
  });

  it('claims the entries of a consumer whose lease lapsed, once, within its bound', async () => {
    const prefix = `dead${++seq}`;
    const dead = queue(100, { prefix, consumer: 'dead', leaseMs: 300 });
    await dead.open();
    for (let i = 0; i < 30; i += 1) dead.store.append(`m${i}\n`, ownerOf(`c${i}`));
    await dead.store.settled();
    await dead.close(); // gives its lease up: its entries are claimable at once
    const woken: number[] = [];
    const a = queue(20, { prefix, consumer: 'a', leaseMs: 300 });
    const b = queue(20, { prefix, consumer: 'b', leaseMs: 300 });
    a.store.onWaiting(() => woken.push(a.store.waiting));
    await Promise.all([a.open(), b.open()]);
    await waitFor(() => a.store.waiting + b.store.waiting === 30, 'all 30 claimed', 10_000);
    // Each within its bound, none claimed twice.
    expect(Math.max(a.store.waiting, b.store.waiting)).toBeLessThanOrEqual(20);
    const lines = new Set<string>();
    for (const q of [a, b]) for (let e = q.store.drop(); e !== undefined; e = q.store.drop()) lines.add(e.line);
    expect(lines.size).toBe(30);
    expect(woken.length).toBeGreaterThan(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('a dead letter leaves the queue for the DLQ stream; a full stream keeps new events in memory only, counted', async () => {
    const q = queue(10, { maxStreamLength: 2, partitions: 1 });
    const { store } = q;
    const consumer = {};
    store.holdTracked(consumer, '{"action":"new_message","x":1}\n', ownerOf('x'), 'id-1', 5, 0);
    store.append('b\n', ownerOf('x'));
    store.append('c\n', ownerOf('x'));
    await store.settled();
    expect(q.counters.memoryOnly).toBe(1);
    expect(await streamed(q)).toEqual(['b\n', '{"action":"new_message","x":1}\n']);
    const [event] = store.expired(1);
    store.deadLettered(event!, { id: 'id-1', action: 'new_message', clientId: 'x', deliveries: 5, at: 7, line: '{"action":"new_message","x":1}' });
    await store.settled();
    await waitFor(async () => (await streamed(q)).join() === 'b\n', 'dead letter out of the stream');
    const dlq = await link.xrange(store.keys.deadLetters, '-', '+');
    expect(dlq.map((e) => e.fields)).toEqual([{ id: 'id-1', action: 'new_message', client: 'x', deliveries: '5', at: '7', line: '{"action":"new_message","x":1}' }]);
    // The event kept in memory only still goes out like the others.
    expect([store.drop()?.line, store.drop()?.line]).toEqual(['b\n', 'c\n']);
  });
});
