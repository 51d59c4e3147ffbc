// startRedis against the real redis-server: fresh data after restart, a kill refuses connections, clear start errors.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStartError, startRedis, type TestRedis } from './redis.js';

/** Sends one inline command and resolves with the reply's first `lines` lines, or rejects with the socket error. */
function command(port: number, line: string, lines = 1): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      const got = reply.split('\r\n');
      if (got.length > lines) {
        socket.destroy();
        resolve(got.slice(0, lines).join(' '));
      }
    });
  });
}

describe('startRedis', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('answers PING on the port its url names, with persistence off', async () => {
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await command(redis.port, 'PING')).toBe('+PONG');
    expect(await command(redis.port, 'CONFIG GET appendonly', 5)).toBe('*2 $10 appendonly $2 no');
    expect(await command(redis.port, 'CONFIG GET save', 5)).toBe('*2 $4 save $0 ');
    expect(await command(redis.port, 'CONFIG GET bind', 5)).toBe('*2 $4 bind $9 127.0.0.1');
  });

  it('restart() comes back on the same port with no data', async () => {
    expect(await command(redis.port, 'SET survives-restart yes')).toBe('+OK');
    await redis.restart();
    expect(await command(redis.port, 'PING')).toBe('+PONG');
    expect(await command(redis.port, 'GET survives-restart')).toBe('$-1');
  });

  it('kill() ends the server at once: connections are refused until restart()', async () => {
    await redis.kill();
    await expect(command(redis.port, 'PING')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await redis.restart();
    expect(await command(redis.port, 'PING')).toBe('+PONG');
  });
});

describe('startRedis errors', () => {
  it('stop() frees the port and may be called twice', async () => {
    const redis = await startRedis();
    await redis.stop();
    await redis.stop();
    await expect(command(redis.port, 'PING')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('names the missing binary with code redis_not_installed', async () => {
    const error = await startRedis({ binary: 'redis-server-that-is-not-installed' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisStartError);
    expect(error).toMatchObject({ code: 'redis_not_installed' });
    expect(String((error as Error).message)).toMatch(/redis-server-that-is-not-installed not found/);
  });

  it('reports a server that exits at start with its output (redis_start_failed)', async () => {
    const error = await startRedis({ args: ['--no-such-option', 'x'] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RedisStartError', code: 'redis_start_failed' });
    expect(String((error as Error).message)).toMatch(/no-such-option/);
  });
});
