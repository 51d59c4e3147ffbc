// The stdout report: one line per measured setup, then the targets.
import type { ResultRow, SuiteResult, TargetCheck } from '../results.js';
import { machineLine } from './machine.js';

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function result(row: ResultRow): string {
  if (row.status !== 'ok') return row.status;
  if (row.metric === 'bytes/connection') return `${(row.value / 1024).toFixed(1)} KB/conn`;
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

/** Lays out rows of cells in columns; `right` lists the right-aligned columns. */
export function columns(rows: string[][], right: ReadonlySet<number>): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (right.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function targetMark(t: TargetCheck): string {
  if (t.pass === undefined) return '-';
  return t.pass ? 'PASS' : 'MISS';
}

/** Renders the whole report as text. */
export function renderTable(suite: SuiteResult): string {
  const header = ['scenario', 'setup', 'clients', 'result', 'p50 ms', 'p95 ms', 'p99 ms', 'loss', 'gen', 'note'];
  const body = suite.rows.map((r) => [
    r.scenario,
    r.label,
    fmt(r.clients),
    result(r),
    ms(r.latency?.p50Ms),
    ms(r.latency?.p95Ms),
    ms(r.latency?.p99Ms),
    loss(r),
    r.generatorUtilization === undefined ? '' : `${Math.round(r.generatorUtilization * 100)}%`,
    [r.note, r.mismatched ? `${r.mismatched} mismatched` : '', r.dropped ? `${r.dropped} dropped` : '', r.stalled ? `${r.stalled} clients stalled` : '', r.connectFailures ? `${r.connectFailures} connect failures` : '']
      .filter(Boolean)
      .join('; '),
  ]);
  const s = suite.settings;
  const lines = [
    `Strands benchmark (${suite.quick ? 'QUICK smoke run: figures mean nothing' : 'full run'}), ${suite.startedAt}`,
    `Machine: ${machineLine(suite.machine)}`,
    `Windows of ${s.durationMs / 1000} s after ${s.warmupMs / 1000} s warm-up, ${s.messageBytes}-byte JSON messages, ${s.workers} load worker threads, backend: ${s.backendImpl}`,
    '',
    ...columns([header, ...body], new Set([2, 3, 4, 5, 6, 7, 8])),
    'gen = busiest load worker\'s event-loop utilisation in the window (near 100%: the load generator was the limit)',
    '',
    'Targets (issue 7)' + (suite.quick ? ': not judged in a quick run' : ''),
    ...columns(
      suite.targets.map((t) => [targetMark(t), t.name, t.goal, t.actual]),
      new Set(),
    ).map((l) => `  ${l}`),
  ];
  return lines.join('\n');
}
