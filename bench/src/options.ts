// Options of the benchmark suite, declared once, with full-run and quick-run defaults.
import { BenchError } from './errors.js';
import { MIN_MESSAGE_BYTES } from './message.js';

/** The scenarios, in the order they run. */
export const SCENARIO_NAMES = ['round-trip', 'fan-out', 'history', 'idle', 'backends', 'fixed-rate', 'pystrands', 'cluster', 'queue', 'flood'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * Scenarios a quick run leaves out unless `--only` names them: `cluster` starts a redis-server,
 * two brokers and a backend for each of its setups, some 30 s in all on these 2 cores.
 */
export const QUICK_EXCLUDED_SCENARIOS: readonly ScenarioName[] = ['cluster', 'queue', 'flood'];

/** Which echo backend serves the broker scenarios. */
export type BackendImpl = 'sdk' | 'raw';

export interface BenchOptions {
  /** Smoke run for CI: short windows, small counts; checks the suite runs, not figures. @default false */
  quick: boolean;
  /** Length of each measured window, in ms. @default 10000 (quick: 1000) */
  durationMs: number;
  /**
   * Unmeasured load before each window, in ms: long enough for every server process to reach
   * optimised code. A cluster's brokers each see part of the traffic and get there later than one
   * broker: after 1 s of load, broker B's compiler threads still took about 12% of its CPU in the
   * window. @default 5000 (quick: 200)
   */
  warmupMs: number;
  /** Longest wait for replies still in flight when a window ends, in ms; unanswered ones count as lost. @default 1000 (quick: 500) */
  drainMs: number;
  /** Load generator worker threads. @default 2 */
  workers: number;
  /** Size of every message, in bytes (JSON). @default 64 */
  messageBytes: number;
  /** Client counts of the round-trip scenarios (broker and bare `ws`). @default [100, 1000] (quick: [20, 100]) */
  roundTripClients: number[];
  /** Receivers in the fan-out room. @default 1000 (quick: 100) */
  fanOutReceivers: number;
  /** Messages the fan-out sender keeps in flight. @default 8 */
  fanOutInFlight: number;
  /** Clients of the history scenario's recovery row that drop and come back asking to recover. @default 100 (quick too) */
  recoveryClients: number;
  /** Messages each of them misses while away. @default 100 (quick too) */
  recoveryMissed: number;
  /** Connection counts of the idle scenario, one row pair each; each needs `ulimit -n` above it. @default [10000] (quick: [500]) */
  idleConnections: number[];
  /** Backend process counts of the backends scenario. @default [1, 2, 4] (quick: [1, 2]) */
  backendCounts: number[];
  /** Ping-pong clients of the backends scenario. @default 100 (quick: 20) */
  backendClients: number;
  /** Total send rate of the fixed-rate (open-loop) scenario, in messages/s. @default 10000 (quick: 1000) */
  fixedRatePerSec: number;
  /** Runs of each load setup (fresh processes each time); the median run is reported. @default 1 (with baselineRef: 3) */
  repeat: number;
  /**
   * Pin the load generator (this process and its worker threads) to the first allowed CPU and every
   * server process to the others, with Linux `taskset`; without it the run says so and goes on unpinned.
   * @default false
   */
  pin: boolean;
  /**
   * A git ref (commit, tag, branch) to compare the current tree with: its packages run from a
   * temporary worktree, interleaved with the current tree's, and figures are reported as
   * current/baseline ratios. @default undefined (no baseline)
   */
  baselineRef: string | undefined;
  /** Connection handshakes in flight at once while connecting. @default 100 */
  connectConcurrency: number;
  /** Echo backend behind the broker: the `@strands/backend` SDK or a raw TCP reference. @default 'sdk' */
  backendImpl: BackendImpl;
  /** Scenarios to run. @default every one of SCENARIO_NAMES (quick: all but QUICK_EXCLUDED_SCENARIOS, i.e. not `cluster`) */
  scenarios: ScenarioName[];
  /** Folder for latest.json and chart.svg. @default 'results' (quick: 'results/quick'; with baselineRef: 'results/baseline'), relative to bench/ */
  outDir: string;
  /** PyStrands Go broker binary; the pystrands scenario runs only with both binaries. @default env PYSTRANDS_BROKER_BIN */
  pystrandsBrokerBin: string | undefined;
  /** PyStrands Go echo backend binary. @default env PYSTRANDS_ECHO_BIN */
  pystrandsEchoBin: string | undefined;
}

export const DEFAULT_DURATION_MS = 10_000;
export const DEFAULT_WARMUP_MS = 5_000;
export const DEFAULT_DRAIN_MS = 1_000;
export const DEFAULT_WORKERS = 2;
export const DEFAULT_MESSAGE_BYTES = 64;
export const DEFAULT_ROUND_TRIP_CLIENTS = [100, 1000];
export const DEFAULT_FAN_OUT_RECEIVERS = 1000;
export const DEFAULT_FAN_OUT_IN_FLIGHT = 8;
/** Issue 13: recovery time for 100 clients missing 100 messages each. */
export const DEFAULT_RECOVERY_CLIENTS = 100;
export const DEFAULT_RECOVERY_MISSED = 100;
export const DEFAULT_IDLE_CONNECTIONS = [10_000];
export const DEFAULT_BACKEND_COUNTS = [1, 2, 4];
export const DEFAULT_BACKEND_CLIENTS = 100;
export const DEFAULT_FIXED_RATE_PER_SEC = 10_000;
export const DEFAULT_CONNECT_CONCURRENCY = 100;
/** Runs of each setup when comparing with a baseline: one pair of runs says little on these VMs. */
export const DEFAULT_BASELINE_REPEAT = 3;
/** Where a --baseline run writes unless --out says otherwise (git-ignored). */
export const BASELINE_OUT_DIR = 'results/baseline';

/** Defaults of a full run. */
export const FULL_DEFAULTS: Omit<BenchOptions, 'pystrandsBrokerBin' | 'pystrandsEchoBin'> = {
  quick: false,
  durationMs: DEFAULT_DURATION_MS,
  warmupMs: DEFAULT_WARMUP_MS,
  drainMs: DEFAULT_DRAIN_MS,
  workers: DEFAULT_WORKERS,
  messageBytes: DEFAULT_MESSAGE_BYTES,
  roundTripClients: DEFAULT_ROUND_TRIP_CLIENTS,
  fanOutReceivers: DEFAULT_FAN_OUT_RECEIVERS,
  fanOutInFlight: DEFAULT_FAN_OUT_IN_FLIGHT,
  recoveryClients: DEFAULT_RECOVERY_CLIENTS,
  recoveryMissed: DEFAULT_RECOVERY_MISSED,
  idleConnections: DEFAULT_IDLE_CONNECTIONS,
  backendCounts: DEFAULT_BACKEND_COUNTS,
  backendClients: DEFAULT_BACKEND_CLIENTS,
  fixedRatePerSec: DEFAULT_FIXED_RATE_PER_SEC,
  connectConcurrency: DEFAULT_CONNECT_CONCURRENCY,
  repeat: 1,
  pin: false,
  baselineRef: undefined,
  backendImpl: 'sdk',
  scenarios: [...SCENARIO_NAMES],
  outDir: 'results',
};

/** What `quick: true` changes. */
export const QUICK_DEFAULTS: Partial<BenchOptions> = {
  durationMs: 1_000,
  warmupMs: 200,
  drainMs: 500,
  roundTripClients: [20, 100],
  fanOutReceivers: 100,
  idleConnections: [500],
  backendCounts: [1, 2],
  backendClients: 20,
  fixedRatePerSec: 1_000,
  scenarios: SCENARIO_NAMES.filter((s) => !QUICK_EXCLUDED_SCENARIOS.includes(s)),
  outDir: 'results/quick',
};

/**
 * Merges `options` over the defaults (quick ones when `quick`), reading the PyStrands binaries
 * from the environment, and throws a BenchError for impossible values.
 * @example
 * const options = resolveOptions({ quick: true }, process.env);
 */
export function resolveOptions(
  options: Partial<BenchOptions> = {},
  env: Record<string, string | undefined> = {},
): BenchOptions {
  const quick = options.quick ?? false;
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const resolved: BenchOptions = {
    ...FULL_DEFAULTS,
    ...(quick ? QUICK_DEFAULTS : {}),
    pystrandsBrokerBin: env.PYSTRANDS_BROKER_BIN || undefined,
    pystrandsEchoBin: env.PYSTRANDS_ECHO_BIN || undefined,
    // A comparison is not the suite's figures: keep it out of the committed results/latest.json.
    ...(options.baselineRef === undefined ? {} : { repeat: DEFAULT_BASELINE_REPEAT, outDir: BASELINE_OUT_DIR }),
    ...defined,
    quick,
  };
  const positive: (keyof BenchOptions)[] = [
    'durationMs', 'workers', 'fanOutReceivers', 'fanOutInFlight', 'recoveryClients', 'recoveryMissed',
    'backendClients', 'fixedRatePerSec', 'connectConcurrency', 'repeat',
  ];
  for (const key of positive) {
    const value = resolved[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new BenchError('invalid_options', `${key} must be a positive integer, got ${String(value)}`);
    }
  }
  for (const key of ['warmupMs', 'drainMs'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 0) {
      throw new BenchError('invalid_options', `${key} must be a non-negative integer, got ${resolved[key]}`);
    }
  }
  if (!Number.isInteger(resolved.messageBytes) || resolved.messageBytes < MIN_MESSAGE_BYTES) {
    throw new BenchError('invalid_options', `messageBytes must be an integer >= ${MIN_MESSAGE_BYTES}`);
  }
  for (const key of ['roundTripClients', 'backendCounts', 'idleConnections'] as const) {
    if (resolved[key].length === 0 || resolved[key].some((n) => !Number.isInteger(n) || n <= 0)) {
      throw new BenchError('invalid_options', `${key} must be a non-empty list of positive integers`);
    }
  }
  if (resolved.baselineRef !== undefined && (resolved.baselineRef === '' || resolved.baselineRef.startsWith('-') || /\s/.test(resolved.baselineRef))) {
    // A ref starting with '-' would read as a git option.
    throw new BenchError('invalid_options', `baselineRef must be a git ref such as a commit, got "${resolved.baselineRef}"`);
  }
  if (resolved.backendImpl !== 'sdk' && resolved.backendImpl !== 'raw') {
    throw new BenchError('invalid_options', `backendImpl must be 'sdk' or 'raw'`);
  }
  const unknown = resolved.scenarios.filter((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (unknown.length > 0) {
    throw new BenchError('invalid_options', `unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIO_NAMES.join(', ')}`);
  }
  return resolved;
}
