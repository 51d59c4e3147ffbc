// The shape of the suite's results: one row per measured setup, plus the targets judged from them.
import type { LatencySummary } from './histogram.js';
import type { ScenarioName } from './options.js';
import type { TreeName } from './servers/launch.js';
import type { Pinning } from './servers/pinning.js';

/** Which system a row measured. */
export type System = 'strands' | 'ws' | 'pystrands';

/** What a server process is, for its share of the CPU figure. */
export type ServerRole = 'broker' | 'backend' | 'ws' | 'redis';

/** CPU time (utime + stime from /proc) of a setup's server processes over the measured window. */
export interface CpuFigures {
  /** All server processes together, in ms per 1,000 replies (round trip) or deliveries (fan-out). */
  perThousandMs: number;
  /** The same per role; every backend process together counts as 'backend' (every broker as 'broker'). */
  byRole: Partial<Record<ServerRole, number>>;
  /** The same per named process, where a stack names them (cluster: 'broker A', 'broker B', 'backend', 'redis'). */
  byProcess?: Record<string, number>;
  /**
   * Server CPU time over wall time: how many cores the servers kept busy. Pinned to one core, near
   * 1 means the servers were the limit; well below 1, they waited (on the load, or on themselves).
   */
  coresBusy?: number;
  /**
   * Write syscalls of the processes that write to clients (broker, ws server; /proc/<pid>/io
   * syscw) per 1,000 replies or deliveries: the fewer, the more frames each write carried.
   */
  writesPerThousand?: number;
}

/** One run of a setup; a row keeps all of its runs, in round order. */
export interface RunFigures {
  /** Which round of --repeat it ran in (from 0): runs of two setups with the same round ran side by side. */
  round?: number;
  value: number;
  p50Ms?: number;
  p99Ms?: number;
  /** Cluster rows: Redis commands per message in this run, and without the idle background. */
  redisPerMessage?: number;
  redisNetPerMessage?: number;
  cpu?: CpuFigures & {
    /** CPU time of all server processes between the two readings, in ms. */
    totalMs: number;
    /** Wall time between the two readings, in ms. */
    windowMs: number;
  };
}

/** Redis commands over a cluster row's window, from Redis' own `INFO commandstats`. */
export interface RedisCommandFigures {
  /** Commands Redis served between the window's two readings (all its clients: both brokers), the suite's INFO calls left out. */
  commands: number;
  /** The row's messages sent in the window: client messages (round trip) or room messages (fan-out). */
  messages: number;
  /** commands / messages: Redis' own count, as it comes (calls made inside scripts count too). */
  perMessage: number;
  /** calls / messages of each command that ran (`publish`, `evalsha`, ...), most first. */
  byCommand: Record<string, number>;
  /**
   * Commands per second Redis served with every client connected and no message moving, sampled
   * just before the load (heartbeats, presence refreshes: upkeep that grows with connections, not messages).
   */
  backgroundPerSec?: number;
  /** The background's calls per second of each command, most first. */
  backgroundByCommand?: Record<string, number>;
  /**
   * (commands − backgroundPerSec × window) / messages: about what the messages themselves cost
   * (the idle sample and the window refresh different slices of the clients: ±0.1 at a slow room).
   */
  netPerMessage?: number;
}

/** Flood rows (issue 15): what one flooding client did to the broker and the others. */
export interface FloodFigures {
  /** Messages the flooder got into its socket, from before the warm-up to the end of the window. */
  flooderSent: number;
  /** How the broker ended the flooder (`1008 rate limit exceeded after 10.4 s`); absent while it was never closed. */
  flooderClosed?: string;
  /** strands_backends_dropped_total at the end. */
  backendsDropped: number;
  /** Backend connections after the first (an SDK backend reconnects after a drop). */
  backendReconnects: number;
  /** strands_client_rate_limited_total: times a client was paused for its rate. */
  rateLimited: number;
  /** strands_client_rate_limit_closes_total. */
  rateLimitCloses: number;
  /** strands_slow_client_closes_total: clients closed 1013 for not reading what they were sent (the flooder reading too slowly its own echoes). */
  slowClientCloses: number;
  /** strands_backend_behind_total: times the backend fell behind and its clients were paused. */
  backendBehind: number;
  /** strands_queue_dropped_total. */
  queueDrops: number;
  /** The broker process's peak resident memory (VmHWM), in bytes. */
  brokerRssPeakBytes: number;
  /** This row's p99 over the quiet row's of the same run. */
  p99VsQuiet?: number;
}

/** What `value` counts (`ms`: a time, lower is better, e.g. history recovery). */
export type Metric = 'msg/s' | 'deliveries/s' | 'bytes/connection' | 'ms';

/** One measured setup. */
export interface ResultRow {
  scenario: ScenarioName;
  /** Stable id, e.g. 'round-trip/strands/100'. */
  id: string;
  system: System;
  /** Human description of the setup. */
  label: string;
  clients: number;
  /** Backend processes behind the broker, where there is one. */
  backends?: number;
  metric: Metric;
  /** Throughput, memory per connection, or a time in ms. */
  value: number;
  latency?: LatencySummary;
  sent?: number;
  received?: number;
  lost?: number;
  /** lost / expected replies or deliveries. */
  lossRatio?: number;
  mismatched?: number;
  dropped?: number;
  /** Highest event-loop utilisation of a load worker (0..1): near 1 means the generator was the limit. */
  generatorUtilization?: number;
  /** Server CPU per 1,000 messages (median over runs, each figure on its own), where /proc can tell. */
  cpu?: CpuFigures;
  /** cpu.perThousandMs over the bare ws server's, same scenario and clients (else round-trip's). */
  cpuVsWs?: number;
  /** Cluster rows: Redis commands per message over the window. */
  redis?: RedisCommandFigures;
  /** Cluster rows: value over the one-broker reference row's of the same run (medians under --repeat). */
  vsSingleBroker?: number;
  /** Cluster rows: the same for each round's own pair of runs (--repeat), in round order: how far single rounds scatter. */
  vsSingleBrokerRounds?: number[];
  /** Cluster rows: server CPU per 1,000 over the reference row's (all processes: both brokers, backend, redis). */
  cpuVsSingleBroker?: number;
  /** Which tree the @strands packages came from; only set in a run with a baseline. */
  tree?: TreeName;
  /** Every run of this setup (--repeat), in round order; the row shows their medians. */
  runs?: RunFigures[];
  /** Ping-pong clients stuck waiting for a reply that never came. */
  stalled?: number;
  connectFailures?: number;
  /** Flood rows: the flood's figures. */
  flood?: FloodFigures;
  /**
   * Idle rows. `rssAfterBytes` is read at rest; `settlingPerConnectionBytes` is the same figure
   * read 1 s after the last connection, with V8's young generation still at its burst size.
   */
  memory?: { rssBeforeBytes: number; rssAfterBytes: number; heapPerConnectionBytes: number; settlingPerConnectionBytes?: number };
  status: 'ok' | 'skipped' | 'failed';
  /** Why skipped or failed, or what to know (e.g. which backend implementation ran). */
  note?: string;
}

/** One target (of issue 7 unless its name says), judged on this run. */
export interface TargetCheck {
  name: string;
  /** The target, in words. */
  goal: string;
  /** What this run measured, in words. */
  actual: string;
  /** undefined when the rows it needs are missing (skipped or failed). */
  pass: boolean | undefined;
}

/** Machine the run happened on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  kernel: string;
  node: string;
  ws: string;
  /** 1-minute load average when the run started: above ~1, others were using the cores. */
  loadAverage: number;
}

/** Everything a run produced; written as latest.json. */
export interface SuiteResult {
  version: 1;
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: MachineInfo;
  settings: {
    durationMs: number;
    warmupMs: number;
    messageBytes: number;
    workers: number;
    backendImpl: string;
    repeat: number;
    /** Where the load generator and the servers ran. */
    pinning: Pinning;
    /** Clock ticks per second of /proc's CPU times (getconf CLK_TCK). */
    clockTicksPerSec: number;
  };
  rows: ResultRow[];
  targets: TargetCheck[];
  /** The current tree against a baseline commit, when run with --baseline. */
  baseline?: BaselineReport;
}

/** Figures of one setup on one tree: medians over its runs. */
export interface Figures {
  value: number;
  p50Ms?: number;
  p99Ms?: number;
  cpu?: CpuFigures;
}

/** One setup measured on both trees. */
export interface Comparison {
  /** Id of the current tree's row (the baseline's has `@baseline` appended). */
  id: string;
  scenario: ScenarioName;
  label: string;
  clients: number;
  metric: Metric;
  current: Figures;
  baseline: Figures;
  /** current / baseline of each figure: below 1, the current tree has less of it. */
  ratio: {
    value: number | undefined;
    p50: number | undefined;
    p99: number | undefined;
    cpu: number | undefined;
    cpuByRole: Partial<Record<ServerRole, number>>;
  };
  /** current / baseline of each round's own pair of runs: how far single rounds scatter. */
  rounds: { value: number[]; cpu: number[] };
}

/** A --baseline run: what was compared, and each setup's ratios. */
export interface BaselineReport {
  /** The ref as given, and the commit it named. */
  ref: string;
  sha: string;
  /** The current tree in words: its HEAD and whether packages/ had uncommitted changes. */
  current: string;
  comparisons: Comparison[];
}
