// The ioredis RedisLink against a real redis-server: pub/sub, batching, scripts, restarts, kills and a silent subscriber.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { createIoredisLink, defineRedisScript, type RedisLink, type RedisLinkOptions } from '../../src/cluster/redis/index.js';
import { startStallProxy, type StallProxy } from './stall-proxy.js';

/** Polls `check` until it gives a truthy value; fails with `what` after `timeoutMs`. */
async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let redis: TestRedis;
let admin: Redis;
const links: RedisLink[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url, { lazyConnect: true });
  admin.on('error', () => undefined); // it sees the restarts too
  await admin.connect();
});
afterEach(async () => {
  await Promise.all(links.splice(0).map((link) => link.quit()));
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.stop();
});

/** A link with short reconnect delays; quit after each test. */
async function open(options: Partial<RedisLinkOptions> = {}): Promise<RedisLink> {
  const link = await createIoredisLink({ url: redis.url, reconnectBaseDelayMs: 20, reconnectMaxDelayMs: 200, ...options });
  links.push(link);
  return link;
}

/** Collects what a link receives, as `channel payload` strings. */
function inbox(link: RedisLink): string[] {
  const got: string[] = [];
  link.onMessage((channel, payload) => got.push(`${channel} ${payload}`));
  return got;
}

/** Publishes from another connection until the link has it (a message sent while it resubscribes is lost). */
async function deliverTo(got: string[], channel: string, payload: string): Promise<void> {
  await until(async () => {
    await admin.publish(channel, payload).catch(() => 0);
    return got.includes(`${channel} ${payload}`);
  }, `${payload} on ${channel}`);
}

describe('RedisLink on ioredis: commands and pub/sub', () => {
  it('round-trips a published message, as text and as bytes', async () => {
    const sub = await open();
    const pub = await open();
    const got = inbox(sub);
    const bytes: Buffer[] = [];
    sub.onMessageBuffer((_, payload) => bytes.push(payload));
    await sub.subscribe(['t:room']);
    expect(await pub.publish('t:room', 'hello')).toBe(1);
    expect(await pub.publish('t:room', Buffer.from([0xff, 0x00, 0x01]))).toBe(1);
    await until(() => bytes.length === 2, 'both messages');
    expect(got[0]).toBe('t:room hello');
    expect(bytes[1]).toEqual(Buffer.from([0xff, 0x00, 0x01]));
    expect(await pub.publish('t:nobody', 'x')).toBe(0);
    await sub.unsubscribe(['t:room']);
    expect(await pub.publish('t:room', 'after')).toBe(0);
    expect(sub.stats().channels).toBe(0);
  });

  it('subscribes 1,000 channels in SUBSCRIBE commands of at most 512', async () => {
    const link = await open();
    const got = inbox(link);
    const monitor = await admin.monitor();
    const subscribeSizes: number[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'subscribe' && args[1]?.startsWith('t:many:')) subscribeSizes.push(args.length - 1);
    });
    cleanups.push(() => monitor.disconnect() as unknown as Promise<void>);
    const channels = Array.from({ length: 1_000 }, (_, i) => `t:many:${i}`);
    await link.subscribe(channels);
    expect(((await admin.pubsub('CHANNELS', 't:many:*')) as string[]).length).toBe(1_000);
    await until(() => subscribeSizes.reduce((a, b) => a + b, 0) === 1_000, 'MONITOR to show every SUBSCRIBE');
    expect(subscribeSizes).toEqual([512, 488]);
    expect(link.stats().channels).toBe(1_000);
    await admin.publish('t:many:999', 'last');
    await until(() => got.includes('t:many:999 last'), 'a message on the last channel');
    await link.unsubscribe(channels);
    expect(((await admin.pubsub('CHANNELS', 't:many:*')) as string[]).length).toBe(0);
  });

  it('runs scripts by SHA and falls back to EVAL after SCRIPT FLUSH', async () => {
    const link = await open();
    const script = defineRedisScript('t_incr', "return redis.call('INCRBY', KEYS[1], ARGV[1])");
    await admin.script('FLUSH');
    expect(await link.evalsha(script, ['t:counter'], [2])).toBe(2); // NOSCRIPT, then EVAL
    expect(await admin.script('EXISTS', script.sha)).toEqual([1]); // EVAL cached it
    expect(await link.evalsha(script, ['t:counter'], [3])).toBe(5);
    await admin.script('FLUSH');
    expect(await link.evalsha(script, ['t:counter'], [1])).toBe(6);
    // Flushed behind the link's back: the scripts still run (EVAL, after the rest of the batch).
    await admin.script('FLUSH');
    const flushed = await link.pipeline().evalsha(script, ['t:counter'], [10]).get('t:counter').evalsha(script, ['t:counter'], [1]).exec();
    expect([flushed[0], flushed[2]].map((r) => r?.ok && r.value)).toEqual([16, 17]);
    // A new connection loads its scripts at the head of the batch, so they run in order.
    await admin.script('FLUSH');
    const fresh = await open();
    const ordered = await fresh.pipeline().evalsha(script, ['t:counter'], [10]).get('t:counter').exec();
    expect(ordered.map((r) => r.ok && r.value)).toEqual([27, '27']);
    expect(await admin.script('EXISTS', script.sha)).toEqual([1]);
    const broken = defineRedisScript('t_broken', "return redis.call('NOPE')");
    await expect(link.evalsha(broken, [])).rejects.toMatchObject({ name: 'RedisLinkError', code: 'redis_reply_error', command: 'eval' });
  });

  it('runs the calls of a script new to its connection in the order they were made, none refused as NOSCRIPT', async () => {
    const noScript = async () => Number(/errorstat_NOSCRIPT:count=(\d+)/.exec(await admin.info('errorstats'))?.[1] ?? 0);
    await admin.script('FLUSH');
    const before = await noScript();
    const link = await open();
    const append = defineRedisScript('t_append', "return redis.call('RPUSH', KEYS[1], ARGV[1])");
    // Calls spread over several turns, as a queue's appends are: each after the previous one was sent.
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 8; i += 1) {
      calls.push(link.evalsha(append, ['t:order'], [i]));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(calls);
    expect(await admin.lrange('t:order', 0, -1)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(await noScript()).toBe(before);
  });

  it('sends single commands and pipelines made in one turn in the order they were made', async () => {
    const link = await open();
    const append = defineRedisScript('t_append_mixed', "return redis.call('RPUSH', KEYS[1], ARGV[1])");
    await link.evalsha(append, ['t:warm'], ['loaded']);
    // One turn, as a presence flush before a publish is: single, pipeline, single, pipeline.
    const sent = [
      link.evalsha(append, ['t:mixed'], ['a']),
      link.pipeline().evalsha(append, ['t:mixed'], ['b']).exec(),
      link.evalsha(append, ['t:mixed'], ['c']),
      link.pipeline().evalsha(append, ['t:mixed'], ['d']).evalsha(append, ['t:mixed'], ['e']).exec(),
      link.evalsha(append, ['t:mixed'], ['f']),
    ];
    await Promise.all(sent);
    expect(await admin.lrange('t:mixed', 0, -1)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('speaks every command of the port, alone and in a pipeline', async () => {
    const link = await open();
    expect(await link.set('t:k', 'v', { nx: true, px: 60_000 })).toBe(true);
    expect(await link.set('t:k', 'w', { nx: true })).toBe(false);
    expect(await link.get('t:k')).toBe('v');
    expect(await admin.pttl('t:k')).toBeGreaterThan(0);
    expect(await link.get('t:none')).toBeNull();
    expect(await link.zadd('t:z', 10, 'a')).toBe(1);
    await link.zadd('t:z', 20, 'b');
    expect(await link.zrangebyscore('t:z', 0, 15)).toEqual(['a']);
    expect(await link.zrangebyscore('t:z', '-inf', '+inf', { offset: 1, count: 5 })).toEqual(['b']);
    expect(await link.zrem('t:z', ['a'])).toBe(1);
    expect(await link.hset('t:h', { c1: '{"n":1}', c2: 'x' })).toBe(2);
    expect(await link.hgetall('t:h')).toEqual({ c1: '{"n":1}', c2: 'x' });
    expect(await link.hdel('t:h', ['c2'])).toBe(1);
    expect(await link.hgetall('t:none')).toEqual({});
    expect(await link.sadd('t:s', ['m1', 'm2'])).toBe(2);
    expect((await link.smembers('t:s')).sort()).toEqual(['m1', 'm2']);
    expect(await link.srem('t:s', ['m1'])).toBe(1);
    expect(await link.sadd('t:s', [])).toBe(0); // Redis refuses an empty SADD; the link answers it
    expect(await link.xadd('t:x', '1-0', { p: 'one' })).toBe('1-0');
    await link.xadd('t:x', '2-0', { p: 'two' });
    expect(await link.xrange('t:x', '(1-0', '+', 10)).toEqual([{ id: '2-0', fields: { p: 'two' } }]);
    expect(await link.del(['t:k', 't:h', 't:none'])).toBe(2);
    await link.ping();
    const results = await link.pipeline().set('t:p', '1', { px: 1_000 }).sadd('t:ps', []).publish('t:nobody', 'x').hset('t:z', { f: 'v' }).exec();
    expect(results[0]).toEqual({ ok: true, value: 'OK' });
    expect(results[1]).toEqual({ ok: true, value: 0 });
    expect(results[2]).toEqual({ ok: true, value: 0 });
    expect(results[3]).toMatchObject({ ok: false, error: { code: 'redis_reply_error', reply: 'WRONGTYPE' } });
  });

  it('refuses to start against a port nobody listens on, with redis_unavailable', async () => {
    const proxy = await startStallProxy(1); // forwards to a closed port: every connection is cut at once
    cleanups.push(() => proxy.close());
    await expect(createIoredisLink({ url: proxy.url, connectTimeoutMs: 300, reconnectBaseDelayMs: 20 })).rejects.toMatchObject({
      code: 'redis_unavailable',
      command: 'connect',
    });
  });

  it('rejects with redis_closed after quit()', async () => {
    const link = await createIoredisLink({ url: redis.url });
    await link.quit();
    await link.quit();
    expect(link.state).toBe('closed');
    await expect(link.publish('t:x', 'y')).rejects.toMatchObject({ code: 'redis_closed' });
    await expect(link.subscribe(['t:x'])).rejects.toMatchObject({ code: 'redis_closed' });
  });
});

describe('RedisLink on ioredis: failures', () => {
  // A test that fails while Redis is dead must not take the next tests down with it.
  let killed = false;
  afterEach(async () => {
    if (killed) await redis.restart();
    killed = false;
  });

  it('comes back by itself after a Redis restart: reconnected, resubscribed in batches, messages flow', async () => {
    const link = await open();
    const got = inbox(link);
    const resubscribed: Array<{ channels: number; cause: string }> = [];
    link.on('resubscribed', (info) => resubscribed.push(info));
    const channels = Array.from({ length: 600 }, (_, i) => `t:r:${i}`);
    await link.subscribe(channels);
    await redis.restart();
    await until(() => link.state === 'up' && resubscribed.length > 0, 'the link to be up again');
    expect(resubscribed[0]).toEqual({ channels: 600, cause: 'reconnect' });
    expect(((await admin.pubsub('CHANNELS', 't:r:*')) as string[]).length).toBe(600);
    await deliverTo(got, 't:r:599', 'back');
    const stats = link.stats();
    expect(stats.subscriberReconnects).toBeGreaterThanOrEqual(1);
    expect(stats.commandReconnects).toBeGreaterThanOrEqual(1);
    expect(await link.set('t:after-restart', '1')).toBe(true);
  });

  it('fails commands fast with redis_unavailable while Redis is dead, queues nothing, and recovers', async () => {
    const link = await open();
    const got = inbox(link);
    const downs: string[] = [];
    link.on('down', ({ role }) => downs.push(role));
    await link.subscribe(['t:k:before']);
    killed = true;
    await redis.kill();
    await until(() => downs.length === 2, 'both connections to see the loss');
    // Thousands of commands while Redis is away: every one settles, none waits for Redis to return.
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 5_000 }, (_, i) => link.publish('t:k:x', String(i))),
      link.evalsha(defineRedisScript('t_one', 'return 1'), []),
      link.pipeline().set('t:k', '1').exec(),
      link.ping(),
    ]);
    expect(outcomes.every((o) => o.status === 'rejected' && o.reason.code === 'redis_unavailable')).toBe(true);
    // A subscribe while down is refused but kept: it is made on the next connection.
    await expect(link.subscribe(['t:k:during'])).rejects.toMatchObject({ code: 'redis_unavailable' });
    expect(downs.sort()).toEqual(['command', 'subscriber']);
    await redis.restart();
    killed = false;
    await until(() => link.state === 'up', 'the link to be up again');
    await deliverTo(got, 't:k:during', 'made-later');
    await deliverTo(got, 't:k:before', 'kept');
    expect(await link.publish('t:k:x', 'again')).toBe(0);
  });

  it('rebuilds a subscriber connection killed by the server (CLIENT KILL TYPE pubsub)', async () => {
    const link = await open();
    const got = inbox(link);
    await link.subscribe(['t:c:room']);
    expect(await admin.client('KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(1);
    await until(() => link.stats().subscriberReconnects >= 1 && link.state === 'up', 'the subscriber to reconnect');
    await deliverTo(got, 't:c:room', 'after-kill');
  });

  it('probes a subscriber connection gone silent and rebuilds it', async () => {
    const proxy: StallProxy = await startStallProxy(redis.port);
    cleanups.push(() => proxy.close());
    const link = await open({ url: proxy.url, probeSilenceMs: 100, probeAnswerTimeoutMs: 200 });
    const got = inbox(link);
    await link.subscribe(['t:p:room']);
    await deliverTo(got, 't:p:room', 'before');
    // Only the subscriber's socket goes dead; no error and no close reach the client.
    expect(proxy.stall(/subscribe/i)).toBe(1);
    await until(() => link.stats().probeRestarts >= 1 && link.state === 'up', 'the probe to rebuild the subscriber', 15_000);
    expect(link.stats().probesSent).toBeGreaterThanOrEqual(1);
    await deliverTo(got, 't:p:room', 'after');
  });
});
