// Cluster mode on this machine: two brokers on one redis-server, each figure set against the same
// load through one broker in the same run (interleaved under --repeat):
// - round trip with the clients on broker A and the echo backend on broker B only (A relays the
//   client events to B, B's replies cross back through Redis), vs one broker; again with the
//   brokers' client events queued in memory (as the one broker's are) instead of in Redis;
// - fan-out into a room spread over both brokers (receivers half on A, half on B; sender and
//   backend on B), vs one broker; again with the brokers' clientWriteDelayMs at 0 (the
//   cluster default waits 1 ms before fan-out writes, one broker does not wait);
// - Redis commands per message over the window, from Redis' own INFO commandstats.
// With --baseline every setup runs on both trees, interleaved, and each tree's cluster rows are
// set against that tree's own one-broker rows.
import { spawnSync } from 'node:child_process';
import { runLoad, type LoadHooks } from '../load/generator.js';
import type { BenchOptions } from '../options.js';
import type { RedisCommandFigures, ResultRow } from '../results.js';
import { commandDelta, commandStats, redisBinary, redisCommand } from '../servers/redis.js';
import { loadRow, loadSpec, measureLoad, perTree, repeated, setupRows, withStack, type Log, type RowHead, type ScenarioContext } from './measure.js';
import type { Launch } from '../servers/launch.js';
import { cpuWindow } from './server-cpu.js';
import { startCluster, startStrands, type ClusterQueue, type ClusterStack } from './stacks.js';

/**
 * clientWriteDelayMs of the fan-out row without the wait (the brokers' cluster default is 1):
 * a room's messages reach each broker spread out in time (the Redis hop), so without it each
 * write to a client carries fewer of them than one broker's do, and each delivery costs more.
 */
export const CLUSTER_NO_WRITE_DELAY_MS = 0;

/** How long the fan-out waits for both brokers to subscribe the room's channel before it starts. */
const SUBSCRIBE_WAIT_MS = 5_000;
/**
 * Longest idle sample of Redis' background commands before the load (at most the window): a
 * multiple of the brokers' presence refresh slice (25 s in 10 slices, 2.5 s each), so that it
 * holds whole slices as the window does.
 */
export const REDIS_BACKGROUND_SAMPLE_MS = 5_000;

/** Commands per second in an idle sample. */
export interface RedisBackground {
  perSec: number;
  byCommand: Record<string, number>;
}

/** The background rate from two readings `ms` apart. */
export function redisBackground(before: Record<string, number>, after: Record<string, number>, ms: number): RedisBackground {
  const delta = commandDelta(before, after);
  const round = (n: number) => Math.round(n * 100) / 100;
  const perSec = (calls: number) => (ms > 0 ? (calls * 1000) / ms : 0);
  const total = Object.values(delta).reduce((a, b) => a + b, 0);
  return {
    perSec: round(perSec(total)),
    byCommand: Object.fromEntries(Object.entries(delta).sort(([, x], [, y]) => y - x).map(([name, calls]) => [name, round(perSec(calls))])),
  };
}

/** The row heads of the scenario, by what they measure. */
export function clusterHeads(options: BenchOptions): {
  singleTrip: RowHead;
  crossTrip: RowHead;
  crossTripMemory: RowHead;
  singleFan: RowHead;
  spreadFan: RowHead;
  spreadFanNoDelay: RowHead;
} {
  const clients = options.roundTripClients[0] ?? 100;
  const receivers = options.fanOutReceivers;
  return {
    singleTrip: { scenario: 'cluster', id: `cluster/single-round-trip/${clients}`, system: 'strands', label: 'one broker + echo backend (reference)', clients, backends: 1, metric: 'msg/s' },
    crossTrip: { scenario: 'cluster', id: `cluster/cross-round-trip/${clients}`, system: 'strands', label: '2 brokers + Redis: clients on A, backend on B', clients, backends: 1, metric: 'msg/s' },
    crossTripMemory: {
      scenario: 'cluster',
      id: `cluster/cross-round-trip-memory-queue/${clients}`,
      system: 'strands',
      label: 'the same, client events queued in memory',
      clients,
      backends: 1,
      metric: 'msg/s',
    },
    singleFan: { scenario: 'cluster', id: `cluster/single-fan-out/${receivers}`, system: 'strands', label: 'one broker, backend sends to room (reference)', clients: receivers, backends: 1, metric: 'deliveries/s' },
    spreadFan: { scenario: 'cluster', id: `cluster/spread-fan-out/${receivers}`, system: 'strands', label: '2 brokers + Redis: room half on A, half on B', clients: receivers, backends: 1, metric: 'deliveries/s' },
    spreadFanNoDelay: {
      scenario: 'cluster',
      id: `cluster/spread-fan-out-no-write-delay/${receivers}`,
      system: 'strands',
      label: `the same, clientWriteDelayMs ${CLUSTER_NO_WRITE_DELAY_MS} on both brokers`,
      clients: receivers,
      backends: 1,
      metric: 'deliveries/s',
    },
  };
}

/** Whether `binary` runs (`--version`); the reason when it does not. */
export function redisMissing(binary = redisBinary()): string | undefined {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  if (probe.error === undefined && probe.status === 0) return undefined;
  return `${binary} not found: install redis-server (scripts/ensure-redis.sh does) or set REDIS_SERVER_PATH`;
}

/**
 * Commands per message from two commandstats readings over a window of `windowMs`, and, given the
 * idle background rate, what is left of them once that background is taken out.
 */
export function redisFigures(
  before: Record<string, number>,
  after: Record<string, number>,
  messages: number,
  windowMs = 0,
  background?: RedisBackground,
): RedisCommandFigures | undefined {
  if (messages <= 0) return undefined;
  const delta = commandDelta(before, after);
  const commands = Object.values(delta).reduce((a, b) => a + b, 0);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const byCommand = Object.fromEntries(
    Object.entries(delta)
      .sort(([, x], [, y]) => y - x)
      .map(([name, calls]) => [name, round(calls / messages)]),
  );
  const net = background === undefined ? {} : {
    backgroundPerSec: background.perSec,
    backgroundByCommand: background.byCommand,
    netPerMessage: round(Math.max(0, commands - (background.perSec * windowMs) / 1000) / messages),
  };
  return { commands, messages, perMessage: round(commands / messages), byCommand, ...net };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Samples Redis' commands per second over `ms` with nothing moving. */
async function sampleBackground(port: number, ms: number): Promise<RedisBackground> {
  const before = await commandStats(port);
  const startedAt = performance.now();
  await sleep(ms);
  const after = await commandStats(port);
  return redisBackground(before, after, performance.now() - startedAt);
}

/** Waits until `count` brokers subscribe the room's channel (a message published before a broker subscribes never reaches it). */
async function untilSubscribed(stack: ClusterStack, room: string, count: number, log: Log): Promise<void> {
  const channel = `${stack.prefix}:{room:${room}}:ch`;
  const deadline = Date.now() + SUBSCRIBE_WAIT_MS;
  while (Date.now() < deadline) {
    const reply = await redisCommand(stack.redisPort, ['PUBSUB', 'NUMSUB', channel]);
    if (Array.isArray(reply) && Number(reply[1]) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The channel name is the broker's own (cluster/redis/keys.ts): say so rather than fail.
  log(`  note: ${channel} did not show ${count} subscribers within ${SUBSCRIBE_WAIT_MS} ms; starting anyway`);
}

/** One load against a fresh cluster, reading the servers' CPU and Redis' command counters over the window. */
function measureCluster(
  options: BenchOptions,
  head: RowHead,
  log: Log,
  mode: 'ping-pong' | 'fan-out',
  launch: Launch,
  queue: ClusterQueue = 'redis',
  writeDelayMs?: number,
): Promise<ResultRow> {
  const room = mode === 'fan-out' ? 'room' : 'echo';
  return withStack(head, log, () => startCluster(mode === 'fan-out' ? 'room' : 'echo', options.backendImpl, launch, queue, writeDelayMs), async (plain) => {
    const stack = plain as ClusterStack;
    const cpu = cpuWindow(stack.processes);
    let before: Promise<Record<string, number>> | undefined;
    let after: Promise<Record<string, number>> | undefined;
    let background: RedisBackground | undefined;
    const sampleMs = Math.min(REDIS_BACKGROUND_SAMPLE_MS, options.durationMs);
    const hooks: LoadHooks = {
      onWindowStart: () => {
        cpu.hooks.onWindowStart();
        before = commandStats(stack.redisPort);
      },
      onWindowEnd: () => {
        cpu.hooks.onWindowEnd();
        after = commandStats(stack.redisPort);
      },
      // Every client connected, nothing sent yet: the room's channel subscribed, then Redis' idle rate.
      onConnected: async () => {
        if (mode === 'fan-out') await untilSubscribed(stack, room, 2, log);
        background = await sampleBackground(stack.redisPort, sampleMs);
      },
    };
    // Round trip: every client on A. Fan-out: the sender on B (beside the backend), receivers over A and B in turn.
    const spec =
      mode === 'fan-out'
        ? { ...loadSpec(options, mode, `${stack.urlB}/ws/${room}`, head.clients), urls: [`${stack.urlA}/ws/${room}`, `${stack.urlB}/ws/${room}`] }
        : loadSpec(options, mode, `${stack.urlA}/ws/${room}`, head.clients);
    const result = await runLoad(spec, hooks);
    const redis = before === undefined || after === undefined ? undefined : redisFigures(await before, await after, result.sent, spec.durationMs, background);
    const row = loadRow(head, result, stack.note, cpu.figures(result.received, spec.durationMs));
    return {
      ...row,
      ...(redis === undefined ? {} : { redis }),
      runs: row.runs?.map((run) => ({ ...run, ...(redis === undefined ? {} : { redisPerMessage: redis.perMessage, ...(redis.netPerMessage === undefined ? {} : { redisNetPerMessage: redis.netPerMessage }) }) })),
    };
  });
}

/** Sets `vsSingleBroker` (also round by round) and `cpuVsSingleBroker` on a cluster row from its reference row. */
export function versus(row: ResultRow, reference: ResultRow | undefined): ResultRow {
  if (row.status !== 'ok' || reference?.status !== 'ok' || reference.value === 0) return row;
  const ratio = (a: number, b: number) => Math.round((a / b) * 1000) / 1000;
  const rounds = (row.runs ?? []).flatMap((run) => {
    const other = reference.runs?.find((r) => r.round === run.round);
    return run.round === undefined || other === undefined || other.value === 0 ? [] : [ratio(run.value, other.value)];
  });
  const cpu = row.cpu?.perThousandMs;
  const refCpu = reference.cpu?.perThousandMs;
  return {
    ...row,
    vsSingleBroker: ratio(row.value, reference.value),
    ...(rounds.length > 1 ? { vsSingleBrokerRounds: rounds } : {}),
    ...(cpu === undefined || refCpu === undefined || refCpu === 0 ? {} : { cpuVsSingleBroker: Math.round((cpu / refCpu) * 100) / 100 }),
  };
}

/** Runs the cluster scenario, or returns skipped rows when redis-server is missing. */
export async function cluster(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log } = context;
  const heads = clusterHeads(options);
  const missing = redisMissing();
  if (missing !== undefined) {
    log(`  cluster: skipped: ${missing}`);
    return [heads.crossTrip, heads.crossTripMemory, heads.spreadFan, heads.spreadFanNoDelay].map((head) => ({ ...head, value: 0, status: 'skipped' as const, note: missing }));
  }
  const impl = options.backendImpl;
  const setups = [
    perTree(context, heads.singleTrip, (head, launch) => measureLoad(options, head, log, () => startStrands(1, 'echo', impl, launch), 'ping-pong', 'echo')),
    perTree(context, heads.crossTrip, (head, launch) => measureCluster(options, head, log, 'ping-pong', launch)),
    // The reference broker queues in memory; cluster mode defaults to the durable Redis queue. This
    // row holds the queue the same, so the relay's cost and the durable queue's show apart.
    perTree(context, heads.crossTripMemory, (head, launch) => measureCluster(options, head, log, 'ping-pong', launch, 'memory')),
    perTree(context, heads.singleFan, (head, launch) => measureLoad(options, head, log, () => startStrands(1, 'room', impl, launch), 'fan-out', 'room')),
    perTree(context, heads.spreadFan, (head, launch) => measureCluster(options, head, log, 'fan-out', launch)),
    // What the cluster default's wait before fan-out writes buys: the brokers without it.
    perTree(context, heads.spreadFanNoDelay, (head, launch) => measureCluster(options, head, log, 'fan-out', launch, 'redis', CLUSTER_NO_WRITE_DELAY_MS)),
  ];
  return againstReferences(await repeated(options, setups.flat()), setups[0]?.length ?? 1);
}

/**
 * The scenario's rows, given as `repeated` returns them (setup by setup: one broker round trip,
 * cross round trip, the same with the memory queue, one broker fan-out, spread fan-out, the same
 * without the write delay; within each, one row per tree), with every cluster row set against the
 * one-broker row of its own tree.
 */
export function againstReferences(rows: ResultRow[], trees: number): ResultRow[] {
  const of = setupRows(rows, trees);
  const singleTrip = of(0);
  const singleFan = of(3);
  return [
    ...singleTrip,
    ...of(1).map((row, tree) => versus(row, singleTrip[tree])),
    ...of(2).map((row, tree) => versus(row, singleTrip[tree])),
    ...singleFan,
    ...of(4).map((row, tree) => versus(row, singleFan[tree])),
    ...of(5).map((row, tree) => versus(row, singleFan[tree])),
  ];
}
