// Scenario 5: ping-pong through the broker with 1, 2, 4... echo backend processes.
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { measureLoad, repeated, type Log } from './measure.js';
import { startStrands } from './stacks.js';

/** Runs the backend-scaling scenario. */
export async function backends(options: BenchOptions, log: Log): Promise<ResultRow[]> {
  const clients = options.backendClients;
  return repeated(
    options,
    options.backendCounts.map((count) => () =>
      measureLoad(
        options,
        { scenario: 'backends', id: `backends/strands/${count}`, system: 'strands', label: `broker + ${count} echo backend process${count === 1 ? '' : 'es'}`, clients, backends: count, metric: 'msg/s' },
        log,
        () => startStrands(count, 'echo', options.backendImpl),
        'ping-pong',
        'echo',
      ),
    ),
  );
}
