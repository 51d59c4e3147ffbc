// Starts the systems under test as child processes: the Strands broker with N echo backends,
// the bare `ws` baseline, or the PyStrands Go broker, each behind one `Stack` interface.
import { BenchError, isUnavailableError } from '../errors.js';
import type { BackendImpl } from '../options.js';
import type { ServerRole } from '../results.js';
import { startChild, type ChildServer, type MemoryReading } from '../servers/child.js';
import { CURRENT_LAUNCH, type Launch } from '../servers/launch.js';
import { startPyStrands } from '../servers/pystrands.js';
import type { EchoMode } from '../servers/raw-echo-backend.js';
import { startRedisServer, type RedisServer } from '../servers/redis.js';

/** One process of a stack. */
export interface ServerProcess {
  role: ServerRole;
  pid: number;
  /** Its own name where a stack has several of a role ('broker A'): its CPU is then reported on its own too. */
  name?: string;
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

export async function stopAll(children: ChildServer<unknown>[]): Promise<void> {
  await Promise.allSettled(children.map((c) => c.stop()));
}

/** Starts one echo backend on a broker: the SDK, or the raw reference when asked or while the SDK has not landed. */
export async function startEchoBackend(
  tcpHost: string,
  tcpPort: number,
  mode: EchoMode,
  impl: BackendImpl,
  launch: Launch,
  ack = false,
): Promise<{ child: ChildServer<unknown>; used: BackendImpl }> {
  const args = [tcpHost, String(tcpPort), mode];
  const ackArg = ack ? ['ack'] : [];
  try {
    return { child: await startChild('./echo-backend.ts', [...args, impl, ...ackArg], launch), used: impl };
  } catch (error) {
    if (!(impl === 'sdk' && isUnavailableError(error))) throw error;
    return { child: await startChild('./echo-backend.ts', [...args, 'raw'], launch), used: 'raw' };
  }
}

/** What a Strands stack may add to the plain broker and echo backends. */
export interface StrandsExtras {
  /** The SDK backends acknowledge every event. @default false */
  ack?: boolean;
  /** Rooms with history, by name pattern (`hist*`). @default none */
  historyRooms?: string[];
}

/**
 * The Strands broker plus `backends` echo backend processes, with the packages of `launch`'s
 * tree. Uses the SDK backend, or the raw TCP reference when asked or while the SDK has not
 * landed (said in `note`).
 */
export async function startStrands(backends: number, mode: EchoMode, impl: BackendImpl, launch: Launch = CURRENT_LAUNCH, extras: StrandsExtras = {}): Promise<Stack> {
  const { ack = false, historyRooms = [] } = extras;
  const brokerArgs = historyRooms.length === 0 ? [] : ['--history-rooms', historyRooms.join(',')];
  const broker = await startChild<{ wsUrl: string; tcpHost: string; tcpPort: number }>('./broker-process.ts', brokerArgs, launch);
  const children: ChildServer<unknown>[] = [];
  let used = impl;
  try {
    for (let i = 0; i < backends; i += 1) {
      const backend = await startEchoBackend(broker.info.tcpHost, broker.info.tcpPort, mode, used, launch, ack);
      children.push(backend.child);
      used = backend.used;
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

/** Broker child info. */
interface BrokerInfo {
  wsUrl: string;
  wsPort: number;
  tcpHost: string;
  tcpPort: number;
}

/** Two cluster brokers on one redis-server: A has no backend, B has the echo backend. */
export interface ClusterStack extends Stack {
  /** ws:// base URL of broker A (no backend of its own: it forwards connection requests and relays events to B). */
  urlA: string;
  /** ws:// base URL of broker B (the echo backend's). `baseUrl` is B's too. */
  urlB: string;
  redisPort: number;
  /** --cluster-prefix of both brokers: Redis channel names start with it. */
  prefix: string;
}

const READY_TIMEOUT_MS = 15_000;

/** Waits until GET /readyz of a broker answers 200 (a backend can decide, the cluster link is up); 404 counts as ready (a broker without it). */
async function untilReady(broker: BrokerInfo, name: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${broker.wsPort}/readyz`);
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
      if (res.status === 200 || res.status === 404) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new BenchError('child_failed', `cluster broker ${name} not ready within ${READY_TIMEOUT_MS} ms: /readyz ${last}`);
}

let clusters = 0;

/** Where the cluster's brokers queue client events: the cluster's default durable Redis queue, or memory. */
export type ClusterQueue = 'redis' | 'memory';

/**
 * Cluster mode on this machine: a redis-server (fresh, no persistence), brokers A and B with
 * `cluster: { url, prefix }`, and one echo backend connected to B only; resolves once both brokers
 * are ready (A has heard of B's backend). Throws UnavailableError without redis-server.
 */
export async function startCluster(
  mode: EchoMode,
  impl: BackendImpl,
  launch: Launch = CURRENT_LAUNCH,
  queue: ClusterQueue = 'redis',
  /** Both brokers' clientWriteDelayMs; the brokers' default (1 in cluster mode) when undefined. */
  writeDelayMs?: number,
): Promise<ClusterStack> {
  const redis: RedisServer = await startRedisServer(launch.cpus);
  clusters += 1;
  const prefix = `bench${process.pid}c${clusters}`;
  const children: ChildServer<unknown>[] = [];
  const stop = async () => {
    // The backend first (B then has nothing to relay), then the brokers, then Redis under them.
    await stopAll(children.slice(2));
    await stopAll(children.slice(0, 2));
    await redis.stop();
  };
  try {
    const started = await Promise.allSettled(
      ['A', 'B'].map(() =>
        startChild<BrokerInfo>(
          './broker-process.ts',
          [...(writeDelayMs === undefined ? [] : ['--client-write-delay-ms', String(writeDelayMs)]), '--cluster', redis.url, prefix, ...(queue === 'memory' ? ['memory-queue'] : [])],
          launch,
        ),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') children.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const [a, b] = children as [ChildServer<BrokerInfo>, ChildServer<BrokerInfo>];
    const backend = await startEchoBackend(b.info.tcpHost, b.info.tcpPort, mode, impl, launch);
    children.push(backend.child);
    await Promise.all([untilReady(a.info, 'A'), untilReady(b.info, 'B')]);
    return {
      baseUrl: b.info.wsUrl,
      urlA: a.info.wsUrl,
      urlB: b.info.wsUrl,
      redisPort: redis.port,
      prefix,
      note: backend.used === impl ? undefined : '@strands/backend not available: raw TCP echo backend used',
      processes: [
        { role: 'broker', pid: a.pid, name: 'broker A' },
        { role: 'broker', pid: b.pid, name: 'broker B' },
        { role: 'backend', pid: backend.child.pid, name: 'backend' },
        { role: 'redis', pid: redis.pid, name: 'redis' },
      ],
      memory: () => a.memory(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
