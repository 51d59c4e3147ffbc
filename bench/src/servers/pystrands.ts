// The PyStrands Go broker and its Go echo backend, run from binaries given in the environment
// (never part of this repository), for the Strands-vs-PyStrands comparison.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { BenchError } from '../errors.js';
import { openClient } from '../load/connect.js';
import type { ChildServer } from './child.js';

const READY_TIMEOUT_MS = 15_000;
/** TCP connections the Go echo backend opens (the figure PyStrands' own measurements used). */
const GO_BACKEND_CONNECTIONS = 4;

// These binaries have no IPC channel that would end them with the suite: kill them on exit.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** taskset execs the binary in place, so the pid is the binary's. */
function spawnPinned(bin: string, args: string[], cpus: string | undefined): ChildProcess {
  return cpus === undefined ? spawn(bin, args, { stdio: 'ignore' }) : spawn('taskset', ['-c', cpus, bin, ...args], { stdio: 'ignore' });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

async function waitUntil(check: () => Promise<boolean>, what: string, children: () => ChildProcess[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (children().some((c) => c.exitCode !== null)) break;
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const c of children()) c.kill('SIGKILL');
  throw new BenchError('child_failed', `PyStrands ${what} did not get ready`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts the Go broker (its per-frame log goes nowhere, as in PyStrands' own measurements) and
 * the Go echo backend, and resolves once a WebSocket client is accepted through them. With
 * `cpus` (a taskset -c list) both run on those CPUs only.
 */
export async function startPyStrands(
  brokerBin: string,
  echoBin: string,
  cpus?: string,
): Promise<ChildServer<{ wsUrl: string; echoPid: number }>> {
  const wsPort = await freePort();
  const tcpPort = await freePort();
  const broker = track(spawnPinned(brokerBin, ['--ws-port', String(wsPort), '--tcp-port', String(tcpPort)], cpus));
  const children: ChildProcess[] = [broker];
  // Probe the WebSocket port only: a probe on the TCP port would register as a dead backend.
  await waitUntil(() => accepts(wsPort), 'broker', () => children);
  await new Promise((resolve) => setTimeout(resolve, 200)); // the TCP listener starts beside it
  const echo = track(spawnPinned(echoBin, [`127.0.0.1:${tcpPort}`, String(GO_BACKEND_CONNECTIONS)], cpus));
  children.push(echo);
  await waitUntil(
    async () => {
      try {
        (await openClient(`ws://127.0.0.1:${wsPort}/ws/probe`)).terminate();
        return true;
      } catch {
        return false;
      }
    },
    'echo backend',
    () => children,
  );
  const stopOne = (c: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  return {
    info: { wsUrl: `ws://127.0.0.1:${wsPort}`, echoPid: echo.pid ?? -1 },
    pid: broker.pid ?? -1,
    memory: async () => ({ rssBytes: rssOf(broker.pid ?? -1), heapUsedBytes: 0, heapTotalBytes: 0 }),
    stop: async () => {
      await Promise.all(children.map(stopOne));
    },
  };
}
