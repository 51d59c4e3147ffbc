// Scenarios 1 and 2: ping-pong through the broker and an echo backend, and against the bare `ws`
// echo server (the ceiling), at each client count, so that scenario 1 reads as a ratio of 2;
// and scenario 1 again with a backend that acknowledges every event, so acks read as a ratio too.
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { measureLoad, perTree, repeated, type ScenarioContext } from './measure.js';
import { startStrands, startWsBaseline } from './stacks.js';

/** Runs the round-trip scenarios. */
export async function roundTrip(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log } = context;
  const rows: ResultRow[] = [];
  for (const clients of options.roundTripClients) {
    rows.push(
      ...(await repeated(options, [
        () =>
          measureLoad(
            options,
            { scenario: 'round-trip', id: `round-trip/ws/${clients}`, system: 'ws', label: 'bare ws echo server (ceiling)', clients, metric: 'msg/s' },
            log,
            () => startWsBaseline('echo', context.current),
            'ping-pong',
            'echo',
          ),
        ...perTree(
          context,
          { scenario: 'round-trip', id: `round-trip/strands/${clients}`, system: 'strands', label: 'broker + echo backend', clients, backends: 1, metric: 'msg/s' },
          (head, launch) => measureLoad(options, head, log, () => startStrands(1, 'echo', options.backendImpl, launch), 'ping-pong', 'echo'),
        ),
        // The same with an SDK backend that acknowledges every event (issue 12: acks cost at most 10%).
        ...(options.backendImpl === 'sdk'
          ? perTree(
              context,
              { scenario: 'round-trip', id: `round-trip/strands-ack/${clients}`, system: 'strands', label: 'broker + echo backend, acks', clients, backends: 1, metric: 'msg/s' },
              (head, launch) => measureLoad(options, head, log, () => startStrands(1, 'echo', 'sdk', launch, { ack: true }), 'ping-pong', 'echo'),
            )
          : []),
      ])),
    );
  }
  return rows;
}
