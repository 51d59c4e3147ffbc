// Optional: ping-pong through the PyStrands Go broker and its Go echo backend, when
// PYSTRANDS_BROKER_BIN and PYSTRANDS_ECHO_BIN name their binaries, paired (interleaved under
// --repeat) with the same load through Strands, so both see the same machine. Current tree
// only: a --baseline run compares Strands with itself in the other scenarios.
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { measureLoad, repeated, type RowHead, type ScenarioContext } from './measure.js';
import { startPyStrandsStack, startStrands } from './stacks.js';

/** Runs the PyStrands comparison, or returns a skipped row. */
export async function pystrands(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log, current } = context;
  const clients = options.roundTripClients[0] ?? 100;
  const theirs: RowHead = { scenario: 'pystrands', id: `pystrands/pystrands/${clients}`, system: 'pystrands', label: 'PyStrands Go broker + Go echo backend', clients, metric: 'msg/s' };
  const ours: RowHead = { scenario: 'pystrands', id: `pystrands/strands/${clients}`, system: 'strands', label: 'Strands broker + echo backend (paired)', clients, backends: 1, metric: 'msg/s' };
  const { pystrandsBrokerBin: brokerBin, pystrandsEchoBin: echoBin } = options;
  if (brokerBin === undefined || echoBin === undefined) {
    return [{ ...theirs, value: 0, status: 'skipped', note: 'set PYSTRANDS_BROKER_BIN and PYSTRANDS_ECHO_BIN to run' }];
  }
  return repeated(options, [
    () => measureLoad(options, ours, log, () => startStrands(1, 'echo', options.backendImpl, current), 'ping-pong', 'bench'),
    () => measureLoad(options, theirs, log, () => startPyStrandsStack(brokerBin, echoBin, current.cpus), 'ping-pong', 'bench'),
  ]);
}
