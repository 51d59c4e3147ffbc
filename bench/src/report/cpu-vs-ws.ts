// The ratio of each setup's server CPU per message to the bare ws server's: how much more CPU a
// message costs through the broker and its backend than the cheapest server can do it for.
import type { ResultRow } from '../results.js';

/**
 * Sets `cpuVsWs` on every measured non-ws row with CPU figures, against the ws row of the same
 * scenario and client count, or else round-trip's (backends and pystrands have no ws row).
 */
export function withCpuVsWs(rows: ResultRow[]): ResultRow[] {
  const ws = (scenario: string, clients: number) =>
    rows.find((r) => r.system === 'ws' && r.status === 'ok' && r.scenario === scenario && r.clients === clients && r.cpu !== undefined);
  return rows.map((row) => {
    // Cluster rows read against their one-broker reference rows instead, history rows against history off.
    if (row.system === 'ws' || row.scenario === 'cluster' || row.scenario === 'history' || row.status !== 'ok' || row.cpu === undefined) return row;
    const reference = ws(row.scenario, row.clients) ?? ws('round-trip', row.clients);
    const base = reference?.cpu?.perThousandMs;
    if (base === undefined || base === 0) return row;
    return { ...row, cpuVsWs: Math.round((row.cpu.perThousandMs / base) * 100) / 100 };
  });
}
