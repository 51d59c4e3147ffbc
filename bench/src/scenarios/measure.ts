// Runs one load against one stack and turns the outcome into a result row; a setup that cannot
// run becomes a 'skipped' or 'failed' row instead of ending the suite.
import { isUnavailableError } from '../errors.js';
import { runLoad, type LoadHooks, type LoadResult } from '../load/generator.js';
import type { LoadMode, LoadSpec } from '../load/types.js';
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import type { Stack } from './stacks.js';

/** What a row says about its setup before it is measured. */
export type RowHead = Pick<ResultRow, 'scenario' | 'id' | 'system' | 'label' | 'clients' | 'metric'> &
  Partial<Pick<ResultRow, 'backends'>>;

/** Progress lines go here (stderr by default, so stdout holds only the table). */
export type Log = (line: string) => void;

/** The load spec of a scenario, from the suite options. */
export function loadSpec(options: BenchOptions, mode: LoadMode, url: string, clients: number): LoadSpec {
  return {
    mode,
    url,
    clients,
    workers: options.workers,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
    drainMs: options.drainMs,
    messageBytes: options.messageBytes,
    connectConcurrency: options.connectConcurrency,
    inFlight: options.fanOutInFlight,
    ratePerSec: options.fixedRatePerSec,
  };
}

/** A row from a load result. */
export function loadRow(head: RowHead, result: LoadResult, note: string | undefined): ResultRow {
  const expected = head.metric === 'deliveries/s' ? result.sent * (result.connected - 1) : result.sent;
  return {
    ...head,
    value: result.perSec,
    latency: result.latency,
    sent: result.sent,
    received: result.received,
    lost: result.lost,
    lossRatio: expected === 0 ? 0 : result.lost / expected,
    mismatched: result.mismatched,
    dropped: result.dropped,
    stalled: result.stalled,
    generatorUtilization: result.generatorUtilization,
    connectFailures: result.connectFailures,
    status: 'ok',
    ...(note === undefined ? {} : { note }),
  };
}

/** A row for a setup that could not be measured. */
export function missingRow(head: RowHead, error: unknown): ResultRow {
  const message = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
  return { ...head, value: 0, status: isUnavailableError(error) ? 'skipped' : 'failed', note: message };
}

/**
 * Starts a stack, runs `measure` against it, stops it; any failure becomes a skipped/failed row.
 */
export async function withStack(
  head: RowHead,
  log: Log,
  start: () => Promise<Stack>,
  measure: (stack: Stack) => Promise<ResultRow>,
): Promise<ResultRow> {
  log(`  ${head.id}: ${head.label}, ${head.clients} clients`);
  let stack: Stack | undefined;
  try {
    stack = await start();
    return await measure(stack);
  } catch (error) {
    const row = missingRow(head, error);
    const detail = error instanceof Error ? error.message : String(error);
    log(`  ${head.id}: ${row.status}: ${detail.slice(0, 2_000)}`);
    return row;
  } finally {
    await stack?.stop();
  }
}

/** The row with the median value of `rows` (the lower middle one for an even count). */
export function medianRow(rows: ResultRow[]): ResultRow {
  const sorted = [...rows].sort((a, b) => a.value - b.value);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? rows[0]!;
}

/** The common case: one load of `mode` against a fresh stack. */
export function measureLoad(
  options: BenchOptions,
  head: RowHead,
  log: Log,
  start: () => Promise<Stack>,
  mode: LoadMode,
  room: string,
  hooks?: (stack: Stack) => LoadHooks,
): Promise<ResultRow> {
  return withStack(head, log, start, async (stack) => {
    const result = await runLoad(loadSpec(options, mode, `${stack.baseUrl}/ws/${room}`, head.clients), hooks?.(stack));
    return loadRow(head, result, stack.note);
  });
}

/**
 * Runs each setup `options.repeat` times, interleaved (a, b, a, b...) so that a baseline and the
 * system compared with it see the same background load, and keeps each setup's median run.
 */
export async function repeated(options: BenchOptions, setups: (() => Promise<ResultRow>)[]): Promise<ResultRow[]> {
  const runs: ResultRow[][] = setups.map(() => []);
  for (let round = 0; round < options.repeat; round += 1) {
    for (const [i, setup] of setups.entries()) {
      if (runs[i]?.some((r) => r.status !== 'ok')) continue; // a setup that failed once is not retried
      runs[i]?.push(await setup());
    }
  }
  return runs.map((rows) => {
    const failed = rows.find((r) => r.status !== 'ok');
    if (failed !== undefined || rows.length === 1) return failed ?? rows[0]!;
    const median = medianRow(rows);
    const values = rows.map((r) => Math.round(r.value).toLocaleString('en-US')).join(', ');
    return { ...median, note: [median.note, `median of ${rows.length}: ${values}`].filter(Boolean).join('; ') };
  });
}
