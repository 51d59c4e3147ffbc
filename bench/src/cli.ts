// `pnpm bench`: runs the suite, prints the table on stdout (progress on stderr), writes
// results/latest.json and results/chart.svg. Exits 1 only when the suite itself breaks.
import { parseArgs } from 'node:util';
import { BenchError } from './errors.js';
import { resolveOptions, SCENARIO_NAMES, type BackendImpl, type BenchOptions, type ScenarioName } from './options.js';
import { writeResults } from './output.js';
import { renderTable } from './report/table.js';
import { runSuite } from './suite.js';

const USAGE = `usage: pnpm bench [--quick] [--only ${SCENARIO_NAMES.join(',')}] [--duration-ms N] [--workers N] [--repeat N]
                  [--backend sdk|raw] [--out DIR]
  env PYSTRANDS_BROKER_BIN, PYSTRANDS_ECHO_BIN: run the PyStrands comparison`;

function parse(argv: string[]): Partial<BenchOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      'duration-ms': { type: 'string' },
      workers: { type: 'string' },
      repeat: { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
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
    workers: int(values.workers),
    repeat: int(values.repeat),
    backendImpl: values.backend as BackendImpl | undefined,
    outDir: values.out,
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
