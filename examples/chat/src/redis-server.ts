// A throwaway redis-server for `pnpm start --cluster`: a free loopback port, no persistence, its own
// temporary folder, ready once it answers PING, and gone (folder included) after stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LaunchError } from './errors.js';

/** How long redis-server may take to answer PING, in ms. */
export const REDIS_START_TIMEOUT_MS = 10_000;
/** What to tell someone without redis-server. */
export const REDIS_INSTALL_HINT =
  'redis-server not found: install it (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis), ' +
  'set REDIS_SERVER_PATH to it, or give a Redis already running with --redis-url redis://host:port/0';

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>/0`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves with the exit code (or signal) once it exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM (SIGKILL after `timeoutMs`), then the data folder is removed. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL at once, synchronously (for a `process.on('exit')` hook). */
  stopNow(): void;
}

/**
 * Starts `redis-server` (or `$REDIS_SERVER_PATH`) on a free loopback port. It runs in a process
 * group of its own, so a terminal's Ctrl-C does not stop it before the brokers that use it: the
 * caller stops it, last.
 * @example
 * const redis = await startRedisServer();
 * console.log(redis.url); // redis://127.0.0.1:40123/0
 */
export async function startRedisServer(binary = process.env.REDIS_SERVER_PATH ?? 'redis-server'): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'strands-chat-redis-'));
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-2000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  void exited.then(() => rm(dir, { recursive: true, force: true }));
  let failed = false;
  try {
    await Promise.race([
      untilPing(port, () => failed),
      new Promise<never>((_, reject) => {
        child.once('error', (error: NodeJS.ErrnoException) =>
          reject(new LaunchError(error.code === 'ENOENT' ? REDIS_INSTALL_HINT : `${binary} could not be started: ${error.message}`, 'redis', { cause: error })),
        );
        void exited.then((how) => reject(new LaunchError(`${binary} exited (${how}) before answering PING:\n${output}`, 'redis')));
      }),
    ]);
  } catch (error) {
    failed = true;
    await stop(child, exited, 1000);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  child.stdout.off('data', keep).resume();
  child.stderr.off('data', keep).resume();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    pid: child.pid!,
    exited,
    stop: (timeoutMs = 5000) => stop(child, exited, timeoutMs),
    stopNow: () => void child.kill('SIGKILL'),
  };
}

async function stop(child: ChildProcess, exited: Promise<unknown>, timeoutMs: number): Promise<void> {
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** Resolves once PING on `port` answers PONG; rejects after REDIS_START_TIMEOUT_MS; gives up once `abandoned()`. */
async function untilPing(port: number, abandoned: () => boolean): Promise<void> {
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while (!(await pings(port))) {
    if (abandoned()) return;
    if (Date.now() > deadline) throw new LaunchError(`redis-server did not answer PING on ${port} within ${REDIS_START_TIMEOUT_MS} ms`, 'redis');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** A loopback port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
