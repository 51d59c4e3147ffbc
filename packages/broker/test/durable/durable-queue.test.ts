// The durable queue with real broker processes on a real redis-server: events queued while no
// backend is connected survive kill -9 of the broker (single broker with --queue redis://, and
// cluster mode where the queue is Redis by default), and the events of a broker killed while
// holding them are claimed by another broker and reach a backend connected there.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { createIoredisLink } from '../../src/cluster/redis/ioredis-link.js';
import type { RedisLink } from '../../src/cluster/redis/redis-link.js';
import { RawBackend, waitFor, type TestClient } from '../support/harness.js';
import { kill9, killAll, openClient, startBrokerProcess, type BrokerProcess } from './broker-processes.js';

let redis: TestRedis;
let link: RedisLink;
const open: { close(): void }[] = [];
const PARTITIONS = 4;

beforeAll(async () => {
  redis = await startRedis();
  link = await createIoredisLink({ url: redis.url });
});
afterEach(async () => {
  for (const socket of open.splice(0)) socket.close();
  await killAll();
});
afterAll(async () => {
  await link?.quit();
  await redis?.stop();
});

/** Entries in the queue's partition streams under `prefix`. */
async function queued(prefix: string): Promise<number> {
  let total = 0;
  for (let p = 0; p < PARTITIONS; p += 1) total += await link.xlen(`${prefix}:{queue:${p}}`);
  return total;
}

async function backendOn(broker: BrokerProcess): Promise<RawBackend> {
  const backend = await RawBackend.connect(broker.tcpPort);
  open.push(backend);
  return backend;
}

/**
 * Clients `ids` accepted by a backend that then goes away; each sends `count` numbered messages,
 * which wait for a backend (in memory and in Redis) until they are all in the streams.
 */
async function queueWhileNoBackend(broker: BrokerProcess, prefix: string, ids: string[], count: number): Promise<void> {
  const gate = await backendOn(broker);
  const clients: TestClient[] = [];
  for (const id of ids) {
    const client = await openClient(`${broker.wsUrl}/ws/room?id=${id}`);
    open.push(client);
    clients.push(client);
  }
  await waitFor(() => gate.of('new_connection').length === ids.length, 'clients accepted');
  gate.close();
  await waitFor(async () => (await queued(prefix)) === 0, 'new_connection events done (written to the backend)');
  await new Promise((resolve) => setTimeout(resolve, 100)); // the broker sees the backend gone
  for (let i = 0; i < count; i += 1) for (const client of clients) client.send(`m${i}`);
  await waitFor(async () => (await queued(prefix)) === ids.length * count, 'every message in the streams');
}

/** Waits until `backend` got `count` messages of each client and checks each client's are in order, each once. */
async function expectAll(backend: RawBackend, ids: string[], count: number): Promise<void> {
  await waitFor(() => backend.of('new_message').length >= ids.length * count, `${ids.length * count} messages at the backend`);
  for (const id of ids) {
    const mine = backend.of('new_message').filter((f) => f.params.context?.client_id === id).map((f) => f.params.message);
    expect(mine).toEqual(Array.from({ length: count }, (_, i) => `m${i}`));
  }
}

describe('durable queue (real brokers, real Redis)', () => {
  it('single broker with --queue redis://: events queued while no backend is connected survive kill -9 and reach the backend after restart', async () => {
    const prefix = 'strands'; // the default prefix
    const args = ['--queue', redis.url, '--queue-partitions', String(PARTITIONS)];
    const first = await startBrokerProcess(args);
    await queueWhileNoBackend(first, prefix, ['a', 'b', 'c'], 10);
    await kill9(first);
    const second = await startBrokerProcess(args);
    const backend = await backendOn(second);
    await expectAll(backend, ['a', 'b', 'c'], 10);
    // Done with: gone from Redis.
    await waitFor(async () => (await queued(prefix)) === 0, 'streams empty once written to the backend');
  });

  it('cluster mode: kill -9 the broker while events wait for a backend that is down; after a restart every one reaches the backend', async () => {
    const prefix = 'clu1';
    const args = ['--cluster', redis.url, '--cluster-prefix', prefix, '--queue-partitions', String(PARTITIONS), '--queue-lease-ms', '900'];
    const first = await startBrokerProcess(args);
    await queueWhileNoBackend(first, prefix, ['a', 'b'], 10);
    await kill9(first);
    // A new node id: the dead node's entries are claimed once its lease lapsed.
    const second = await startBrokerProcess(args);
    const backend = await backendOn(second);
    await expectAll(backend, ['a', 'b'], 10);
  });

  it('cluster mode: the events a killed broker held are claimed by another broker and reach the backend connected there', async () => {
    const prefix = 'clu2';
    const args = ['--cluster', redis.url, '--cluster-prefix', prefix, '--queue-partitions', String(PARTITIONS), '--queue-lease-ms', '900'];
    const [a, b] = await Promise.all([startBrokerProcess(args), startBrokerProcess(args)]);
    await queueWhileNoBackend(a, prefix, ['x', 'y'], 8);
    await kill9(a);
    const backend = await backendOn(b!);
    await expectAll(backend, ['x', 'y'], 8);
    await waitFor(async () => (await queued(prefix)) === 0, 'streams empty once written to the backend');
  });
});
