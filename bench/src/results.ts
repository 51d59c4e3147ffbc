// The shape of the suite's results: one row per measured setup, plus the targets judged from them.
import type { LatencySummary } from './histogram.js';
import type { ScenarioName } from './options.js';

/** Which system a row measured. */
export type System = 'strands' | 'ws' | 'pystrands';

/** What `value` counts. */
export type Metric = 'msg/s' | 'deliveries/s' | 'bytes/connection';

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
  /** Throughput, or memory per connection. */
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
  /** Ping-pong clients stuck waiting for a reply that never came. */
  stalled?: number;
  connectFailures?: number;
  memory?: { rssBeforeBytes: number; rssAfterBytes: number; heapPerConnectionBytes: number };
  status: 'ok' | 'skipped' | 'failed';
  /** Why skipped or failed, or what to know (e.g. which backend implementation ran). */
  note?: string;
}

/** One target of issue 7, judged on this run. */
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
  };
  rows: ResultRow[];
  targets: TargetCheck[];
}
