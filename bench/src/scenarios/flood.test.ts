// The flood scenario's rows: each tree's flooded rows are set against that tree's own quiet row.
import { describe, expect, it } from 'vitest';
import type { FloodFigures, ResultRow } from '../results.js';
import { floodRows } from './flood.js';

const figures: FloodFigures = { flooderSent: 1, backendsDropped: 0, backendReconnects: 0, rateLimited: 0, rateLimitCloses: 0, slowClientCloses: 0, backendBehind: 0, queueDrops: 0, brokerRssPeakBytes: 0 };

function row(id: string, p99Ms: number, flooded: boolean): ResultRow {
  return {
    scenario: 'flood',
    id,
    system: 'strands',
    label: id,
    clients: 10,
    metric: 'msg/s',
    status: 'ok',
    value: 200,
    latency: { count: 100, meanMs: 1, p50Ms: 1, p95Ms: 1, p99Ms, maxMs: p99Ms },
    ...(flooded ? { flood: figures } : {}),
  };
}

describe('floodRows', () => {
  it('sets each flooded row against the quiet row of its own tree', () => {
    // As `repeated` returns them with a baseline: quiet, flood, no limits; current then baseline within each.
    const rows = [row('quiet', 2, false), row('quiet@baseline', 4, false), row('flood', 3, true), row('flood@baseline', 10, true), row('open', 8, true), row('open@baseline', 8, true)];
    expect(floodRows(rows, 2).map((r) => [r.id, r.flood?.p99VsQuiet])).toEqual([
      ['quiet', undefined],
      ['quiet@baseline', undefined],
      ['flood', 1.5],
      ['flood@baseline', 2.5],
      ['open', 4],
      ['open@baseline', 2],
    ]);
  });

  it('without a baseline, one row of each', () => {
    expect(floodRows([row('quiet', 2, false), row('flood', 5, true), row('open', 6, true)], 1).map((r) => r.flood?.p99VsQuiet)).toEqual([undefined, 2.5, 3]);
  });
});
