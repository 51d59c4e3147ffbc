// `pnpm bench`: runs the suite, prints the table on stdout (progress on stderr), writes
// results/latest.json and results/chart.svg. Exits 1 only when the suite itself breaks.
import { parseArgs } from 'node:util';
import { BenchError } from './errors.js';
import { resolveOptions, SCENARIO_NAMES, type BackendImpl, type BenchOptions, type ScenarioName } from './options.js';
import { writeResults } from './output.js';
import { renderTable } from './report/table.js';
import { runSuite } from './suite.js';

const USAGE = `usage: pnpm bench [--quick] [--only ${SCENARIO_NAMES.join(',')}] [--duration-ms N] [--warmup-ms N] [--workers N] [--repeat N]
                  [--clients N,M] [--idle N,M] [--backend sdk|raw] [--out DIR] [--pin] [--baseline GIT-REF]
  --quick            smoke run (short windows, small counts): checks that the suite runs, not figures;
                     leaves out cluster unless --only names it
  --only a,b         run only these scenarios (default: all)
  --duration-ms N    measured window per setup (default 10000; quick 1000)
  --warmup-ms N      unmeasured load before each window (default 5000; quick 200)
  --workers N        load generator worker threads (default 2)
  --repeat N         runs of each setup, interleaved; medians reported (default 1; 3 with --baseline)
  --clients N,M      client counts of the round-trip setups (default 100,1000; quick 20,100)
  --idle N,M         connection counts of the idle setups (default 10000; quick 500); each needs
                     ulimit -n above it (20000: ulimit -n 22000)
  --backend sdk|raw  echo backend behind the broker: the @strands/backend SDK or a raw TCP reference (default sdk)
  --out DIR          folder for latest.json and chart.svg (default results; quick results/quick;
                     --baseline results/baseline)
  --pin              load generator on the first CPU, servers on the others (Linux taskset)
  --baseline REF     also run the servers of commit REF (temporary git worktree) interleaved with the
                     current tree's, and report every figure as current / baseline
  env PYSTRANDS_BROKER_BIN, PYSTRANDS_ECHO_BIN: run the PyStrands comparison
  env REDIS_SERVER_PATH: redis-server of the cluster scenario (default: redis-server on the PATH; missing: skipped)`;

function parse(argv: string[]): Partial<BenchOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'duration-ms': { type: 'string' },
      'warmup-ms': { type: 'string' },
      workers: { type: 'string' },
      repeat: { type: 'string' },
      clients: { type: 'string' },
      idle: { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
      pin: { type: 'boolean' },
      baseline: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  return {
    quick: values.quick ?? false,
    scenarios: values.only?.split(',').map((s) => s.trim() as ScenarioName),
    durationMs: int(values['duration-ms']),
    warmupMs: int(values['warmup-ms']),
    workers: int(values.workers),
    repeat: int(values.repeat),
    roundTripClients: values.clients?.split(',').map((n) => Number(n.trim())),
    idleConnections: values.idle?.split(',').map((n) => Number(n.trim())),
    backendImpl: values.backend as BackendImpl | undefined,
    outDir: values.out,
    pin: values.pin,
    baselineRef: values.baseline,
  };
}

// Ctrl-C: exit normally so that 'exit' handlers end the child processes.
process.once('SIGINT', () => process.exit(130));

try {
  const options = resolveOptions(parse(process.argv.slice(2)), process.env);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const suite = await runSuite(options, log);
  process.stdout.write(`${renderTable(suite)}\n`);
  const written = await writeResults(suite, options.outDir);
  log(`wrote ${written.json} and ${written.svg}`);
  const failed = suite.rows.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    log(`${failed.length} setup(s) failed: ${failed.map((r) => r.id).join(', ')}`);
    process.exitCode = 1;
  }
} catch (error) {
  if (error instanceof BenchError) {
    console.error(`bench: ${error.code}: ${error.message}\n${USAGE}`);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
}
