// Direct delivery and remote membership through the connection directory, on a real redis-server:
// what MONITOR shows is one PUBLISH to the holding node's inbox, never one every node hears.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { waitFor, type TestClient } from '../support/harness.js';
import { membersAre, Monitor, startRedisCluster, type RedisNode } from './redis-cluster-support.js';

let redis: TestRedis;
let admin: Redis;
let prefix: string;
let nodes: RedisNode[];
let cleanup: () => Promise<void>;
let monitor: Monitor;
let a: RedisNode;
let c: RedisNode;

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { lazyConnect: true });
  admin.on('error', () => undefined);
  await admin.connect();
  ({ prefix, nodes, cleanup } = await startRedisCluster(redis.url, 3));
  [a, , c] = nodes as [RedisNode, RedisNode, RedisNode];
  monitor = await Monitor.start(redis.url);
});
afterAll(async () => {
  monitor?.stop();
  await cleanup?.();
  admin?.disconnect();
  await redis?.stop();
});

/** Publishes a broadcast marker from `a` and waits until MONITOR saw it and every client got it: whatever was published before it has been seen. */
async function settle(clients: TestClient[], marker: string): Promise<void> {
  a.backend.send('broadcast', { message: marker });
  await Promise.all(clients.map((client) => client.waitMessage(marker)));
  await waitFor(() => monitor.publishes(marker).length > 0, `MONITOR to show ${marker}`);
}

/** The error_reply to `requestId` at a's backend, if one came. */
const errorReply = (requestId: string) =>
  a.backend.waitFrame((f) => f.action === 'error_reply' && f.request_id === requestId, `error_reply to ${requestId}`);

describe('the connection directory', () => {
  it('delivers message_to_connection with one PUBLISH to the inbox of the broker holding the client', async () => {
    const target = await c.harness.client('/ws/r?id=target');
    const neighbour = await c.harness.client('/ws/r?id=neighbour');
    const elsewhere = await nodes[1]!.harness.client('/ws/r?id=elsewhere');
    expect(await admin.get(`${prefix}:conn:target`)).toBe(c.plane.nodeId);

    a.backend.send('message_to_connection', { conn_id: 'target', message: 'private-1' });
    a.backend.send('message_to_connection', { conn_id: 'target', message: 'private-2' }); // cached now, or waiting behind the lookup
    await settle([target, neighbour, elsewhere], 'marker-1');
    // In order, and before the broadcast sent after them: the lookup held the later publishes back.
    expect(target.messages).toEqual(['private-1', 'private-2', 'marker-1']);
    expect(neighbour.messages).toEqual(['marker-1']);
    expect(elsewhere.messages).toEqual(['marker-1']);
    expect(monitor.publishes('private-').map((p) => p.channel)).toEqual([c.plane.channels.inbox, c.plane.channels.inbox]);
    expect(monitor.commands.filter((cmd) => cmd[0]?.toLowerCase() === 'get' && cmd[1] === `${prefix}:conn:target`)).toHaveLength(1);

    // A client no broker holds costs a GET and no PUBLISH.
    a.backend.send('message_to_connection', { conn_id: 'nobody', message: 'lost-letter' });
    await settle([target], 'marker-2');
    expect(monitor.publishes('lost-letter')).toEqual([]);
    expect(a.plane.redisStats()).toMatchObject({ directoryLookups: expect.any(Number), directUnknown: 1 });
  });

  it('joins, leaves and disconnects a remote client by asking its broker alone', async () => {
    const mover = await c.harness.client('/ws/home?id=mover');
    const resident = await a.harness.client('/ws/extra?id=resident');
    const from = monitor.commands.length;

    const join = a.backend.send('join_room', { conn_id: 'mover', room_id: 'extra' });
    await membersAre(a.backend, 'extra', ['mover', 'resident']);
    a.backend.send('message_to_room', { room_id: 'extra', message: 'extra-1' });
    await mover.waitMessage('extra-1');

    const leave = a.backend.send('leave_room', { conn_id: 'mover', room_id: 'extra' });
    await membersAre(a.backend, 'extra', ['resident']);
    await membersAre(nodes[1]!.backend, 'extra', ['resident']);

    const kick = a.backend.send('disconnect_connection', { conn_id: 'mover', code: 4001, reason: 'bye' });
    expect(await mover.waitClose()).toBe(4001);
    expect(mover.closeReason).toBe('bye');
    await membersAre(a.backend, 'home', []);
    await waitFor(async () => (await admin.exists(`${prefix}:conn:mover`)) === 0, "mover's directory entry removed");

    const ghost = a.backend.send('leave_room', { conn_id: 'ghost', room_id: 'extra' });
    expect((await errorReply(ghost)).params.code).toBe('not_found');
    await settle([resident], 'marker-3');
    // None of the three got an error; each went to c's inbox only, and nothing was published for the ghost.
    expect(a.backend.frames.filter((f) => f.action === 'error_reply' && [join, leave, kick].includes(f.request_id))).toEqual([]);
    const requests = monitor.commands
      .slice(from)
      .filter((cmd) => cmd[0]?.toLowerCase() === 'publish' && /"type":"(join|leave|disconnect)"/.test(cmd[2] ?? ''));
    expect(requests.map((cmd) => [cmd[1], JSON.parse(cmd[2] as string).type])).toEqual([
      [c.plane.channels.inbox, 'join'],
      [c.plane.channels.inbox, 'leave'],
      [c.plane.channels.inbox, 'disconnect'],
    ]);
    expect(a.plane.redisStats().nodeRequests).toBe(0);
  });
});
