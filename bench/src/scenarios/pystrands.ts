// Optional: ping-pong through the PyStrands Go broker and its Go echo backend, when
// PYSTRANDS_BROKER_BIN and PYSTRANDS_ECHO_BIN name their binaries.
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { measureLoad, type Log, type RowHead } from './measure.js';
import { startPyStrandsStack } from './stacks.js';

/** Runs the PyStrands comparison, or returns a skipped row. */
export async function pystrands(options: BenchOptions, log: Log): Promise<ResultRow[]> {
  const clients = options.roundTripClients[0] ?? 100;
  const head: RowHead = { scenario: 'pystrands', id: `pystrands/pystrands/${clients}`, system: 'pystrands', label: 'PyStrands Go broker + Go echo backend', clients, metric: 'msg/s' };
  const { pystrandsBrokerBin: brokerBin, pystrandsEchoBin: echoBin } = options;
  if (brokerBin === undefined || echoBin === undefined) {
    return [{ ...head, value: 0, status: 'skipped', note: 'set PYSTRANDS_BROKER_BIN and PYSTRANDS_ECHO_BIN to run' }];
  }
  return [await measureLoad(options, head, log, () => startPyStrandsStack(brokerBin, echoBin), 'ping-pong', 'bench')];
}
