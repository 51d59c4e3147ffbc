// A redis-server for the cluster scenario: spawned on a free loopback port with no persistence
// (as testing/src/redis.ts does for the tests), pinned with the other servers under --pin, and
// asked for its own command statistics over a minimal RESP client (no Redis package needed here).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchError, UnavailableError } from '../errors.js';

const START_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 5_000;
const STOP_TIMEOUT_MS = 5_000;

// No IPC channel ends redis-server with the suite: kill it on exit.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A running redis-server. */
export interface RedisServer {
  /** redis://127.0.0.1:<port>/0 */
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** The binary: env REDIS_SERVER_PATH, else `redis-server` on the PATH. */
export function redisBinary(env: Record<string, string | undefined> = process.env): string {
  return env.REDIS_SERVER_PATH || 'redis-server';
}

/** A RESP reply, as far as this client needs: strings, integers, arrays, errors as Error. */
export type RespValue = string | number | null | Error | RespValue[];

/**
 * Parses one RESP reply from `buffer` at `offset`; undefined while it is incomplete.
 * @example parseResp(Buffer.from(':3\r\n'), 0) // { value: 3, next: 4 }
 */
export function parseResp(buffer: Buffer, offset: number): { value: RespValue; next: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd < 0) return undefined;
  const kind = String.fromCharCode(buffer[offset] ?? 0);
  const text = buffer.toString('utf8', offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (kind) {
    case '+':
      return { value: text, next: after };
    case '-':
      return { value: new Error(text), next: after };
    case ':':
      return { value: Number(text), next: after };
    case '$': {
      const length = Number(text);
      if (length < 0) return { value: null, next: after };
      if (buffer.length < after + length + 2) return undefined;
      return { value: buffer.toString('utf8', after, after + length), next: after + length + 2 };
    }
    case '*': {
      const count = Number(text);
      if (count < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < count; i += 1) {
        const item = parseResp(buffer, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP reply: ${buffer.toString('utf8', offset, Math.min(buffer.length, offset + 40))}`);
  }
}

/** Sends one command on a fresh connection and resolves its reply (a Redis error rejects). */
export function redisCommand(port: number, args: string[]): Promise<RespValue> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let data = Buffer.alloc(0);
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(COMMAND_TIMEOUT_MS, () => fail(new Error(`redis ${args[0]} timed out`)));
    socket.once('error', fail);
    socket.once('connect', () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      let reply: ReturnType<typeof parseResp>;
      try {
        reply = parseResp(data, 0);
      } catch (error) {
        return fail(error as Error);
      }
      if (reply === undefined) return;
      socket.destroy();
      if (reply.value instanceof Error) reject(reply.value);
      else resolve(reply.value);
    });
  });
}

/**
 * Calls per command from the text of `INFO commandstats`
 * (`cmdstat_publish:calls=12,usec=...`); subcommands keep Redis' names (`client|setname`).
 */
export function parseCommandStats(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (match !== null) calls[match[1]!] = Number(match[2]);
  }
  return calls;
}

/** Commands Redis has served so far, per command (its own counters: every client of it). */
export async function commandStats(port: number): Promise<Record<string, number>> {
  const reply = await redisCommand(port, ['INFO', 'commandstats']);
  if (typeof reply !== 'string') throw new Error('INFO commandstats gave no text');
  return parseCommandStats(reply);
}

/**
 * What the cluster did between two readings: calls per command, without the INFO calls that
 * read them (and any other command of this suite's own: `exclude`).
 */
export function commandDelta(
  before: Record<string, number>,
  after: Record<string, number>,
  exclude: readonly string[] = ['info', 'pubsub|numsub'],
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after)) {
    if (exclude.includes(name)) continue;
    const used = calls - (before[name] ?? 0);
    if (used > 0) delta[name] = used;
  }
  return delta;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

async function pings(port: number): Promise<boolean> {
  try {
    return (await redisCommand(port, ['PING'])) === 'PONG';
  } catch {
    return false;
  }
}

/**
 * Starts redis-server on a free loopback port (no RDB, no AOF, its own temp dir), on `cpus` when
 * pinned, and resolves once it answers PING. Throws UnavailableError when there is no binary
 * (the row is then skipped), BenchError('child_failed') when it does not start.
 */
export async function startRedisServer(cpus?: string, binary = redisBinary()): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'strands-bench-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''];
  const child = cpus === undefined ? spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('taskset', ['-c', cpus, binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => { running.delete(child); resolve(); }));
  const cleanup = async () => {
    // A binary that could not be spawned never had a process to wait for.
    if (spawnError === undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (spawnError !== undefined || child.exitCode !== null) {
      await cleanup();
      // taskset reports a missing binary as exit 1 "failed to execute"; spawn as ENOENT.
      if (spawnError?.code === 'ENOENT' || /failed to execute|No such file/.test(output)) {
        throw new UnavailableError(`${binary} not found: install redis-server (scripts/ensure-redis.sh does) or set REDIS_SERVER_PATH`);
      }
      throw new BenchError('child_failed', `${binary} exited before answering PING: ${spawnError?.message ?? output}`);
    }
    if (await pings(port)) break;
    if (Date.now() > deadline) {
      await cleanup();
      throw new BenchError('child_failed', `${binary} did not answer PING on ${port} within ${START_TIMEOUT_MS} ms: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.stdout?.off('data', keep).resume();
  child.stderr?.off('data', keep).resume();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
