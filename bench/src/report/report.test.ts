import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../options.js';
import type { ResultRow, SuiteResult } from '../results.js';
import { renderSvg } from './svg.js';
import { renderTable } from './table.js';
import { judgeTargets } from './targets.js';

const latency = (p99Ms: number) => ({ count: 1, p50Ms: p99Ms / 2, p95Ms: p99Ms, p99Ms, maxMs: p99Ms, meanMs: p99Ms / 2 });
const row = (over: Partial<ResultRow> & Pick<ResultRow, 'id' | 'scenario' | 'system' | 'value'>): ResultRow => ({
  label: over.id,
  clients: 100,
  metric: 'msg/s',
  status: 'ok',
  lost: 0,
  lossRatio: 0,
  ...over,
});

const rows: ResultRow[] = [
  row({ id: 'round-trip/ws/100', scenario: 'round-trip', system: 'ws', value: 50_000, latency: latency(5) }),
  row({ id: 'round-trip/strands/100', scenario: 'round-trip', system: 'strands', value: 40_000, latency: latency(8) }),
  row({ id: 'round-trip/ws/1000', scenario: 'round-trip', system: 'ws', value: 40_000, clients: 1000 }),
  row({ id: 'round-trip/strands/1000', scenario: 'round-trip', system: 'strands', value: 20_000, clients: 1000 }),
  row({ id: 'fan-out/strands/1000', scenario: 'fan-out', system: 'strands', value: 650_000, metric: 'deliveries/s', clients: 1000 }),
  row({ id: 'idle/strands/10000', scenario: 'idle', system: 'strands', value: 9_000, metric: 'bytes/connection', clients: 10_000 }),
  row({ id: 'backends/strands/1', scenario: 'backends', system: 'strands', value: 30_000, backends: 1 }),
  row({ id: 'backends/strands/2', scenario: 'backends', system: 'strands', value: 36_000, backends: 2 }),
  row({ id: 'backends/strands/4', scenario: 'backends', system: 'strands', value: 35_000, backends: 4 }),
  row({ id: 'pystrands/pystrands/100', scenario: 'pystrands', system: 'pystrands', value: 16_000, latency: latency(14), note: 'a & b <c>' }),
];

describe('judgeTargets', () => {
  it('judges each target of issue 7 from the rows', () => {
    const byName = Object.fromEntries(judgeTargets(rows, resolveOptions()).map((t) => [t.name, t]));
    expect(byName['round trip, 100 clients']).toMatchObject({ pass: true, actual: '80% (40,000 / 50,000)' });
    expect(byName['p99, 100 clients']).toMatchObject({ pass: true });
    expect(byName['round trip, 1000 clients']).toMatchObject({ pass: false, actual: '50% (20,000 / 40,000)' });
    expect(byName['fan-out, room of 1000']).toMatchObject({ pass: true });
    expect(byName['idle memory, 10000 connections']).toMatchObject({ pass: false, actual: '8.8 KB' });
    expect(byName['backend scaling']).toMatchObject({ pass: true });
    expect(byName['vs PyStrands, 100 clients']).toMatchObject({ pass: true, actual: '2.50x, p99 8 vs 14 ms' });
  });

  it('says "not measured" for missing or failed rows, and judges nothing in a quick run', () => {
    const failed = rows.map((r) => (r.scenario === 'fan-out' ? { ...r, status: 'failed' as const } : r));
    const fan = judgeTargets(failed, resolveOptions()).find((t) => t.name === 'fan-out');
    expect(fan).toMatchObject({ actual: 'not measured', pass: undefined });
    const quick = judgeTargets(rows, resolveOptions({ quick: true, roundTripClients: [100, 1000] }));
    expect(quick.every((t) => t.pass === undefined)).toBe(true);
  });

  it('flags backend scaling that falls by more than the noise margin', () => {
    const falling = rows.map((r) => (r.id === 'backends/strands/4' ? { ...r, value: 20_000 } : r));
    expect(judgeTargets(falling, resolveOptions()).find((t) => t.name === 'backend scaling')?.pass).toBe(false);
  });
});

const suite: SuiteResult = {
  version: 1,
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: '2025-01-01T00:01:00.000Z',
  quick: false,
  machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 4, platform: 'linux x64', kernel: '6.1', node: 'v20', ws: '8', loadAverage: 0.2 },
  settings: { durationMs: 10_000, warmupMs: 1_000, messageBytes: 64, workers: 2, backendImpl: 'sdk' },
  rows: [...rows, row({ id: 'fan-out/ws/1000', scenario: 'fan-out', system: 'ws', value: 0, status: 'failed', note: 'boom' })],
  targets: judgeTargets(rows, resolveOptions()),
};

describe('renderTable', () => {
  it('prints the machine, one line per row and the targets', () => {
    const text = renderTable(suite);
    expect(text).toContain('Machine: Test CPU, 2 cores');
    expect(text).toMatch(/round-trip\s+round-trip\/strands\/100\s+100\s+40,000 msg\/s\s+4\.00\s+8\.00\s+8\.00\s+0/);
    expect(text).toMatch(/idle .* 8\.8 KB\/conn/);
    expect(text).toMatch(/fan-out .* failed .* boom/);
    expect(text).toMatch(/MISS\s+round trip, 1000 clients/);
    expect(text).toMatch(/PASS\s+fan-out, room of 1000/);
  });
});

describe('renderSvg', () => {
  it('draws a bar per measured row, skips failed ones, and escapes text', () => {
    const svg = renderSvg(suite);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const measured = suite.rows.filter((r) => r.status === 'ok').length;
    expect(svg.match(/<rect x="250"/g)).toHaveLength(measured);
    expect(svg).toContain('Test CPU, 2 cores');
    expect(svg).not.toMatch(/&(?!amp;|lt;|gt;)/);
    expect(svg).toContain('650,000 deliveries/s');
  });
});

describe('medianRow', () => {
  it('keeps the middle run (lower middle for an even count)', async () => {
    const { medianRow } = await import('../scenarios/measure.js');
    const runs = [30, 10, 20].map((value) => row({ id: 'x', scenario: 'round-trip', system: 'ws', value }));
    expect(medianRow(runs).value).toBe(20);
    expect(medianRow(runs.slice(0, 2)).value).toBe(10);
  });
});
