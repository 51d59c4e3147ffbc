// `pnpm fuzz -- --count N --seed S`: a longer fuzz run of both broker ports than CI's (the same
// generators and checks as packages/broker/test/fuzz.test.ts); prints inputs, crashes, control
// messages lost, RSS before/after and the broker's CPU time. Exits 1 when a batch broke a property.
import { parseArgs } from 'node:util';
import { fuzzBroker, type FuzzReport } from '../../../testing/src/fuzz/fuzz-run.js';

const USAGE = `usage: pnpm fuzz -- [--count N] [--seed S] [--ws N] [--backends N]
  --count N     batches (fast-check runs), each followed by the liveness and control checks (default 50)
  --seed S      fast-check seed (default: random, printed; give it to replay a run)
  --ws N        fuzzed WebSocket clients per batch (default 40)
  --backends N  fuzzed backend connections per batch (default 20)`;

function main(argv: string[]): Promise<number> | number {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--'),
    options: { count: { type: 'string' }, seed: { type: 'string' }, ws: { type: 'string' }, backends: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  const int = (text: string | undefined, fallback: number, name: string): number => {
    const n = text === undefined ? fallback : Number(text);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: expected a non-negative integer, got ${JSON.stringify(text)}`);
    return n;
  };
  const seed = int(values.seed, Math.floor(Math.random() * 2 ** 31), 'seed');
  const batches = int(values.count, 50, 'count');
  const wsPerBatch = int(values.ws, 40, 'ws');
  const backendsPerBatch = int(values.backends, 20, 'backends');
  console.error(`fuzz: seed ${seed}, ${batches} batches of ${wsPerBatch} WebSocket clients and ${backendsPerBatch} backends`);
  return fuzzBroker({ seed, batches, wsPerBatch, backendsPerBatch, log: (line) => console.error(line) }).then((report) => {
    console.log(render(report));
    return report.failure === undefined ? 0 : 1;
  });
}

/** The figures, one per line. */
export function render(r: FuzzReport): string {
  const inputs = r.wsInputs + r.backendLines;
  const kb = (n: number | undefined) => (n === undefined ? '?' : `${(n / 1024).toFixed(1)} MiB`);
  const cpuPer1k = r.brokerCpuMs === undefined || inputs === 0 ? '?' : `${((r.brokerCpuMs / inputs) * 1000).toFixed(0)} ms`;
  return [
    `seed                   ${r.seed}`,
    `batches                ${r.batches}`,
    `inputs                 ${inputs} (${r.wsInputs} WebSocket clients, ${r.backendLines} backend lines on ${r.backendConnections} connections)`,
    `crashes                ${r.crashes}`,
    `control messages       ${r.controlSent} sent, ${r.controlLost} lost`,
    `broker RSS             ${kb(r.rssBeforeKb)} before, ${kb(r.rssAfterKb)} after`,
    `broker CPU             ${r.brokerCpuMs === undefined ? '?' : `${(r.brokerCpuMs / 1000).toFixed(2)} s`} (${cpuPer1k} per 1,000 inputs) over ${(r.durationMs / 1000).toFixed(1)} s`,
    `result                 ${r.failure === undefined ? 'ok' : `FAILED: ${r.failure}`}`,
  ].join('\n');
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  console.error(`fuzz: ${(error as Error).message}\n${USAGE}`);
  process.exitCode = 2;
}
