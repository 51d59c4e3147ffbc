// RedisBackplane on a real redis-server: the Backplane contract through three real brokers, then the transport's own duties.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import type { ClusterMessage, ClusterResponse } from '../../src/cluster/cluster-messages.js';
import { RedisBackplane, type RedisBackplaneOptions } from '../../src/cluster/redis/index.js';
import { runBackplaneContract } from '../backplane/contract.js';
import { FakeLocalNode } from '../backplane/fake-local-node.js';
import { waitFor } from '../support/harness.js';

let redis: TestRedis;
let admin: Redis;
beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { lazyConnect: true });
  admin.on('error', () => undefined); // it sees the restart too
  await admin.connect();
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

/** A RedisBackplane that can go silent without a goodbye, as a crashed broker would. */
class VanishingRedisBackplane extends RedisBackplane {
  vanished = false;
  protected override doPublish(message: ClusterMessage): void {
    if (!this.vanished) super.doPublish(message);
  }
  protected override doPublishResponse(toNodeId: string, response: ClusterResponse): void {
    if (!this.vanished) super.doPublishResponse(toNodeId, response);
  }
}

// Each test gets its own prefix, so nodes of an earlier test never hear a later one.
let prefixes = 0;
const fast = (): Omit<RedisBackplaneOptions, 'url'> => ({
  prefix: `t${++prefixes}`,
  // Twenty heartbeats per node timeout, so a stalled machine loses no live node; a request timeout
  // past the test timeout, so a request that waited for a vanished node would fail the test.
  heartbeatIntervalMs: 50,
  nodeTimeoutMs: 1_000,
  requestTimeoutMs: 60_000,
  link: { reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 200 },
});

runBackplaneContract({
  name: 'RedisBackplane on a real redis-server',
  nodes: 3,
  reappears: true,
  makeBackplanes: () => {
    const options = fast();
    const planes = [0, 1, 2].map((i) => new VanishingRedisBackplane({ ...options, url: redis.url, nodeId: `broker${i}` }));
    return {
      backplanes: planes,
      ready: () => waitFor(() => planes.every((p) => p.peers().length === 2), 'every broker knows the other two').then(() => undefined),
      vanish: (index) => {
        (planes[index] as VanishingRedisBackplane).vanished = true;
      },
      reappear: (index) => {
        (planes[index] as VanishingRedisBackplane).vanished = false;
      },
    };
  },
});

describe('RedisBackplane transport', () => {
  let running: RedisBackplane[] = [];
  afterEach(async () => {
    await Promise.all(running.map((p) => p.stop()));
    running = [];
  });

  /** `n` backplanes on fake brokers, started one after the other, each knowing the others (each can vanish). */
  async function cluster(n: number) {
    const options = fast();
    const nodes = Array.from({ length: n }, () => new FakeLocalNode());
    const planes = nodes.map((node, i) => {
      const plane = new VanishingRedisBackplane({ ...options, url: redis.url, nodeId: `n${i}` });
      plane.bind(node, node);
      running.push(plane);
      return plane;
    });
    for (const plane of planes) await plane.start();
    await waitFor(() => planes.every((p) => p.peers().length === n - 1), 'every node knows every other');
    return { nodes, planes: planes as RedisBackplane[] };
  }

  const subscribers = async (channel: string): Promise<number> => {
    const [, count] = (await admin.pubsub('NUMSUB', channel)) as [string, number];
    return Number(count);
  };

  it('listens to a room channel only while the room has local members', async () => {
    const { planes } = await cluster(1);
    const plane = planes[0] as RedisBackplane;
    const channel = plane.channels.room('r');
    expect(channel).toMatch(/^t\d+:\{room:r\}:ch$/);
    expect(await subscribers(channel)).toBe(0);
    plane.roomOpened('r');
    await waitFor(async () => (await subscribers(channel)) === 1, 'the room channel subscribed');
    plane.roomClosed('r');
    await waitFor(async () => (await subscribers(channel)) === 0, 'the room channel unsubscribed');
    // Closed and opened again within one tick: it ends subscribed, as the room ends with members.
    plane.roomOpened('r');
    plane.roomClosed('r');
    plane.roomOpened('r');
    await waitFor(async () => (await subscribers(channel)) === 1, 'the room channel subscribed again');
    expect(plane.redisStats()).toMatchObject({ rooms: 1, channels: 3 }); // broadcast, inbox, the room
  });

  it('delivers a room message to the nodes with members only, once each, in order', async () => {
    const { nodes, planes } = await cluster(3);
    const [a, b, c] = planes as [RedisBackplane, RedisBackplane, RedisBackplane];
    nodes[1]?.add('x', 'r');
    b.roomOpened('r');
    nodes[2]?.add('y', 'other');
    c.roomOpened('other');
    await waitFor(async () => (await subscribers(a.channels.room('r'))) === 1, 'b on the room channel');
    for (const message of ['m1', 'm2', 'm3']) a.toRoom('r', message, false);
    a.broadcast('marker', false); // on another channel: it can overtake, so wait for both
    await waitFor(() => nodes[1]?.received('x').length === 4 && nodes[2]?.received('y').includes('marker'), 'the messages');
    expect(nodes[1]?.received('x').filter((m) => m !== 'marker')).toEqual(['m1', 'm2', 'm3']);
    expect(nodes[2]?.received('y')).toEqual(['marker']);
    expect(await subscribers(a.channels.room('r'))).toBe(1); // a publishes to the room without listening to it
  });

  it('answers members from presence and a remote join through the holding node inbox', async () => {
    const { nodes, planes } = await cluster(2);
    const [a, b] = planes as [RedisBackplane, RedisBackplane];
    nodes[1]?.add('x', 'r', { name: 'ex' });
    // As the broker does for every accepted client: presence and the directory learn of it here.
    b.clientAttached({ clientId: 'x', roomId: 'r', metadata: { name: 'ex' } });
    // b's entry travels over b's own connection: a's read may reach Redis first (contract.ts, `settled`).
    await waitFor(async () => (await a.members('r')).length > 0, "b's member in presence");
    expect(await a.members('r')).toEqual([{ clientId: 'x', metadata: { name: 'ex' } }]);
    expect(await a.join('x', 'elsewhere')).toBe(true);
    expect(await a.join('nobody', 'elsewhere')).toBe(false);
  });

  it('ignores a late `attached` for a connection older than the local one, and obeys a newer one', async () => {
    const { nodes, planes } = await cluster(2);
    const b = planes[1] as RedisBackplane;
    nodes[1]?.add('dup', 'r');
    b.clientAttached({ clientId: 'dup', roomId: 'r', metadata: {} });
    const announce = (at: number) =>
      admin.publish(b.channels.broadcast, JSON.stringify({ type: 'attached', from: 'n0', clientId: 'dup', at }));
    // What Redis may deliver late: node n0 announcing the connection that this one replaced.
    await announce(Date.now() - 60_000);
    await waitFor(() => b.redisStats().staleAttaches === 1, 'the stale attached to be dropped');
    expect(nodes[1]?.closed).toEqual([]);
    await announce(Date.now() + 60_000);
    await waitFor(() => nodes[1]?.closed.length === 1, 'the local connection to be replaced');
    expect(nodes[1]?.closed[0]).toMatchObject({ clientId: 'dup', code: 4900 });
  });

  it('keeps its peers through a stall of its own event loop longer than the node timeout', async () => {
    const { planes } = await cluster(3);
    // Hold this process (all three nodes) for 1.5 node timeouts, as a long GC pause or a starved
    // CPU would. The heartbeats sent meanwhile wait unread in the sockets, and timers run before I/O:
    // a node that counted its own stall as its peers' silence would give them all up here.
    const until = Date.now() + 1_500;
    while (Date.now() < until) {
      // busy: nothing else runs
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // four heartbeat ticks after the stall
    expect(planes.map((p) => p.stats().nodesLost)).toEqual([0, 0, 0]);
    expect(planes.map((p) => p.peers().length)).toEqual([2, 2, 2]);
  });

  it('gives up no peer while Redis is away for longer than the node timeout, and still gives up a dead one after', async () => {
    const { planes } = await cluster(3);
    await redis.kill();
    try {
      await waitFor(() => planes.every((p) => !p.health().up), 'every node to see Redis gone');
      // Deaf for 1.5 node timeouts: no node can hear another, and none of them is to blame.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      await redis.restart();
    }
    await waitFor(() => planes.every((p) => p.health().up), 'every node healthy again');
    await waitFor(() => planes.every((p) => p.peers().length === 2), 'every node hearing the other two');
    expect(planes.map((p) => p.stats().nodesLost)).toEqual([0, 0, 0]);
    // Silent from now on, without a goodbye: the others still give it up by timeout.
    (planes[2] as VanishingRedisBackplane).vanished = true;
    await waitFor(() => planes[0]?.stats().nodesLost === 1 && planes[1]?.stats().nodesLost === 1, 'the silent node given up');
    expect(planes.slice(0, 2).map((p) => p.peers())).toEqual([['n1'], ['n0']]);
  });

  it('turns health red while Redis is gone, fails publishes at once, and recovers after a restart', async () => {
    const { nodes, planes } = await cluster(2);
    const [a, b] = planes as [RedisBackplane, RedisBackplane];
    nodes[1]?.add('x', 'r');
    b.roomOpened('r');
    await waitFor(async () => (await subscribers(a.channels.room('r'))) === 1, 'b on the room channel');
    await redis.kill();
    try {
      await waitFor(() => !a.health().up && !b.health().up, 'both nodes to see Redis gone');
      expect(a.health().reason).toMatch(/Redis (command|subscriber) connection lost/);
      // Once the command connection's loss is seen, a publish is refused on the spot (counted by the
      // base class) instead of waiting for Redis; the room message still reached the local members.
      const errorsBefore = a.stats().publishErrors;
      await waitFor(() => {
        a.toRoom('r', 'while-down', false);
        return a.stats().publishErrors > errorsBefore;
      }, 'a publish refused at once');
    } finally {
      await redis.restart();
    }
    await waitFor(() => a.health().up && b.health().up, 'both nodes healthy again');
    // The first messages after the restart may go out before b has resubscribed: send until one arrives.
    await waitFor(() => {
      a.toRoom('r', 'after', false);
      return nodes[1]?.received('x').includes('after');
    }, 'a room message after the restart');
    expect(nodes[1]?.received('x')).not.toContain('while-down');
    expect(b.redisStats().subscriberReconnects).toBeGreaterThanOrEqual(1);
    await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 'the nodes to know each other again');
  });
});
