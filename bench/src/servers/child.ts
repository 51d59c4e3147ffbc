// Runs a server (broker, backend, baseline) in its own Node process, so that it gets its own
// event loop and core time, and talks to it over IPC: ready info, memory readings, stop.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BenchError, UnavailableError } from '../errors.js';
import { CURRENT_LAUNCH, type Launch } from './launch.js';

const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const STDERR_KEEP = 4_000;

/**
 * With env BENCH_CPU_PROF=<dir>, every server child writes a V8 CPU profile there when it stops
 * (open in Chrome DevTools or speedscope): profile the broker before guessing what is slow.
 */
let profiles = 0;
function profileFlags(entry: string): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return [];
  const name = entry.replace(/^.*\//, '').replace(/\.ts$/, '');
  profiles += 1;
  // One folder per child: Node writes one profile per thread (the main thread's has thread id 0
  // in its name; tsx's loader thread writes another), and a fixed file name would let them collide.
  return ['--cpu-prof', `--cpu-prof-dir=${dir}/${name}-${profiles}`];
}

/** Messages a child sends to the suite. */
export type ChildMessage =
  | { type: 'ready'; info: Record<string, unknown> }
  | { type: 'unavailable'; reason: string }
  | { type: 'memory'; rssBytes: number; heapUsedBytes: number; heapTotalBytes: number };

/** Memory of a child process, read after a forced garbage collection. */
export interface MemoryReading {
  rssBytes: number;
  heapUsedBytes: number;
  /** What V8 holds for its heap, used or not (0 where the process is not Node). */
  heapTotalBytes: number;
}

/** A running child server. */
export interface ChildServer<Info> {
  info: Info;
  pid: number;
  /** Reads the child's memory (after a GC). */
  memory(): Promise<MemoryReading>;
  /** Stops the child and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `entry` (a TypeScript file under bench/src/servers) in a child process and waits for
 * its `ready` message. `launch` says which tree's @strands packages it loads (the entry file is
 * always this tree's, so that only the packages differ between trees) and which CPUs it may use.
 * Throws UnavailableError when the child reports that a package it needs has not landed,
 * BenchError('child_failed') when it dies or never gets ready.
 */
export async function startChild<Info>(entry: string, args: string[] = [], launch: Launch = CURRENT_LAUNCH): Promise<ChildServer<Info>> {
  const nodeArgs = ['--import', 'tsx', '--expose-gc', ...profileFlags(entry)];
  // Pinned: taskset execs node in place (same pid, IPC descriptor inherited), so every thread
  // the child ever starts is bound to the server CPUs.
  const pinned = launch.cpus === undefined ? {} : { execPath: 'taskset', execArgv: ['-c', launch.cpus, process.execPath, ...nodeArgs] };
  const child = fork(fileURLToPath(new URL(entry, import.meta.url)), args, {
    cwd: BENCH_DIR,
    execArgv: nodeArgs,
    ...pinned,
    env: { ...process.env, TSX_TSCONFIG_PATH: launch.tsconfig },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_KEEP);
  });
  const info = await new Promise<Info>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new BenchError('child_failed', `${entry} was not ready within ${READY_TIMEOUT_MS} ms\n${stderr}`));
    }, READY_TIMEOUT_MS);
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(message.info as Info);
      } else if (message.type === 'unavailable') {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.kill('SIGKILL');
        reject(new UnavailableError(message.reason));
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      clearTimeout(timer);
      reject(new BenchError('child_failed', `${entry} exited (${code ?? signal}) before it was ready\n${stderr}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
  return wrap(child, info, entry, () => stderr);
}

function wrap<Info>(child: ChildProcess, info: Info, entry: string, stderr: () => string): ChildServer<Info> {
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  return {
    info,
    pid: child.pid ?? -1,
    memory: () =>
      new Promise((resolve, reject) => {
        if (exited) return reject(new BenchError('child_failed', `${entry} has exited\n${stderr()}`));
        const onMessage = (message: ChildMessage) => {
          if (message.type !== 'memory') return;
          child.off('message', onMessage);
          resolve({ rssBytes: message.rssBytes, heapUsedBytes: message.heapUsedBytes, heapTotalBytes: message.heapTotalBytes });
        };
        child.on('message', onMessage);
        child.send({ type: 'memory' });
      }),
    stop: async () => {
      if (exited) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    },
  };
}
