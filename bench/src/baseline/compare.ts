// Pairs each setup measured on the baseline tree with the same setup on the current tree and
// gives every figure as current / baseline, from medians over the interleaved runs.
import type { Comparison, Figures, ResultRow, ServerRole } from '../results.js';
import { median, medianCpu } from '../scenarios/measure.js';

/** The suffix of a baseline row's id. */
export const BASELINE_SUFFIX = '@baseline';

const ratio = (current: number | undefined, baseline: number | undefined): number | undefined =>
  current === undefined || baseline === undefined || baseline === 0 ? undefined : Math.round((current / baseline) * 1000) / 1000;

const defined = (values: (number | undefined)[]): number[] => values.filter((v): v is number => v !== undefined);

/** Medians of every figure over a row's runs (each on its own). */
export function figuresOf(row: ResultRow): Figures {
  const runs = row.runs ?? [{ value: row.value }];
  const cpu = medianCpu(runs);
  const p50Ms = median(defined(runs.map((r) => r.p50Ms)));
  const p99Ms = median(defined(runs.map((r) => r.p99Ms)));
  return {
    value: median(runs.map((r) => r.value)) ?? row.value,
    ...(p50Ms === undefined ? {} : { p50Ms }),
    ...(p99Ms === undefined ? {} : { p99Ms }),
    ...(cpu === undefined ? {} : { cpu }),
  };
}

/** Every setup that ran on both trees (both rows ok), in the order of the baseline rows. */
export function compareTrees(rows: ResultRow[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const base of rows) {
    if (base.tree !== 'baseline' || base.status !== 'ok' || !base.id.endsWith(BASELINE_SUFFIX)) continue;
    const id = base.id.slice(0, -BASELINE_SUFFIX.length);
    const current = rows.find((r) => r.id === id && r.status === 'ok');
    if (current === undefined) continue;
    const c = figuresOf(current);
    const b = figuresOf(base);
    const cpuByRole: Partial<Record<ServerRole, number>> = {};
    for (const role of Object.keys(c.cpu?.byRole ?? {}) as ServerRole[]) {
      const r = ratio(c.cpu?.byRole[role], b.cpu?.byRole[role]);
      if (r !== undefined) cpuByRole[role] = r;
    }
    // Runs of the same round ran side by side; a round where either failed has no pair.
    const baseRuns = base.runs ?? [];
    const pairs = (current.runs ?? []).flatMap((run, i) => {
      const other = run.round === undefined ? baseRuns[i] : baseRuns.find((b) => b.round === run.round);
      return other === undefined ? [] : [[run, other] as const];
    });
    comparisons.push({
      id,
      scenario: current.scenario,
      label: current.label,
      clients: current.clients,
      metric: current.metric,
      current: c,
      baseline: b,
      ratio: {
        value: ratio(c.value, b.value),
        p50: ratio(c.p50Ms, b.p50Ms),
        p99: ratio(c.p99Ms, b.p99Ms),
        cpu: ratio(c.cpu?.perThousandMs, b.cpu?.perThousandMs),
        cpuByRole,
      },
      rounds: {
        value: defined(pairs.map(([x, y]) => ratio(x.value, y.value))),
        cpu: defined(pairs.map(([x, y]) => ratio(x.cpu?.perThousandMs, y.cpu?.perThousandMs))),
      },
    });
  }
  return comparisons;
}
