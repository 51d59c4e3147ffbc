// Runs the selected scenarios in order and judges the targets: the whole of `pnpm bench`
// except printing and writing files. Sets up pinning and the baseline tree when asked.
import { compareTrees } from './baseline/compare.js';
import { describeCurrentTree, prepareBaselineTree, REPO_DIR } from './baseline/worktree.js';
import { withCpuVsWs } from './report/cpu-vs-ws.js';
import { describeMachine } from './report/machine.js';
import { judgeTargets } from './report/targets.js';
import type { BenchOptions, ScenarioName } from './options.js';
import type { ResultRow, SuiteResult } from './results.js';
import { backends } from './scenarios/backends.js';
import { cluster } from './scenarios/cluster.js';
import { fanOut } from './scenarios/fan-out.js';
import { fixedRate } from './scenarios/fixed-rate.js';
import { flood } from './scenarios/flood.js';
import { history } from './scenarios/history.js';
import { idle } from './scenarios/idle.js';
import type { Log, ScenarioContext } from './scenarios/measure.js';
import { pystrands } from './scenarios/pystrands.js';
import { queue } from './scenarios/queue.js';
import { roundTrip } from './scenarios/round-trip.js';
import { clockTicksPerSec } from './servers/cpu-time.js';
import { ensureBuilt } from './servers/built-packages.js';
import { CURRENT_LAUNCH, type Launch } from './servers/launch.js';
import { applyPinning, describePinning, planPinning } from './servers/pinning.js';

const SCENARIOS: Record<ScenarioName, (options: BenchOptions, context: ScenarioContext) => Promise<ResultRow[]>> = {
  'round-trip': roundTrip,
  'fan-out': fanOut,
  history,
  idle,
  backends,
  'fixed-rate': fixedRate,
  pystrands,
  cluster,
  queue,
  flood,
};

/**
 * Runs every scenario in `options.scenarios`; setups that cannot run become skipped or failed
 * rows, so the suite always returns a result. First builds the packages when their dist/ (what
 * the servers load) is missing or older than the sources (BenchError('build_failed') if that
 * fails). With `baselineRef`, first makes, installs and builds a worktree of that commit
 * (removed at the end) and runs its servers beside the current tree's; throws
 * BenchError('baseline_failed') when that cannot be done.
 * @example
 * const suite = await runSuite(resolveOptions({ quick: true }), console.error);
 * console.log(renderTable(suite));
 */
export async function runSuite(options: BenchOptions, log: Log = () => {}): Promise<SuiteResult> {
  const startedAt = new Date().toISOString();
  // Before pinning: the machine's cores, not the one CPU this process may then use.
  const machine = describeMachine();
  if (machine.loadAverage > 1) log(`note: load average ${machine.loadAverage}: other work shares the cores, figures will be noisy`);
  // Before pinning too: the build and the install get every core.
  await ensureBuilt(REPO_DIR, log);
  const tree = options.baselineRef === undefined ? undefined : await prepareBaselineTree(options.baselineRef, log);
  try {
    const currentTree = tree === undefined ? undefined : await describeCurrentTree();
    const { pinning, restore } = applyPinning(planPinning(options.pin));
    if (options.pin) log(describePinning(pinning));
    try {
      const cpus = pinning.active ? pinning.serverCpus : undefined;
      const current: Launch = { ...CURRENT_LAUNCH, cpus };
      const baseline: Launch | undefined =
        tree === undefined ? undefined : { tree: 'baseline', label: `baseline ${tree.short}`, tsconfig: tree.tsconfig, cpus };
      const context: ScenarioContext = { log, current, baseline };
      let rows: ResultRow[] = [];
      for (const name of options.scenarios) {
        log(`${name}`);
        rows.push(...(await SCENARIOS[name](options, context)));
      }
      rows = withCpuVsWs(rows);
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
          repeat: options.repeat,
          pinning,
          clockTicksPerSec: clockTicksPerSec(),
        },
        rows,
        targets: judgeTargets(rows, options),
        ...(tree === undefined
          ? {}
          : { baseline: { ref: tree.ref, sha: tree.sha, current: currentTree ?? 'working tree', comparisons: compareTrees(rows) } }),
      };
    } finally {
      restore();
    }
  } finally {
    await tree?.remove();
  }
}
