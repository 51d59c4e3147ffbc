// Scenarios 1 and 2: ping-pong through the broker and an echo backend, and against the bare `ws`
// echo server (the ceiling), at each client count, so that scenario 1 reads as a ratio of 2.
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { measureLoad, repeated, type Log } from './measure.js';
import { startStrands, startWsBaseline } from './stacks.js';

/** Runs the round-trip scenarios. */
export async function roundTrip(options: BenchOptions, log: Log): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const clients of options.roundTripClients) {
    rows.push(
      ...(await repeated(options, [
        () =>
          measureLoad(
            options,
            { scenario: 'round-trip', id: `round-trip/ws/${clients}`, system: 'ws', label: 'bare ws echo server (ceiling)', clients, metric: 'msg/s' },
            log,
            () => startWsBaseline('echo'),
            'ping-pong',
            'echo',
          ),
        () =>
          measureLoad(
            options,
            { scenario: 'round-trip', id: `round-trip/strands/${clients}`, system: 'strands', label: 'broker + echo backend', clients, backends: 1, metric: 'msg/s' },
            log,
            () => startStrands(1, 'echo', options.backendImpl),
            'ping-pong',
            'echo',
          ),
      ])),
    );
  }
  return rows;
}
