// The text report of a --baseline run: each setup's figures as current / baseline.
import type { BaselineReport, Comparison, Figures } from '../results.js';
import { cpuMs, times } from './cpu-format.js';
import { columns } from './columns.js';

const short = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)}k` : Math.round(n).toLocaleString('en-US'));

function valueCell(c: Comparison): string {
  if (c.metric === 'bytes/connection') return `${times(c.ratio.value)} (${(c.current.value / 1024).toFixed(1)} / ${(c.baseline.value / 1024).toFixed(1)} KB)`;
  return `${times(c.ratio.value)} (${short(c.current.value)} / ${short(c.baseline.value)})`;
}

function cpuCell(c: Comparison): string {
  const at = (f: Figures) => cpuMs(f.cpu?.perThousandMs);
  return c.ratio.cpu === undefined ? '' : `${times(c.ratio.cpu)} (${at(c.current)} / ${at(c.baseline)})`;
}

const range = (values: number[]) =>
  values.length === 0 ? '' : values.length === 1 ? times(values[0]) : `${Math.min(...values).toFixed(2)}-${Math.max(...values).toFixed(2)}`;

/** Where 1.00 falls among the rounds' CPU ratios: a plain fact, not a significance test. */
function spread(values: number[]): string {
  if (values.length < 2) return '';
  if (values.every((v) => v > 1)) return `higher in all ${values.length} rounds`;
  if (values.every((v) => v < 1)) return `lower in all ${values.length} rounds`;
  return 'rounds on both sides of 1';
}

/** The comparison section of the text report. */
export function renderComparison(report: BaselineReport, repeat: number): string[] {
  const header = ['scenario', 'setup', 'clients', 'result (cur / base)', 'p50', 'p99', 'CPU/1k (cur / base ms)', 'broker', 'backend', 'result rounds', 'CPU rounds', 'CPU by round'];
  const body = report.comparisons.map((c) => [
    c.scenario,
    c.label,
    c.clients.toLocaleString('en-US'),
    valueCell(c),
    times(c.ratio.p50),
    times(c.ratio.p99),
    cpuCell(c),
    times(c.ratio.cpuByRole.broker),
    times(c.ratio.cpuByRole.backend),
    range(c.rounds.value),
    range(c.rounds.cpu),
    spread(c.rounds.cpu),
  ]);
  return [
    `Current vs baseline ${report.sha.slice(0, 7)}: current / baseline of each figure, medians of ${repeat} round${repeat === 1 ? '' : 's'} (each round runs both trees back to back)`,
    ...(body.length === 0 ? ['  nothing to compare: no setup ran on both trees'] : columns([header, ...body], new Set([2, 3, 4, 5, 6, 7, 8, 9, 10]))),
    'Below 1.00x the current tree has less of it: fewer msg/s is slower, less latency or CPU is better. "rounds": the',
    'lowest-highest ratio of single rounds. Throughput swings by a third between runs on these VMs; CPU per 1,000 holds steady.',
  ];
}
