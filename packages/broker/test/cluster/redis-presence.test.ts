// Presence in Redis on a real redis-server: room_members across three brokers from the presence keys,
// expiry without refresh, refresh keeping entries, and a graceful stop removing its own entries.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { presenceGet } from '../../src/cluster/redis/cluster-scripts.js';
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

/** The presence entries of a room as Redis holds them (after the read script drops expired ones). */
async function presence(prefix: string, room: string): Promise<Record<string, { node: string; metadata: Record<string, unknown>; since: number }>> {
  const flat = (await admin.eval(presenceGet.source, 2, `${prefix}:{room:${room}}:pres`, `${prefix}:{room:${room}}:pexp`)) as string[];
  const entries: Record<string, { node: string; metadata: Record<string, unknown>; since: number }> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) entries[flat[i] as string] = JSON.parse(flat[i + 1] as string);
  return entries;
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
        `${prefix}:{room:team}:pexp`,
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
    expect(await admin.zcard(`${prefix}:{room:team}:pexp`)).toBe(3);
    expect(await admin.pttl(`${prefix}:{room:team}:pres`)).toBeGreaterThan(0);
    expect(await admin.get(`${prefix}:conn:tc`)).toBe(c.plane.nodeId);
    expect(await admin.pttl(`${prefix}:conn:tc`)).toBeGreaterThan(0);
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

  it('drops the entries of a node that stopped refreshing once they expire, while refreshed ones stay', async () => {
    // Reaping and peer loss pushed far out: only expiry can remove anything here.
    const { prefix, nodes } = await cluster(2, {
      presenceTtlMs: 600,
      presenceRefreshIntervalMs: 200,
      nodeReapAfterMs: 60_000,
      nodeTimeoutMs: 60_000,
    });
    const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
    await a.harness.client('/ws/r?id=alive');
    await b.harness.client('/ws/r?id=silenced');
    await waitFor(async () => Object.keys(await presence(prefix, 'r')).length === 2, 'both entries written');

    // Refreshed: after more than one TTL's worth of refresh slices, a's entry is still there.
    const before = a.plane.redisStats().presenceRefreshes;
    await waitFor(() => a.plane.redisStats().presenceRefreshes >= before + 40, 'forty refresh slices (two intervals of ten)');
    expect(Object.keys(await presence(prefix, 'r'))).toContain('alive');

    // b's link cut without a goodbye: nothing refreshes its entries any more.
    await b.link().quit();
    await waitFor(async () => {
      const entries = await presence(prefix, 'r');
      return !('silenced' in entries) && 'alive' in entries;
    }, "b's entry to expire");
    await waitFor(async () => (await admin.exists(`${prefix}:conn:silenced`)) === 0, "b's directory entry to expire");
    expect(await admin.get(`${prefix}:conn:alive`)).toBe(a.plane.nodeId);
    expect(a.plane.redisStats().nodesReaped).toBe(0);
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
