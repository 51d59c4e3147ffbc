// The durable queue through Redis: the round trip on one broker whose client events go through
// Redis Streams (`queue: { url }`), against the same load with the in-memory queue in the same run
// (interleaved under --repeat); CPU per 1,000 of the broker and of redis-server, and Redis
// commands per message. With an acknowledging backend every event is written (enqueue script) and
// released (XACK + XDEL) once acknowledged; with a backend that does not acknowledge, an event is
// done once written to it, mostly before its write to Redis went out, which is then skipped.
// Cluster mode uses the same store (its cross-broker round trip is in the cluster scenario).
import { runLoad, type LoadHooks } from '../load/generator.js';
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { startChild, type ChildServer } from '../servers/child.js';
import type { Launch } from '../servers/launch.js';
import { commandStats, startRedisServer } from '../servers/redis.js';
import { redisFigures, redisMissing, versus } from './cluster.js';
import { loadRow, loadSpec, repeated, withStack, type Log, type RowHead, type ScenarioContext } from './measure.js';
import { cpuWindow } from './server-cpu.js';
import { startEchoBackend, stopAll, type Stack } from './stacks.js';

interface BrokerInfo {
  wsUrl: string;
  tcpHost: string;
  tcpPort: number;
}

/** What one row runs: the queue (memory or Redis) and whether the echo backend acknowledges. */
interface QueueSetup {
  redis: boolean;
  ack: boolean;
}

export function queueHeads(options: BenchOptions): { memory: RowHead; redisAck: RowHead; redisNoAck: RowHead } {
  const clients = options.roundTripClients[0] ?? 100;
  const head = (id: string, label: string): RowHead => ({ scenario: 'queue', id: `queue/${id}/${clients}`, system: 'strands', label, clients, backends: 1, metric: 'msg/s' });
  return {
    memory: head('memory-ack', 'one broker, memory queue, backend acks (reference)'),
    redisAck: head('redis-ack', 'one broker, Redis Streams queue, backend acks'),
    redisNoAck: head('redis-no-ack', 'one broker, Redis Streams queue, no acks'),
  };
}

/** A fresh redis-server (when asked), one broker with `queue: { url }` on it, and one echo backend. */
async function startQueueStack(options: BenchOptions, launch: Launch, setup: QueueSetup): Promise<Stack & { redisPort: number | undefined }> {
  const redis = setup.redis ? await startRedisServer(launch.cpus) : undefined;
  const children: ChildServer<unknown>[] = [];
  const stop = async () => {
    await stopAll(children.slice(1));
    await stopAll(children.slice(0, 1));
    await redis?.stop();
  };
  try {
    const broker = await startChild<BrokerInfo>('./broker-process.ts', redis === undefined ? [] : ['--queue', redis.url, `benchq${process.pid}`], launch);
    children.push(broker);
    const backend = await startEchoBackend(broker.info.tcpHost, broker.info.tcpPort, 'echo', options.backendImpl, launch, setup.ack);
    children.push(backend.child);
    return {
      baseUrl: broker.info.wsUrl,
      redisPort: redis?.port,
      note: backend.used === options.backendImpl ? undefined : '@strands/backend not available: raw TCP echo backend used',
      processes: [
        { role: 'broker', pid: broker.pid },
        { role: 'backend', pid: backend.child.pid },
        ...(redis === undefined ? [] : [{ role: 'redis' as const, pid: redis.pid, name: 'redis' }]),
      ],
      memory: () => broker.memory(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function measureQueue(options: BenchOptions, head: RowHead, log: Log, launch: Launch, setup: QueueSetup): Promise<ResultRow> {
  return withStack(head, log, () => startQueueStack(options, launch, setup), async (plain) => {
    const stack = plain as Stack & { redisPort: number | undefined };
    const port = stack.redisPort;
    const cpu = cpuWindow(stack.processes);
    let before: Promise<Record<string, number>> | undefined;
    let after: Promise<Record<string, number>> | undefined;
    const hooks: LoadHooks = {
      onWindowStart: () => {
        cpu.hooks.onWindowStart();
        if (port !== undefined) before = commandStats(port);
      },
      onWindowEnd: () => {
        cpu.hooks.onWindowEnd();
        if (port !== undefined) after = commandStats(port);
      },
    };
    const spec = loadSpec(options, 'ping-pong', `${stack.baseUrl}/ws/echo`, head.clients);
    const result = await runLoad(spec, hooks);
    const redis = before === undefined || after === undefined ? undefined : redisFigures(await before, await after, result.sent, spec.durationMs);
    const row = loadRow(head, result, stack.note, cpu.figures(result.received, spec.durationMs));
    return { ...row, ...(redis === undefined ? {} : { redis }) };
  });
}

/** Runs the queue scenario, or returns skipped rows when redis-server is missing. */
export async function queue(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log, current } = context;
  const heads = queueHeads(options);
  const missing = redisMissing();
  if (missing !== undefined) {
    log(`  queue: skipped: ${missing}`);
    return [heads.redisAck, heads.redisNoAck].map((head) => ({ ...head, value: 0, status: 'skipped' as const, note: missing }));
  }
  const [memory, redisAck, redisNoAck] = await repeated(options, [
    () => measureQueue(options, heads.memory, log, current, { redis: false, ack: true }),
    () => measureQueue(options, heads.redisAck, log, current, { redis: true, ack: true }),
    () => measureQueue(options, heads.redisNoAck, log, current, { redis: true, ack: false }),
  ]);
  return [memory!, versus(redisAck!, memory), versus(redisNoAck!, memory)];
}
