// Runs one load against one stack and turns the outcome into a result row; a setup that cannot
// run becomes a 'skipped' or 'failed' row instead of ending the suite.
import { isUnavailableError } from '../errors.js';
import { runLoad, type LoadHooks, type LoadResult } from '../load/generator.js';
import type { LoadMode, LoadSpec } from '../load/types.js';
import type { BenchOptions } from '../options.js';
import type { CpuFigures, ResultRow, RunFigures, ServerRole } from '../results.js';
import type { Launch } from '../servers/launch.js';
import { cpuWindow, type RunCpu } from './server-cpu.js';
import type { Stack } from './stacks.js';

/** What a row says about its setup before it is measured. */
export type RowHead = Pick<ResultRow, 'scenario' | 'id' | 'system' | 'label' | 'clients' | 'metric'> &
  Partial<Pick<ResultRow, 'backends' | 'tree'>>;

/** Progress lines go here (stderr by default, so stdout holds only the table). */
export type Log = (line: string) => void;

/** What every scenario gets besides the options. */
export interface ScenarioContext {
  log: Log;
  /** Servers of the current tree; the bare ws server and PyStrands always start this way. */
  current: Launch;
  /** Servers of the baseline tree, in a --baseline run. */
  baseline: Launch | undefined;
}

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

/** A row from a load result and, where /proc could tell, the servers' CPU over the window. */
export function loadRow(head: RowHead, result: LoadResult, note: string | undefined, cpu?: RunCpu): ResultRow {
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
    ...(cpu === undefined ? {} : { cpu: rowCpu(cpu) }),
    runs: [{ value: result.perSec, p50Ms: result.latency.p50Ms, p99Ms: result.latency.p99Ms, ...(cpu === undefined ? {} : { cpu }) }],
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

/** The row with the median `by` (its msg/s unless told) of `rows`, the lower middle one for an even count. */
export function medianRow(rows: ResultRow[], by: (row: ResultRow) => number = (row) => row.value): ResultRow {
  const sorted = [...rows].sort((a, b) => by(a) - by(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? rows[0]!;
}

/** The median of `values` (the lower middle one for an even count, as medianRow), or undefined for none. */
export function median(values: number[]): number | undefined {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** A run's CPU figures as a row keeps them: all but the raw readings (their totals, kept per run). */
function rowCpu(cpu: RunCpu): CpuFigures {
  const { totalMs: _totalMs, windowMs: _windowMs, ...figures } = cpu;
  return figures;
}

/** Median CPU over runs, each figure on its own (the run with the median msg/s need not have the median CPU). */
export function medianCpu(runs: RunFigures[]): CpuFigures | undefined {
  const cpus = runs.flatMap((r) => (r.cpu === undefined ? [] : [r.cpu]));
  /** The median of one figure over the runs that have it. */
  const medianOf = (pick: (cpu: CpuFigures) => number | undefined) =>
    median(cpus.flatMap((c) => {
      const value = pick(c);
      return value === undefined ? [] : [value];
    }));
  const perThousandMs = medianOf((c) => c.perThousandMs);
  if (perThousandMs === undefined) return undefined;
  const byRole: Partial<Record<ServerRole, number>> = {};
  for (const role of new Set(cpus.flatMap((c) => Object.keys(c.byRole) as ServerRole[]))) {
    const value = medianOf((c) => c.byRole[role]);
    if (value !== undefined) byRole[role] = value;
  }
  const names = [...new Set(cpus.flatMap((c) => Object.keys(c.byProcess ?? {})))];
  const byProcess: Record<string, number> = {};
  for (const name of names) {
    const value = medianOf((c) => c.byProcess?.[name]);
    if (value !== undefined) byProcess[name] = value;
  }
  const coresBusy = medianOf((c) => c.coresBusy);
  const writesPerThousand = medianOf((c) => c.writesPerThousand);
  return {
    perThousandMs,
    byRole,
    ...(names.length === 0 ? {} : { byProcess }),
    ...(coresBusy === undefined ? {} : { coresBusy }),
    ...(writesPerThousand === undefined ? {} : { writesPerThousand }),
  };
}

/** The common case: one load of `mode` against a fresh stack, reading the servers' CPU over the window. */
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
    const cpu = cpuWindow(stack.processes);
    const spec = loadSpec(options, mode, `${stack.baseUrl}/ws/${room}`, head.clients);
    const result = await runLoad(spec, { ...hooks?.(stack), ...cpu.hooks });
    return loadRow(head, result, stack.note, cpu.figures(result.received, spec.durationMs));
  });
}

/**
 * The setup of `head` on the current tree and, in a --baseline run, the same setup with the
 * baseline tree's servers (id + '@baseline'), so that `repeated` interleaves the two.
 */
export function perTree(
  context: ScenarioContext,
  head: RowHead,
  setup: (head: RowHead, launch: Launch) => Promise<ResultRow>,
): (() => Promise<ResultRow>)[] {
  const { baseline, current } = context;
  if (baseline === undefined) return [() => setup(head, current)];
  return [
    () => setup({ ...head, tree: 'current' }, current),
    () => setup({ ...head, id: `${head.id}@baseline`, label: `${head.label} [${baseline.label}]`, tree: 'baseline' }, baseline),
  ];
}

/** Setup `i`'s rows (one per tree) in what `repeated` returned for setups made by perTree, `trees` rows each. */
export function setupRows(rows: ResultRow[], trees: number): (setup: number) => ResultRow[] {
  return (setup) => rows.slice(setup * trees, (setup + 1) * trees);
}

/**
 * Which run of a setup reports for it: the one with the median msg/s, or for an open loop (the
 * generator sets msg/s, so every run has about the same) the one with the median p99. Each says
 * what it ranks runs by and how the row's note lists the runs.
 */
const MEDIAN_BY = {
  value: { of: (r: ResultRow) => r.value, list: (rows: ResultRow[]) => rows.map((r) => Math.round(r.value).toLocaleString('en-US')).join(', ') },
  p99: { of: (r: ResultRow) => r.latency?.p99Ms ?? 0, list: (rows: ResultRow[]) => `p99 ${rows.map((r) => r.latency?.p99Ms ?? '?').join(', ')} ms` },
} as const;
export type MedianBy = keyof typeof MEDIAN_BY;

/**
 * Runs each setup `options.repeat` times, interleaved so that a baseline and the system compared
 * with it see the same background load: a, b, c, then c, b, a (so that neither always runs
 * first after a pause), and so on. Each setup reports its median run (`by`), median CPU and all
 * runs, each tagged with its round. A setup that failed is tried again next round (others may be
 * editing the tree it loads), one that was skipped (a package not there) is not.
 */
export async function repeated(options: BenchOptions, setups: (() => Promise<ResultRow>)[], by: MedianBy = 'value'): Promise<ResultRow[]> {
  const runs: ResultRow[][] = setups.map(() => []);
  const order = setups.map((_, i) => i);
  for (let round = 0; round < options.repeat; round += 1) {
    for (const i of round % 2 === 0 ? order : [...order].reverse()) {
      if (runs[i]?.some((r) => r.status === 'skipped')) continue;
      const row = await setups[i]!();
      runs[i]?.push({ ...row, runs: (row.runs ?? [{ value: row.value }]).map((run) => ({ ...run, round })) });
    }
  }
  return runs.map((rows) => {
    const ok = rows.filter((r) => r.status === 'ok');
    const failed = rows.filter((r) => r.status !== 'ok');
    if (ok.length === 0) return failed[0]!;
    const all = ok.flatMap((r) => r.runs ?? []);
    const failures = failed.length === 0 ? undefined : `failed in ${failed.length} of ${rows.length} rounds (${failed[0]?.note ?? 'no reason given'})`;
    if (ok.length === 1) return { ...ok[0]!, runs: all, ...(failures === undefined ? {} : { note: [ok[0]!.note, failures].filter(Boolean).join('; ') }) };
    const middle = medianRow(ok, MEDIAN_BY[by].of);
    const cpu = medianCpu(all);
    const values = MEDIAN_BY[by].list(ok);
    return {
      ...middle,
      ...(cpu === undefined ? {} : { cpu }),
      runs: all,
      note: [middle.note, `median of ${ok.length}: ${values}`, failures].filter(Boolean).join('; '),
    };
  });
}
