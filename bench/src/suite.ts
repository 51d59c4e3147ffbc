// Runs the selected scenarios in order and judges the targets: the whole of `pnpm bench`
// except printing and writing files.
import { describeMachine } from './report/machine.js';
import { judgeTargets } from './report/targets.js';
import type { BenchOptions, ScenarioName } from './options.js';
import type { ResultRow, SuiteResult } from './results.js';
import { backends } from './scenarios/backends.js';
import { fanOut } from './scenarios/fan-out.js';
import { fixedRate } from './scenarios/fixed-rate.js';
import { idle } from './scenarios/idle.js';
import type { Log } from './scenarios/measure.js';
import { pystrands } from './scenarios/pystrands.js';
import { roundTrip } from './scenarios/round-trip.js';

const SCENARIOS: Record<ScenarioName, (options: BenchOptions, log: Log) => Promise<ResultRow[]>> = {
  'round-trip': roundTrip,
  'fan-out': fanOut,
  idle,
  backends,
  'fixed-rate': fixedRate,
  pystrands,
};

/**
 * Runs every scenario in `options.scenarios`; setups that cannot run become skipped or failed
 * rows, so the suite always returns a result.
 * @example
 * const suite = await runSuite(resolveOptions({ quick: true }), console.error);
 * console.log(renderTable(suite));
 */
export async function runSuite(options: BenchOptions, log: Log = () => {}): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  const machine = describeMachine();
  if (machine.loadAverage > 1) log(`note: load average ${machine.loadAverage}: other work shares the cores, figures will be noisy`);
  const rows: ResultRow[] = [];
  for (const name of options.scenarios) {
    log(`${name}`);
    rows.push(...(await SCENARIOS[name](options, log)));
  }
  return {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    quick: options.quick,
    machine,
    settings: {
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      messageBytes: options.messageBytes,
      workers: options.workers,
      backendImpl: options.backendImpl,
    },
    rows,
    targets: judgeTargets(rows, options),
  };
}
