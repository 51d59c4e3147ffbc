// @strands/bench: the benchmark suite behind `pnpm bench` (private; exported for tests and tools).
export { runSuite } from './suite.js';
export { writeResults } from './output.js';
export { runLoad } from './load/generator.js';
export type { LoadResult, LoadHooks } from './load/generator.js';
export type { LoadMode, LoadSpec } from './load/types.js';
export { LatencyHistogram, HISTOGRAM_BUCKETS } from './histogram.js';
export type { LatencySummary } from './histogram.js';
export { buildMessage, messageStart, padFor, nowMicros, readLatencyMicros, readSeq, MIN_MESSAGE_BYTES } from './message.js';
export {
  resolveOptions,
  SCENARIO_NAMES,
  QUICK_EXCLUDED_SCENARIOS,
  FULL_DEFAULTS,
  QUICK_DEFAULTS,
  DEFAULT_DURATION_MS,
  DEFAULT_WARMUP_MS,
  DEFAULT_DRAIN_MS,
  DEFAULT_WORKERS,
  DEFAULT_MESSAGE_BYTES,
  DEFAULT_ROUND_TRIP_CLIENTS,
  DEFAULT_FAN_OUT_RECEIVERS,
  DEFAULT_FAN_OUT_IN_FLIGHT,
  DEFAULT_RECOVERY_CLIENTS,
  DEFAULT_RECOVERY_MISSED,
  DEFAULT_IDLE_CONNECTIONS,
  DEFAULT_BACKEND_COUNTS,
  DEFAULT_BACKEND_CLIENTS,
  DEFAULT_FIXED_RATE_PER_SEC,
  DEFAULT_CONNECT_CONCURRENCY,
  DEFAULT_BASELINE_REPEAT,
  BASELINE_OUT_DIR,
} from './options.js';
export type { BenchOptions, BackendImpl, ScenarioName } from './options.js';
export { BenchError, UnavailableError, BENCH_ERROR_CODES, isUnavailableError } from './errors.js';
export type { BenchErrorCode } from './errors.js';
export { judgeTargets } from './report/targets.js';
export { renderTable } from './report/table.js';
export { renderSvg } from './report/svg.js';
export { describeMachine, machineLine } from './report/machine.js';
export type {
  ResultRow,
  TargetCheck,
  SuiteResult,
  MachineInfo,
  System,
  Metric,
  ServerRole,
  CpuFigures,
  RunFigures,
  Figures,
  Comparison,
  BaselineReport,
  RedisCommandFigures,
} from './results.js';
export { compareTrees } from './baseline/compare.js';
export { prepareBaselineTree } from './baseline/worktree.js';
export type { BaselineTree } from './baseline/worktree.js';
export { planPinning, applyPinning, describePinning, parseCpuList } from './servers/pinning.js';
export type { Pinning } from './servers/pinning.js';
export { readCpuMs, clockTicksPerSec } from './servers/cpu-time.js';
export type { Launch, TreeName } from './servers/launch.js';
