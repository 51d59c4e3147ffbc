// The launcher's child processes: each runs one of this example's programs under tsx, says when
// it is ready over IPC, and is stopped with SIGTERM (SIGKILL if it does not exit in time).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LaunchError } from './errors.js';

/** How long a child may take to exit after SIGTERM before it is killed, in ms. */
export const STOP_TIMEOUT_MS = 10_000;

/** A running child. */
export interface Child {
  readonly part: string;
  readonly process: ChildProcess;
  /** What the child reported when ready; rejects with a LaunchError if it exits first. */
  readonly ready: Promise<Record<string, unknown>>;
  /** The exit code (or the signal's name) once it exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves once it exited. */
  stop(): Promise<void>;
}

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
// Resolved here rather than by name so that the children find tsx whatever their cwd.
const tsxLoader = import.meta.resolve('tsx');

/** Starts `src/<script>` with `args` (and extra environment `env`) as the launcher's child. */
export function startChild(part: string, script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--import', tsxLoader, fileURLToPath(new URL(script, import.meta.url)), ...args], {
    cwd: exampleDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on('message', (message) => {
      if (typeof message === 'object' && message !== null && (message as { ready?: unknown }).ready === part) {
        resolve(message as Record<string, unknown>);
      }
    });
    child.once('error', (cause) => reject(new LaunchError(`the ${part} could not be started: ${cause.message}`, part, { cause })));
    void exited.then((how) => reject(new LaunchError(`the ${part} exited before it was ready (${how})`, part)));
  });
  ready.catch(() => {}); // Observed by the launcher; this keeps an early exit from being "unhandled".
  return {
    part,
    process: child,
    ready,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
