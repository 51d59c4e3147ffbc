// Cluster mode as users turn it on: createBroker({ cluster }) and --cluster, on a real redis-server.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { startBroker, waitFor, type Harness } from '../support/harness.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let prefixes = 0;

describe('createBroker({ cluster })', () => {
  let a: Harness;
  let b: Harness;
  beforeAll(async () => {
    const cluster = { url: redis.url, prefix: `mode${++prefixes}` };
    [a, b] = await Promise.all([startBroker({ cluster }), startBroker({ cluster })]);
  });
  afterAll(async () => {
    await Promise.all([a?.cleanup(), b?.cleanup()]);
  });

  it('announces cluster in hello_reply and its node id in /healthz and /metrics', async () => {
    const backend = await a.backend();
    backend.send('hello', { name: 't', protocol_version: 1 }, 'h1');
    const reply = await waitFor(() => backend.of('hello_reply')[0], 'hello_reply');
    expect(reply.params.capabilities).toContain('cluster');
    const health = JSON.parse((await a.http('/healthz')).body) as { status: string; node: string };
    expect(health.status).toBe('ok');
    expect(health.node).toMatch(/^[0-9a-f]{16}$/);
    expect((await b.http('/metrics')).body).toMatch(/strands_node_info\{node="[0-9a-f]{16}"\} 1/);
    expect(JSON.parse((await b.http('/healthz')).body).node).not.toBe(health.node);
  });

  it('a room message from a backend on one broker reaches the room on the other', async () => {
    await Promise.all([a.backend(), b.backend()]);
    const onA = await a.client('/ws/shared');
    const onB = await b.client('/ws/shared');
    const sender = await b.backend();
    // Both brokers must have subscribed the room before the message is published.
    await waitFor(async () => {
      sender.send('room_members', { room_id: 'shared' });
      const replies = sender.of('room_members_reply');
      const last = replies[replies.length - 1];
      return last !== undefined && (last.params.members as unknown[]).length === 2 ? true : undefined;
    }, 'both members seen cluster-wide');
    sender.send('message_to_room', { room_id: 'shared', message: 'hello both' });
    await onA.waitMessage('hello both');
    await onB.waitMessage('hello both');
  });
});

describe('strands-broker --cluster', () => {
  it('starts in cluster mode, saying its node id, and refuses a URL that is not redis://', async () => {
    const packageDir = fileURLToPath(new URL('../..', import.meta.url));
    /** A live view of the process: its output so far, and its exit code once it exited (null before). */
    const run = (args: string[]) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
      const seen = { code: null as number | null, stdout: '', stderr: '', child, exited: new Promise<void>((r) => child.once('exit', () => r())) };
      child.stdout.on('data', (d: Buffer) => (seen.stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (seen.stderr += d.toString()));
      child.on('exit', (code) => (seen.code = code));
      return waitFor(() => (seen.code !== null || seen.stdout.includes('listening') ? seen : undefined), 'the broker listening or exiting');
    };
    const bad = await run(['--cluster', 'http://127.0.0.1:1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr + bad.stdout).toMatch(/cluster\.url/);

    const good = await run(['--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1', '--cluster', redis.url, '--cluster-prefix', `cli${++prefixes}`]);
    expect(good.code).toBeNull();
    await waitFor(() => (good.stderr.includes('"node"') ? true : undefined), 'log line with the node id');
    good.child.kill('SIGTERM');
    await good.exited;
    expect(good.code).toBe(0);
  });
});

describe('cluster metrics', () => {
  it('/metrics shows the Redis link, peers and cross-node traffic', async () => {
    const cluster = { url: redis.url, prefix: `metrics${++prefixes}` };
    const [x, y] = await Promise.all([startBroker({ cluster }), startBroker({ cluster })]);
    try {
      await x.backend();
      const onY = await (async () => {
        await y.backend();
        return y.client('/ws/m');
      })();
      const sender = await x.backend();
      await waitFor(async () => ((await x.http('/metrics')).body.includes('strands_cluster_peers 1') ? true : undefined), 'x sees y');
      sender.send('broadcast', { message: 'm' });
      await onY.waitMessage('m');
      const body = (await y.http('/metrics')).body;
      expect(body).toContain('strands_cluster_redis_link_up 1');
      expect(body).toMatch(/strands_cluster_messages_in_total [1-9]/);
      expect(body).toMatch(/strands_cluster_publish_lag_seconds_count [1-9]/);
      expect(body).toContain('# TYPE strands_cluster_publish_lag_seconds histogram');
    } finally {
      await Promise.all([x.cleanup(), y.cleanup()]);
    }
  });
});
