// Crash cleanup on a real redis-server: a broker whose link is cut without a goodbye is found silent in
// the node registry, and exactly one survivor removes its presence entries, directory keys and node keys.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { waitFor } from '../support/harness.js';
import { membersAre, startRedisCluster, type RedisNode } from './redis-cluster-support.js';

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

describe('reaping a crashed broker', () => {
  it('removes its presence entries and directory keys once, by one survivor, and leaves the others alone', async () => {
    // Entries never expire on their own: whatever disappears below was removed by the reaper.
    const { prefix, nodes, cleanup } = await startRedisCluster(redis.url, 3);
    try {
      const [a, b, c] = nodes as [RedisNode, RedisNode, RedisNode];
      await a.harness.client('/ws/r?id=survivor');
      await c.harness.client('/ws/r?id=doomed1');
      await c.harness.client('/ws/q?id=doomed2');
      c.backend.send('join_room', { conn_id: 'doomed2', room_id: 'r' });
      await membersAre(b.backend, 'r', ['doomed1', 'doomed2', 'survivor']);
      const dead = c.plane.nodeId;
      expect((await admin.smembers(`${prefix}:node:${dead}:members`)).length).toBe(5); // two connections, three memberships

      // The crash: c's link goes without a goodbye; its broker and clients stay up, unaware.
      await c.link().quit();

      await waitFor(async () => (await admin.zscore(`${prefix}:nodes`, dead)) === null, 'the dead node out of the registry');
      expect(await admin.hkeys(`${prefix}:{room:r}:pres`)).toEqual(['survivor']);
      expect(await admin.exists(`${prefix}:{room:q}:pres`, `${prefix}:conn:doomed1`, `${prefix}:conn:doomed2`)).toBe(0);
      expect(await admin.exists(`${prefix}:node:${dead}:members`, `${prefix}:node:${dead}:info`)).toBe(0);
      expect(await admin.get(`${prefix}:conn:survivor`)).toBe(a.plane.nodeId);

      // Exactly one reaper: the lock names it, and only it counted the node.
      const reaper = await admin.get(`${prefix}:reap:${dead}`);
      const survivors = [a, b];
      expect(survivors.map((n) => n.plane.nodeId)).toContain(reaper);
      expect(survivors.map((n) => n.plane.redisStats().nodesReaped).sort()).toEqual([0, 1]);
      const winner = survivors.find((n) => n.plane.nodeId === reaper) as RedisNode;
      expect(winner.plane.redisStats()).toMatchObject({ nodesReaped: 1, reapedEntries: 5 });
      expect(await admin.pttl(`${prefix}:reap:${dead}`)).toBeGreaterThan(0);

      await membersAre(a.backend, 'r', ['survivor']);
      // A client of the dead node is not found, and no one waits for its broker to answer.
      const kick = a.backend.send('disconnect_connection', { conn_id: 'doomed1', code: 4000, reason: 'x' });
      const reply = await a.backend.waitFrame((f) => f.action === 'error_reply' && f.request_id === kick, 'error_reply');
      expect(reply.params.code).toBe('not_found');
    } finally {
      await cleanup();
    }
  });
});
