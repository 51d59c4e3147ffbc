// One client flooding, many well-behaved ones in other rooms (issue 15): what the flooder costs
// the others. The same well-behaved load (open loop, FLOOD_CLIENT_RATE msg/s per client) runs
// without the flooder, with it against the broker's default rate limits, and with it against a
// broker whose rate limits are off (only backpressure left), interleaved in one run.
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { runLoad } from '../load/generator.js';
import type { BenchOptions } from '../options.js';
import type { FloodFigures, ResultRow } from '../results.js';
import { startChild, type ChildServer } from '../servers/child.js';
import type { Launch } from '../servers/launch.js';
import { loadRow, perTree, repeated, setupRows, withStack, type Log, type RowHead, type ScenarioContext } from './measure.js';
import { cpuWindow } from './server-cpu.js';
import { startEchoBackend, stopAll, type Stack } from './stacks.js';

/** Messages per second each well-behaved client sends: a busy chat or a slow game client, well under the broker's default 200. */
export const FLOOD_CLIENT_RATE = 20;
/** Bytes of each flood message (the audit's). */
export const FLOOD_MESSAGE_BYTES = 100;
/** The flooder keeps at most this much unsent in its own socket, so that it floods as fast as the broker reads, not its own memory. */
const FLOODER_MAX_BUFFERED = 1024 * 1024;

type Setup = 'quiet' | 'flood' | 'flood-no-limits';

export function floodHeads(options: BenchOptions): Record<Setup, RowHead> {
  const clients = options.roundTripClients[0] ?? 100;
  const head = (setup: Setup, label: string): RowHead => ({ scenario: 'flood', id: `flood/${setup}/${clients}`, system: 'strands', label, clients, backends: 1, metric: 'msg/s' });
  return {
    quiet: head('quiet', `${FLOOD_CLIENT_RATE} msg/s per client, no flooder (reference)`),
    flood: head('flood', `same + 1 client flooding ${FLOOD_MESSAGE_BYTES}-byte messages, default rate limits`),
    'flood-no-limits': head('flood-no-limits', 'same flood, rate limits off (backpressure only)'),
  };
}

interface BrokerInfo {
  wsUrl: string;
  wsPort: number;
  tcpHost: string;
  tcpPort: number;
}

/** One broker (default rate limits, or off) and one echo backend. */
async function startFloodStack(options: BenchOptions, launch: Launch, limits: boolean): Promise<Stack & { wsPort: number; brokerPid: number }> {
  const children: ChildServer<unknown>[] = [];
  try {
    const broker = await startChild<BrokerInfo>('./broker-process.ts', ['--client-rate-limits', ...(limits ? [] : ['off'])], launch);
    children.push(broker);
    const backend = await startEchoBackend(broker.info.tcpHost, broker.info.tcpPort, 'echo', options.backendImpl, launch);
    children.push(backend.child);
    return {
      baseUrl: broker.info.wsUrl,
      wsPort: broker.info.wsPort,
      brokerPid: broker.pid,
      note: backend.used === options.backendImpl ? undefined : '@strands/backend not available: raw TCP echo backend used',
      processes: [
        { role: 'broker', pid: broker.pid },
        { role: 'backend', pid: backend.child.pid },
      ],
      memory: () => broker.memory(),
      stop: () => stopAll([...children].reverse()),
    };
  } catch (error) {
    await stopAll([...children].reverse());
    throw error;
  }
}

/** A client sending FLOOD_MESSAGE_BYTES-byte messages as fast as its socket takes them, until stopped or closed. */
export interface Flooder {
  readonly sent: number;
  /** `1008 rate limit exceeded after 10.4 s`, once the broker closed it. */
  readonly closed: string | undefined;
  stop(): void;
}

export async function startFlooder(url: string): Promise<Flooder> {
  const ws = new WebSocket(url);
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const started = Date.now();
  let sent = 0;
  let closed: string | undefined;
  let running = true;
  ws.on('close', (code, reason) => {
    // Only the broker's close counts: stop() ends it too.
    if (running) closed = `${code} ${reason.toString()} after ${((Date.now() - started) / 1000).toFixed(1)} s`;
    running = false;
  });
  const body = 'f'.repeat(FLOOD_MESSAGE_BYTES - 9);
  const pump = () => {
    if (!running) return;
    // In slices, so that this thread still runs the window's hooks on time.
    for (let i = 0; i < 512 && ws.bufferedAmount < FLOODER_MAX_BUFFERED; i += 1) {
      ws.send(`${String(sent % 1e8).padStart(8, '0')} ${body}`);
      sent += 1;
    }
    setTimeout(pump, ws.bufferedAmount < FLOODER_MAX_BUFFERED ? 0 : 1);
  };
  pump();
  return {
    get sent() {
      return sent;
    },
    get closed() {
      return closed;
    },
    stop() {
      running = false;
      ws.terminate();
    },
  };
}

/** The broker's counters that say what the flood did, from its /metrics. */
async function brokerCounters(wsPort: number): Promise<Record<string, number>> {
  const body = await (await fetch(`http://127.0.0.1:${wsPort}/metrics`)).text();
  const counters: Record<string, number> = {};
  for (const match of body.matchAll(/^(strands_[a-z_]+) (\d+(?:\.\d+)?)$/gm)) counters[match[1] as string] = Number(match[2]);
  return counters;
}

/** Peak resident memory of a process (VmHWM), in bytes; 0 where /proc cannot tell. */
export function peakRssBytes(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

function measureFlood(options: BenchOptions, head: RowHead, log: Log, launch: Launch, setup: Setup): Promise<ResultRow> {
  return withStack(head, log, () => startFloodStack(options, launch, setup !== 'flood-no-limits'), async (plain) => {
    const stack = plain as Stack & { wsPort: number; brokerPid: number };
    const cpu = cpuWindow(stack.processes);
    let flooder: Promise<Flooder> | undefined;
    const result = await runLoad(
      {
        mode: 'open-loop',
        url: `${stack.baseUrl}/ws/calm`,
        clients: head.clients,
        workers: options.workers,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        drainMs: options.drainMs,
        messageBytes: options.messageBytes,
        connectConcurrency: options.connectConcurrency,
        inFlight: 1,
        ratePerSec: head.clients * FLOOD_CLIENT_RATE,
      },
      {
        // From before the warm-up, so that the window sees the flood's burst, its pauses and (past
        // the broker's clientOverLimitCloseMs, 10 s) its close.
        onConnected: async () => {
          if (setup !== 'quiet') flooder = startFlooder(`${stack.baseUrl}/ws/flood`);
          await flooder;
        },
        ...cpu.hooks,
      },
    );
    const flood = await flooder;
    flood?.stop();
    const counters = await brokerCounters(stack.wsPort);
    const figures: FloodFigures = {
      flooderSent: flood?.sent ?? 0,
      ...(flood?.closed === undefined ? {} : { flooderClosed: flood.closed }),
      backendsDropped: counters.strands_backends_dropped_total ?? 0,
      backendReconnects: Math.max(0, (counters.strands_backend_connections_total ?? 1) - 1),
      rateLimited: counters.strands_client_rate_limited_total ?? 0,
      rateLimitCloses: counters.strands_client_rate_limit_closes_total ?? 0,
      slowClientCloses: counters.strands_slow_client_closes_total ?? 0,
      backendBehind: counters.strands_backend_behind_total ?? 0,
      queueDrops: counters.strands_queue_dropped_total ?? 0,
      brokerRssPeakBytes: peakRssBytes(stack.brokerPid),
    };
    return { ...loadRow(head, result, stack.note, cpu.figures(result.received, options.durationMs)), flood: figures };
  });
}

/** The flooded rows' p99 over the quiet row's of the same run. */
function withRatio(row: ResultRow, quiet: ResultRow | undefined): ResultRow {
  const q = quiet?.latency?.p99Ms;
  if (row.flood === undefined || row.latency === undefined || q === undefined || q <= 0) return row;
  return { ...row, flood: { ...row.flood, p99VsQuiet: row.latency.p99Ms / q } };
}

/** Runs the flood scenario: the quiet reference, the flood with default rate limits, the flood with none (each on both trees under --baseline). */
export async function flood(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log } = context;
  const heads = floodHeads(options);
  const setups = (['quiet', 'flood', 'flood-no-limits'] as const).map((setup) =>
    perTree(context, heads[setup], (head, launch) => measureFlood(options, head, log, launch, setup)),
  );
  // open loop: every run has the rate the clients send at, so msg/s picks no run
  return floodRows(await repeated(options, setups.flat(), 'p99'), setups[0]?.length ?? 1);
}

/** The scenario's rows as `repeated` returns them (quiet, flood, flood without limits; within each, one per tree), each flooded row set against its own tree's quiet row. */
export function floodRows(rows: ResultRow[], trees: number): ResultRow[] {
  const of = setupRows(rows, trees);
  const [quiet, limited, unlimited] = [of(0), of(1), of(2)];
  return [...quiet, ...limited.map((row, tree) => withRatio(row, quiet[tree])), ...unlimited.map((row, tree) => withRatio(row, quiet[tree]))];
}

/** The flood figures of a row in words, for the table's note column. */
export function floodNote(row: ResultRow): string {
  const f = row.flood;
  if (f === undefined) return '';
  const mb = (n: number) => `${Math.round(n / (1024 * 1024))} MB`;
  return [
    f.flooderSent > 0 ? `flooder sent ${f.flooderSent.toLocaleString('en-US')}${f.flooderClosed === undefined ? ', not closed by the broker' : `, closed by the broker ${f.flooderClosed}`}` : '',
    f.p99VsQuiet === undefined ? '' : `p99 ${f.p99VsQuiet.toFixed(2)}x quiet`,
    `backends dropped ${f.backendsDropped} (reconnects ${f.backendReconnects})`,
    f.rateLimited > 0 ? `rate-limit pauses ${f.rateLimited}, 1008 closes ${f.rateLimitCloses}` : '',
    f.slowClientCloses > 0 ? `1013 slow-client closes ${f.slowClientCloses}` : '',
    f.backendBehind > 0 ? `backend behind ${f.backendBehind}x` : '',
    f.queueDrops > 0 ? `queue drops ${f.queueDrops}` : '',
    f.brokerRssPeakBytes > 0 ? `broker RSS peak ${mb(f.brokerRssPeakBytes)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
