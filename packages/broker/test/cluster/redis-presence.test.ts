// Presence in Redis on a real redis-server: room_members across three brokers from the presence keys,
// entries kept by each node's beat alone (no command per connection) and shown only while their node
// is alive, and a graceful stop removing its own entries.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { nodeBeat } from '../../src/cluster/redis/cluster-scripts.js';
import { waitFor } from '../support/harness.js';
import { membersAre, Monitor, roomMembers, startRedisCluster } from './redis-cluster-support.js';

let redis: TestRedis;
let admin: Redis;
beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { lazyConnect: true });
  admin.on('error', () => undefined);
  await admin.connect();
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});

async function cluster(count: number, options: Parameters<typeof startRedisCluster>[2] = {}) {
  const started = await startRedisCluster(redis.url, count, options);
  cleanups.push(started.cleanup);
  return started;
}

/** The presence entries of a room as Redis holds them. */
async function presence(prefix: string, room: string): Promise<Record<string, { node: string; metadata: Record<string, unknown>; since: number }>> {
  const raw = await admin.hgetall(`${prefix}:{room:${room}}:pres`);
  return Object.fromEntries(Object.entries(raw).map(([clientId, json]) => [clientId, JSON.parse(json)]));
}

describe('presence in Redis', () => {
  it('answers room_members across three brokers from the presence keys, with each member metadata', async () => {
    const { prefix, nodes } = await cluster(3);
    const [a, b, c] = nodes as [(typeof nodes)[0], (typeof nodes)[0], (typeof nodes)[0]];
    await a.harness.client('/ws/team?id=ta');
    await b.harness.client('/ws/team?id=tb');
    await c.harness.client('/ws/team?id=tc');
    await c.harness.client('/ws/other?id=oc');

    const monitor = await Monitor.start(redis.url);
    try {
      const members = await membersAre(a.backend, 'team', ['ta', 'tb', 'tc']);
      expect(members).toEqual([
        { client_id: 'ta', metadata: { via: 'A', id: 'ta' } },
        { client_id: 'tb', metadata: { via: 'B', id: 'tb' } },
        { client_id: 'tc', metadata: { via: 'C', id: 'tc' } },
      ]);
      // No scatter-gather: nothing asked the other nodes for their members.
      expect(monitor.publishes('"type":"members"')).toEqual([]);
    } finally {
      monitor.stop();
    }

    // The keys carry the room's hash tag, and hold what the brokers wrote.
    const keys = (await admin.keys(`${prefix}:*`)).sort();
    expect(keys).toEqual(
      expect.arrayContaining([
        `${prefix}:{room:team}:pres`,
        `${prefix}:{room:other}:pres`,
        `${prefix}:conn:tb`,
        `${prefix}:nodes`,
        `${prefix}:node:${b.plane.nodeId}:members`,
      ]),
    );
    const team = await presence(prefix, 'team');
    expect(Object.keys(team).sort()).toEqual(['ta', 'tb', 'tc']);
    expect(team.tb).toMatchObject({ node: b.plane.nodeId, metadata: { via: 'B', id: 'tb' } });
    expect(typeof team.tb?.since).toBe('number');
    // Nothing expires on its own: entries live as long as their node's lease.
    expect(await admin.pttl(`${prefix}:{room:team}:pres`)).toBe(-1);
    expect(await admin.get(`${prefix}:conn:tc`)).toBe(c.plane.nodeId);
    expect(await admin.pttl(`${prefix}:conn:tc`)).toBe(-1);
    expect(await admin.pttl(`${prefix}:node:${c.plane.nodeId}:members`)).toBe(-1);
    expect((await admin.smembers(`${prefix}:node:${c.plane.nodeId}:members`)).sort()).toEqual(['\0oc', '\0tc', 'other\0oc', 'team\0tc']);
    expect(await admin.zscore(`${prefix}:nodes`, a.plane.nodeId)).not.toBeNull();

    // Redis is the source: an entry changed there is what room_members reports.
    await admin.hset(`${prefix}:{room:team}:pres`, 'tb', JSON.stringify({ node: b.plane.nodeId, metadata: { edited: true }, since: 1 }));
    const edited = await roomMembers(a.backend, 'team');
    expect(edited.find((m) => m.client_id === 'tb')?.metadata).toEqual({ edited: true });

    // A join and a leave on the client's own broker reach presence; every broker sees them.
    a.backend.send('join_room', { conn_id: 'ta', room_id: 'other' });
    await membersAre(c.backend, 'other', ['oc', 'ta']);
    a.backend.send('leave_room', { conn_id: 'ta', room_id: 'team' });
    await membersAre(b.backend, 'team', ['tb', 'tc']);
    expect(Object.keys(await presence(prefix, 'team')).sort()).toEqual(['tb', 'tc']);
    expect(a.plane.redisStats()).toMatchObject({ linkUp: 1, localClients: 1, memberships: 1 });
  });

  it('keeps its entries with its beat alone, whatever its connections, and hides those of a node that went silent', async () => {
    // Reaping pushed far out: the silent node's entries stay in Redis, and only its lost lease hides them.
    const { prefix, nodes } = await cluster(2, { nodeReapAfterMs: 60_000 });
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    const ids = Array.from({ length: 20 }, (_, i) => `c${i}`);
    for (const id of ids) await a.harness.client(`/ws/r?id=${id}`);
    await b.harness.client('/ws/r?id=silenced');
    await membersAre(b.backend, 'r', [...ids, 'silenced']);

    // Quiet for ten beats of each node: what Redis runs is beats and pub/sub, never a presence or directory write.
    const monitor = await Monitor.start(redis.url);
    try {
      const beatsBefore = a.plane.redisStats().beatFailures;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const ours = monitor.commands.filter((c) => c.slice(1).some((arg) => arg.startsWith(`${prefix}:`) || arg === nodeBeat.sha));
      const kinds = new Set(ours.map((c) => `${(c[0] as string).toLowerCase()}${c[0]?.toLowerCase() === 'evalsha' ? (c[1] === nodeBeat.sha ? ':beat' : ':other') : ''}`));
      // The beat script's own calls (MONITOR shows them too) touch the node registry only.
      expect([...kinds].sort()).toEqual(['evalsha:beat', 'publish', 'zadd', 'zrangebyscore']);
      expect(ours.filter((c) => /^z/i.test(c[0] as string)).every((c) => c[1] === `${prefix}:nodes`)).toBe(true);
      expect(ours.some((c) => c.some((arg) => arg.includes(':conn:') || arg.includes(':pres')))).toBe(false);
      // About ten beats per node in the second, not one command per connection.
      const beats = ours.filter((c) => c[1] === nodeBeat.sha).length;
      expect(beats).toBeGreaterThan(0);
      expect(beats).toBeLessThan(2 * 20);
      expect(a.plane.redisStats().beatFailures).toBe(beatsBefore);
    } finally {
      monitor.stop();
    }

    // b's link cut without a goodbye: its entry stays in Redis (nobody reaps for a minute), but a shows it no more once b is lost.
    await b.link().quit();
    await membersAre(a.backend, 'r', ids);
    expect(Object.keys(await presence(prefix, 'r'))).toContain('silenced');
    expect(a.plane.redisStats()).toMatchObject({ nodesReaped: 0, presenceWriteFailures: 0 });
  });

  it('removes its own presence, directory entries and registry entry on a graceful stop', async () => {
    const { prefix, nodes } = await cluster(2);
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    await a.harness.client('/ws/r?id=stays');
    await b.harness.client('/ws/r?id=leaves');
    await b.harness.client('/ws/s?id=leaves2');
    await membersAre(a.backend, 'r', ['leaves', 'stays']);
    expect(await admin.exists(`${prefix}:node:${b.plane.nodeId}:members`)).toBe(1);

    await b.harness.cleanup();
    expect(Object.keys(await presence(prefix, 'r'))).toEqual(['stays']);
    expect(await admin.exists(`${prefix}:{room:s}:pres`, `${prefix}:conn:leaves`, `${prefix}:conn:leaves2`, `${prefix}:node:${b.plane.nodeId}:members`)).toBe(0);
    expect(await admin.zscore(`${prefix}:nodes`, b.plane.nodeId)).toBeNull();
    expect(await admin.zscore(`${prefix}:nodes`, a.plane.nodeId)).not.toBeNull();
    await membersAre(a.backend, 'r', ['stays']);
  });
});
