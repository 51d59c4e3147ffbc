// Open-loop echo at a fixed rate: latency at equal load on the broker and on the bare `ws`
// server (closed-loop ping-pong compares throughput; this compares latency fairly).
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { measureLoad, perTree, repeated, type ScenarioContext } from './measure.js';
import { startStrands, startWsBaseline } from './stacks.js';

/** Runs the fixed-rate scenario at the first round-trip client count. */
export async function fixedRate(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log } = context;
  const clients = options.roundTripClients[0] ?? 100;
  const rate = `${options.fixedRatePerSec.toLocaleString('en-US')} msg/s`;
  return repeated(options, [
    () =>
      measureLoad(
        options,
        { scenario: 'fixed-rate', id: `fixed-rate/ws/${clients}`, system: 'ws', label: `bare ws echo, open loop at ${rate}`, clients, metric: 'msg/s' },
        log,
        () => startWsBaseline('echo', context.current),
        'open-loop',
        'echo',
      ),
    ...perTree(
      context,
      { scenario: 'fixed-rate', id: `fixed-rate/strands/${clients}`, system: 'strands', label: `broker + echo backend, open loop at ${rate}`, clients, backends: 1, metric: 'msg/s' },
      (head, launch) => measureLoad(options, head, log, () => startStrands(1, 'echo', options.backendImpl, launch), 'open-loop', 'echo'),
    ),
  ], 'p99'); // open loop: every run has the rate the clients send at, so msg/s picks no run
}
