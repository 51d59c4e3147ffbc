// The cluster scenario's redis-server and its minimal RESP client: replies, command statistics,
// and a real server when one is installed.
import { describe, expect, it } from 'vitest';
import { redisMissing } from '../scenarios/cluster.js';
import { commandDelta, commandStats, parseCommandStats, parseResp, redisCommand, startRedisServer } from './redis.js';

describe('parseResp', () => {
  it('reads strings, integers, bulk strings, arrays and errors; undefined while incomplete', () => {
    expect(parseResp(Buffer.from('+PONG\r\n'), 0)).toEqual({ value: 'PONG', next: 7 });
    expect(parseResp(Buffer.from(':42\r\n'), 0)).toEqual({ value: 42, next: 5 });
    expect(parseResp(Buffer.from('$5\r\nhe\r\no\r\n'), 0)?.value).toBe('he\r\no');
    expect(parseResp(Buffer.from('$-1\r\n'), 0)?.value).toBeNull();
    expect(parseResp(Buffer.from('*2\r\n$3\r\nabc\r\n:2\r\n'), 0)?.value).toEqual(['abc', 2]);
    expect(parseResp(Buffer.from('-ERR nope\r\n'), 0)?.value).toBeInstanceOf(Error);
    expect(parseResp(Buffer.from('$5\r\nhe'), 0)).toBeUndefined();
    expect(parseResp(Buffer.from('*2\r\n:1\r\n'), 0)).toBeUndefined();
  });
});

describe('command statistics', () => {
  const info = '# Commandstats\r\ncmdstat_publish:calls=120,usec=300,usec_per_call=2.50,rejected_calls=0,failed_calls=0\r\ncmdstat_info:calls=3,usec=1\r\ncmdstat_client|setname:calls=2,usec=1\r\n';

  it('reads calls per command, subcommands by their Redis names', () => {
    expect(parseCommandStats(info)).toEqual({ publish: 120, info: 3, 'client|setname': 2 });
  });

  it('gives what ran between two readings, without the INFO calls that read them', () => {
    expect(commandDelta({ publish: 100, info: 1, get: 5 }, { publish: 120, info: 3, get: 5, evalsha: 2 })).toEqual({ publish: 20, evalsha: 2 });
  });
});

describe.skipIf(redisMissing() !== undefined)('startRedisServer', () => {
  it('starts a server on a free port that answers and counts its commands', async () => {
    const redis = await startRedisServer();
    try {
      expect(await redisCommand(redis.port, ['PING'])).toBe('PONG');
      const before = await commandStats(redis.port);
      await redisCommand(redis.port, ['PUBLISH', 'bench:ch', 'x']);
      await redisCommand(redis.port, ['PUBLISH', 'bench:ch', 'y']);
      const delta = commandDelta(before, await commandStats(redis.port));
      expect(delta).toMatchObject({ publish: 2 });
      expect(delta.info).toBeUndefined();
    } finally {
      await redis.stop();
    }
  });
});

describe('a missing redis-server', () => {
  it('is reported, and starting one is unavailable (a skipped row), not a failure', async () => {
    expect(redisMissing('/nonexistent/redis-server')).toMatch(/not found.*REDIS_SERVER_PATH/);
    await expect(startRedisServer(undefined, '/nonexistent/redis-server')).rejects.toMatchObject({ name: 'UnavailableError' });
  });
});
