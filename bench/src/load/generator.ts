// The load generator's main thread: splits clients over worker threads, starts them together,
// and merges their reports into one result.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { BenchError } from '../errors.js';
import { LatencyHistogram, type LatencySummary } from '../histogram.js';
import { nowMicros } from '../message.js';
import { completionBuffer, FanOutCompletion } from './fan-out-completion.js';
import type { LoadSpec, MainMessage, WorkerMessage, WorkerReport, WorkerTask } from './types.js';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY = new URL('./worker.ts', import.meta.url).href;

/** The merged outcome of one load run. */
export interface LoadResult {
  /** Clients connected (fan-out: receivers plus the sender). */
  connected: number;
  /** Clients whose handshake failed even after retries. */
  connectFailures: number;
  /** Messages sent during the window. */
  sent: number;
  /** Replies (fan-out: deliveries) to those messages. */
  received: number;
  /** Replies or deliveries that never came: sent minus received (fan-out: sent × receivers minus deliveries). */
  lost: number;
  /** Replies that were not what the client expected. */
  mismatched: number;
  /** Connections that closed during the run. */
  dropped: number;
  /** Ping-pong clients whose last message never came back, even one sent during warm-up. */
  stalled: number;
  /** Highest event-loop utilisation of a load worker during the window (0..1); near 1, the generator was the limit. */
  generatorUtilization: number;
  /** Replies (deliveries) per second over the window. */
  perSec: number;
  latency: LatencySummary;
}

/** Hooks into a run. */
export interface LoadHooks {
  /** Runs once every client is connected, before load starts; idle runs end when it resolves. */
  onConnected?: (connected: number) => Promise<void>;
  /** Runs on this thread when the measured window opens (after warm-up): e.g. read server CPU. */
  onWindowStart?: () => void;
  /** Runs when the window closes (before the drain), or at the latest when the reports are in. */
  onWindowEnd?: () => void;
}

/** Calls the window hooks at the instants the workers anchor their window to; returns a cancel. */
function scheduleWindow(spec: LoadSpec, atUs: number, hooks: LoadHooks): { finish: () => void } {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    hooks.onWindowEnd?.();
  };
  const delay = (us: number) => Math.max(0, (us - nowMicros()) / 1000);
  const startUs = atUs + spec.warmupMs * 1000;
  const startTimer = setTimeout(() => hooks.onWindowStart?.(), delay(startUs));
  const endTimer = setTimeout(end, delay(startUs + spec.durationMs * 1000));
  return {
    finish: () => {
      clearTimeout(startTimer);
      clearTimeout(endTimer);
      end();
    },
  };
}

let fanOutRuns = 0;

function split(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

function startWorker(task: WorkerTask): Worker {
  return new Worker(BOOT, { workerData: { entry: ENTRY, task } });
}

/** Waits for a worker's next message of `type`, failing if the worker dies first. */
async function expect<T extends WorkerMessage['type']>(
  worker: Worker,
  type: T,
): Promise<Extract<WorkerMessage, { type: T }>> {
  const failure = once(worker, 'error').then(([error]) => {
    throw new BenchError('worker_failed', `load worker failed: ${(error as Error).message}`, { cause: error });
  });
  const exit = once(worker, 'exit').then(([code]) => {
    throw new BenchError('worker_failed', `load worker exited (code ${String(code)}) before sending ${type}`);
  });
  const message = (async () => {
    for (;;) {
      const [data] = (await once(worker, 'message')) as [WorkerMessage];
      if (data.type === type) return data as Extract<WorkerMessage, { type: T }>;
    }
  })();
  return Promise.race([message, failure, exit]);
}

/**
 * Runs one load: connects, calls `onConnected`, runs warm-up + window + drain, merges reports.
 * Throws a BenchError('connect_failed') when no client could connect.
 * @example
 * const r = await runLoad({ mode: 'ping-pong', url, clients: 100, workers: 2, warmupMs: 1000,
 *   durationMs: 10000, drainMs: 1000, messageBytes: 64, connectConcurrency: 100 });
 * console.log(r.perSec, r.latency.p99Ms);
 */
export async function runLoad(spec: LoadSpec, hooks: LoadHooks = {}): Promise<LoadResult> {
  const workerCount = Math.max(1, Math.min(spec.workers, spec.clients));
  const workers: Worker[] = [];
  fanOutRuns += 1;
  const fanOut = spec.mode === 'fan-out' ? { completion: completionBuffer(), channel: `strands-bench-fan-out-${process.pid}-${fanOutRuns}` } : undefined;
  for (let index = 0; index < workerCount; index += 1) {
    workers.push(
      startWorker({
        spec,
        index,
        clients: split(spec.clients, workerCount, index),
        firstClient: Array.from({ length: index }, (_, i) => split(spec.clients, workerCount, i)).reduce((a, b) => a + b, 0),
        ratePerSec: split(spec.ratePerSec ?? 0, workerCount, index),
        ...(fanOut === undefined ? {} : { fanOut }),
      }),
    );
  }
  let schedule: { finish: () => void } | undefined;
  // Attach every listener before anything can arrive, so that no report is missed.
  const reports = workers.map((w) => expect(w, 'report'));
  for (const r of reports) r.catch(() => {});
  try {
    const connected = await Promise.all(workers.map((w) => expect(w, 'connected')));
    const total = connected.reduce((n, c) => n + c.connected, 0);
    const failed = connected.reduce((n, c) => n + c.failed, 0);
    if (total === 0 || (spec.mode === 'fan-out' && failed > 0 && total <= 1)) {
      const why = connected.find((c) => c.firstError !== undefined)?.firstError ?? 'unknown error';
      throw new BenchError('connect_failed', `no client could connect to ${spec.url}: ${why}`);
    }
    const send = (message: MainMessage) => { for (const w of workers) w.postMessage(message); };
    if (spec.mode === 'idle') {
      send({ type: 'start', atUs: nowMicros() });
      await hooks.onConnected?.(total);
      send({ type: 'finish' });
    } else {
      await hooks.onConnected?.(total);
      // Every connected client but the sender receives; set before the start, so that no
      // worker can see a delivery before it knows how many make a message complete.
      if (fanOut !== undefined) new FanOutCompletion(fanOut.completion).setReceivers(total - 1);
      const atUs = nowMicros();
      schedule = scheduleWindow(spec, atUs, hooks);
      send({ type: 'start', atUs });
    }
    const done = (await Promise.all(reports)).map((m) => m.report);
    schedule?.finish();
    return merge(spec, done, total, failed);
  } finally {
    schedule?.finish();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function merge(spec: LoadSpec, reports: WorkerReport[], connected: number, connectFailures: number): LoadResult {
  const histogram = new LatencyHistogram();
  for (const r of reports) histogram.merge(LatencyHistogram.from(r.histogram));
  const sum = (key: 'sent' | 'received' | 'mismatched' | 'dropped' | 'stalled') => reports.reduce((n, r) => n + r[key], 0);
  const sent = sum('sent');
  const received = sum('received');
  const receivers = spec.mode === 'fan-out' ? connected - 1 : 1;
  return {
    connected,
    connectFailures,
    sent,
    received,
    lost: Math.max(0, sent * receivers - received),
    mismatched: sum('mismatched'),
    dropped: sum('dropped'),
    stalled: sum('stalled'),
    generatorUtilization: Math.round(Math.max(...reports.map((r) => r.utilization)) * 100) / 100,
    perSec: spec.durationMs > 0 ? Math.round((received * 1000) / spec.durationMs) : 0,
    latency: histogram.summary(),
  };
}
