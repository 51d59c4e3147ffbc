// A real redis-server per test run: spawned on a free port with no persistence, stopped, restarted
// on the same port or killed outright, so cluster tests can break Redis the ways production does.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Stable codes of the errors {@link startRedis} throws. */
export const REDIS_TESTING_ERROR_CODES = {
  /** No `redis-server` binary (run `scripts/ensure-redis.sh`, or `apt-get install redis-server`). */
  redis_not_installed: 'redis_not_installed',
  /** The server exited or did not answer PING in time; the message carries its last output. */
  redis_start_failed: 'redis_start_failed',
} as const;
export type RedisTestingErrorCode = keyof typeof REDIS_TESTING_ERROR_CODES;

/** A test Redis could not be started; `code` says why. */
export class RedisStartError extends Error {
  override readonly name = 'RedisStartError' as const;
  constructor(
    message: string,
    readonly code: RedisTestingErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface StartRedisOptions {
  /**
   * The server binary.
   * @default process.env.REDIS_SERVER_PATH ?? 'redis-server' (looked up on the PATH)
   */
  binary?: string;
  /** Extra command-line arguments, appended after the defaults (`['--maxmemory', '10mb']`). @default [] */
  args?: readonly string[];
  /** How long a start (or restart) may take until PING answers. @default 10_000 */
  startTimeoutMs?: number;
}

/** A running test Redis and the ways to end it. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** SIGTERM and wait for the exit; removes the data folder. Safe to call more than once. */
  stop(): Promise<void>;
  /** Stops the server (if running) and starts a fresh one on the same port: all data is gone. */
  restart(): Promise<void>;
  /** SIGKILL and wait for the exit, as a crash looks to its clients; `restart()` brings it back. */
  kill(): Promise<void>;
}

/**
 * Spawns `redis-server` on a free loopback port (no RDB, no AOF, its own temp `--dir`) and waits
 * until it answers PING. Every test file starts its own and stops it in `afterAll`.
 * @example
 * const redis = await startRedis();
 * try { await useRedis(redis.url); } finally { await redis.stop(); }
 */
export async function startRedis(options: StartRedisOptions = {}): Promise<TestRedis> {
  const binary = options.binary ?? process.env.REDIS_SERVER_PATH ?? 'redis-server';
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dir = await mkdtemp(join(tmpdir(), 'strands-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;

  const args = () => [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    ...(options.args ?? []),
  ];

  // A test process that dies without stop() must not leave a server behind.
  const killOnExit = () => child?.kill('SIGKILL');
  process.once('exit', killOnExit);

  const launch = async () => {
    await mkdir(dir, { recursive: true });
    child = await spawnUntilPing(binary, args(), port, startTimeoutMs);
  };
  // The free port is free when asked, not when Redis binds it: another process may take it between.
  const launchOnFreePort = async () => {
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        return await launch();
      } catch (error) {
        if (attempt >= 3 || !String((error as Error).message).includes('Address already in use')) throw error;
      }
    }
  };
  const halt = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };

  await launchOnFreePort().catch(async (error: unknown) => {
    process.off('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
    throw error;
  });

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await halt('SIGTERM');
      process.off('exit', killOnExit);
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt('SIGTERM');
      await launch();
    },
    async kill() {
      await halt('SIGKILL');
    },
  };
}

/** Starts the server and resolves once it answers PING; rejects with its last output otherwise. */
async function spawnUntilPing(
  binary: string,
  args: readonly string[],
  port: number,
  timeoutMs: number,
): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-2_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new RedisStartError(
              `${binary} not found: install Debian's redis-server (scripts/ensure-redis.sh does) or set REDIS_SERVER_PATH`,
              'redis_not_installed',
              { cause: error },
            )
          : new RedisStartError(`${binary} could not be spawned: ${error.message}`, 'redis_start_failed', { cause: error }),
      );
    });
    child.once('exit', (code, signal) => {
      reject(new RedisStartError(`${binary} exited (${signal ?? code}) before answering PING:\n${output}`, 'redis_start_failed'));
    });
  });

  // Handled here so a late exit (a stop long after the start) is no unhandled rejection.
  failed.catch(() => undefined);
  let settled = false;
  const deadline = Date.now() + timeoutMs;
  const answered = (async () => {
    while (!(await pings(port))) {
      if (settled) return;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new RedisStartError(`${binary} did not answer PING on ${port} within ${timeoutMs} ms:\n${output}`, 'redis_start_failed');
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();

  try {
    await Promise.race([answered, failed]);
  } finally {
    settled = true;
  }
  // Past the start, the server's output is no longer needed; keep draining it so pipes never fill.
  child.stdout?.off('data', keep).resume();
  child.stderr?.off('data', keep).resume();
  return child;
}

/** True when a PING on `port` gets `+PONG` back. */
function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

/** A loopback port nobody listens on right now (the OS picks it; Redis binds it next). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
