// The stdout report: one line per measured setup, then the targets.
import type { ResultRow, SuiteResult, TargetCheck } from '../results.js';
import { describePinning } from '../servers/pinning.js';
import { columns } from './columns.js';
import { renderComparison } from './comparison-table.js';
import { cpuMs, cpuSplit, times } from './cpu-format.js';
import { machineLine } from './machine.js';
import { floodNote } from '../scenarios/flood.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function result(row: ResultRow): string {
  if (row.status !== 'ok') return row.status;
  if (row.metric === 'bytes/connection') return `${(row.value / 1024).toFixed(1)} KB/conn`;
  if (row.metric === 'ms') return `${fmt(row.value)} ms`;
  return `${fmt(row.value)} ${row.metric}`;
}

function loss(row: ResultRow): string {
  if (row.status !== 'ok' || row.lossRatio === undefined) return '';
  if (row.lost === 0) return '0';
  return `${(row.lossRatio * 100).toFixed(2)}%`;
}

function ms(value: number | undefined): string {
  return value === undefined ? '' : value.toFixed(2);
}

function targetMark(t: TargetCheck): string {
  if (t.pass === undefined) return '-';
  return t.pass ? 'PASS' : 'MISS';
}

const percent = (n: number) => `${Math.round(n * 100)}%`;

/** A cluster row against one broker: "40% (25-95%), CPU 2.02x" (the range: single rounds under --repeat). */
export function versusCell(row: ResultRow): string {
  if (row.vsSingleBroker === undefined) return '';
  const rounds = row.vsSingleBrokerRounds;
  const range = rounds === undefined || rounds.length < 2 ? '' : ` (${Math.round(Math.min(...rounds) * 100)}-${percent(Math.max(...rounds))})`;
  return `${percent(row.vsSingleBroker)}${range}${row.cpuVsSingleBroker === undefined ? '' : `, CPU ${row.cpuVsSingleBroker.toFixed(2)}x`}`;
}

/**
 * Redis commands per message, the commands behind most of them, and what is left once the idle
 * background is taken out: "3.41 (publish 1.01, evalsha 0.40; idle out 1.01)".
 */
export function redisCell(row: ResultRow): string {
  if (row.status !== 'ok' || row.redis === undefined) return '';
  const r = row.redis;
  const top = Object.entries(r.byCommand).filter(([, n]) => n >= 0.005).slice(0, 2).map(([name, n]) => `${name} ${n.toFixed(2)}`);
  const parts = [...(top.length === 0 ? [] : [top.join(', ')]), ...(r.netPerMessage === undefined ? [] : [`idle out ${r.netPerMessage.toFixed(2)}`])];
  return `${r.perMessage.toFixed(2)}${parts.length === 0 ? '' : ` (${parts.join('; ')})`}`;
}

/**
 * Idle rows: the V8 heap in use per connection (after a GC), which holds still where RSS moves
 * with V8's sizing of its spaces, and the RSS figure as read 1 s after the burst.
 */
function heapNote(r: ResultRow): string {
  if (r.memory === undefined) return '';
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB/conn`;
  const settling = r.memory.settlingPerConnectionBytes;
  return `heap ${kb(r.memory.heapPerConnectionBytes)}${settling === undefined ? '' : `, ${kb(settling)} 1 s after the burst`}`;
}

/** Renders the whole report as text. */
export function renderTable(suite: SuiteResult): string {
  // Columns of the cluster scenario, only when a row has their figures.
  const cluster = suite.rows.some((r) => r.vsSingleBroker !== undefined || r.redis !== undefined);
  const header = ['scenario', 'setup', 'clients', 'result', 'p50 ms', 'p95 ms', 'p99 ms', 'loss', 'CPU ms/1k', 'CPU by process', 'CPU vs ws', 'srv cores', 'gen',
    ...(cluster ? ['vs 1 broker', 'redis cmd/msg'] : []), 'note'];
  const body = suite.rows.map((r) => [
    r.scenario,
    r.label,
    fmt(r.clients),
    result(r),
    ms(r.latency?.p50Ms),
    ms(r.latency?.p95Ms),
    ms(r.latency?.p99Ms),
    loss(r),
    r.status === 'ok' ? cpuMs(r.cpu?.perThousandMs) : '',
    r.status === 'ok' ? cpuSplit(r.cpu) : '',
    times(r.cpuVsWs),
    r.status === 'ok' && r.cpu?.coresBusy !== undefined ? r.cpu.coresBusy.toFixed(2) : '',
    r.generatorUtilization === undefined ? '' : `${Math.round(r.generatorUtilization * 100)}%`,
    ...(cluster ? [versusCell(r), redisCell(r)] : []),
    [r.note, floodNote(r), heapNote(r), r.mismatched ? `${r.mismatched} mismatched` : '', r.dropped ? `${r.dropped} dropped` : '', r.stalled ? `${r.stalled} clients stalled` : '', r.connectFailures ? `${r.connectFailures} connect failures` : '']
      .filter(Boolean)
      .join('; '),
  ]);
  const s = suite.settings;
  const lines = [
    `Strands benchmark (${suite.quick ? 'QUICK smoke run: figures mean nothing' : 'full run'}), ${suite.startedAt}`,
    `Machine: ${machineLine(suite.machine)}`,
    `Windows of ${s.durationMs / 1000} s after ${s.warmupMs / 1000} s warm-up, ${s.messageBytes}-byte JSON messages, ${s.workers} load worker threads, backend: ${s.backendImpl}${s.repeat > 1 ? `, medians of ${s.repeat} interleaved runs` : ''}`,
    `Pinning: ${describePinning(s.pinning)}`,
    ...(suite.baseline === undefined ? [] : [`Baseline: ${suite.baseline.sha.slice(0, 7)} (${suite.baseline.ref}) from a temporary worktree, against the ${suite.baseline.current}`]),
    '',
    ...columns([header, ...body], new Set([2, 3, 4, 5, 6, 7, 8, 10, 11, 12, ...(cluster ? [13] : [])])),
    `gen = busiest load worker's event-loop utilisation in the window (near 100%: the load generator was the limit${s.pinning.active ? `; pinned, the ${s.workers} workers share CPU ${s.pinning.loadCpus}: ${Math.round(100 / s.workers)}% each may already fill it` : ''})`,
    `CPU = utime + stime of the server processes (/proc/<pid>/stat, CLK_TCK ${s.clockTicksPerSec}) over the window, ms per 1,000 replies (fan-out: deliveries); vs ws = that over the bare ws server's;`,
    'srv cores = server CPU time / wall time (pinned to one core: near 1.00, the servers were the limit)',
    ...(cluster
      ? [
          'vs 1 broker = that cluster row over its one-broker reference row of this run (in brackets: lowest-highest of single rounds), and its CPU per 1,000 over the reference\'s; redis cmd/msg = commands Redis served in the window (INFO commandstats: both brokers,',
          'calls inside scripts too) per message sent (fan-out: per room message); idle out = the same less the rate Redis served idle with the same clients connected just before the load',
        ]
      : []),
    ...(suite.baseline === undefined ? [] : ['', ...renderComparison(suite.baseline, s.repeat)]),
    '',
    'Targets (issue 7 unless named)' + (suite.quick ? ': not judged in a quick run' : ''),
    ...columns(
      suite.targets.map((t) => [targetMark(t), t.name, t.goal, t.actual]),
      new Set(),
    ).map((l) => `  ${l}`),
  ];
  return lines.join('\n');
}
