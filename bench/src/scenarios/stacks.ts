// Starts the systems under test as child processes: the Strands broker with N echo backends,
// the bare `ws` baseline, or the PyStrands Go broker, each behind one `Stack` interface.
import { isUnavailableError } from '../errors.js';
import type { BackendImpl } from '../options.js';
import type { ServerRole } from '../results.js';
import { startChild, type ChildServer, type MemoryReading } from '../servers/child.js';
import { CURRENT_LAUNCH, type Launch } from '../servers/launch.js';
import { startPyStrands } from '../servers/pystrands.js';
import type { EchoMode } from '../servers/raw-echo-backend.js';

/** One process of a stack. */
export interface ServerProcess {
  role: ServerRole;
  pid: number;
}

/** A running system under test. */
export interface Stack {
  /** ws:// base URL without a path; clients append /ws/<room>. */
  baseUrl: string;
  /** What ran, when it differs from what was asked (e.g. the SDK fell back to the raw backend). */
  note: string | undefined;
  /** Every server process of the stack, whose CPU time a measurement reads. */
  processes: ServerProcess[];
  /** Memory of the process that holds client connections (broker or baseline server). */
  memory(): Promise<MemoryReading>;
  stop(): Promise<void>;
}

async function stopAll(children: ChildServer<unknown>[]): Promise<void> {
  await Promise.allSettled(children.map((c) => c.stop()));
}

/**
 * The Strands broker plus `backends` echo backend processes, with the packages of `launch`'s
 * tree. Uses the SDK backend, or the raw TCP reference when asked or while the SDK has not
 * landed (said in `note`).
 */
export async function startStrands(backends: number, mode: EchoMode, impl: BackendImpl, launch: Launch = CURRENT_LAUNCH): Promise<Stack> {
  const broker = await startChild<{ wsUrl: string; tcpHost: string; tcpPort: number }>('./broker-process.ts', [], launch);
  const children: ChildServer<unknown>[] = [];
  let used = impl;
  try {
    for (let i = 0; i < backends; i += 1) {
      const args = [broker.info.tcpHost, String(broker.info.tcpPort), mode];
      try {
        children.push(await startChild('./echo-backend.ts', [...args, used], launch));
      } catch (error) {
        if (!(used === 'sdk' && isUnavailableError(error))) throw error;
        used = 'raw';
        children.push(await startChild('./echo-backend.ts', [...args, used], launch));
      }
    }
  } catch (error) {
    await stopAll([...children, broker]);
    throw error;
  }
  return {
    baseUrl: broker.info.wsUrl,
    note: used === impl ? undefined : '@strands/backend not available: raw TCP echo backend used',
    processes: [{ role: 'broker', pid: broker.pid }, ...children.map((c) => ({ role: 'backend' as const, pid: c.pid }))],
    memory: () => broker.memory(),
    stop: () => stopAll([...children, broker]),
  };
}

/**
 * The bare `ws` server: 'echo' is the round-trip ceiling, 'room' a naive fan-out loop. It loads
 * no @strands package, so it is the same server whichever tree `launch` names.
 */
export async function startWsBaseline(mode: EchoMode, launch: Launch = CURRENT_LAUNCH): Promise<Stack> {
  const server = await startChild<{ url: string }>('./ws-echo-server.ts', [mode], launch);
  return {
    baseUrl: server.info.url.replace(/\/ws\/bench$/, ''),
    note: undefined,
    processes: [{ role: 'ws', pid: server.pid }],
    memory: () => server.memory(),
    stop: () => server.stop(),
  };
}

/** The PyStrands Go broker with its Go echo backend, on `cpus` when pinned. */
export async function startPyStrandsStack(brokerBin: string, echoBin: string, cpus?: string): Promise<Stack> {
  const stack = await startPyStrands(brokerBin, echoBin, cpus);
  return {
    baseUrl: stack.info.wsUrl,
    note: undefined,
    processes: [{ role: 'broker', pid: stack.pid }, { role: 'backend', pid: stack.info.echoPid }],
    memory: () => stack.memory(),
    stop: () => stack.stop(),
  };
}
