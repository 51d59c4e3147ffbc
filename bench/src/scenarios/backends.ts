// Scenario 5: ping-pong through the broker with 1, 2, 4... echo backend processes.
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { measureLoad, perTree, repeated, type ScenarioContext } from './measure.js';
import { startStrands } from './stacks.js';

/** Runs the backend-scaling scenario. */
export async function backends(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const clients = options.backendClients;
  return repeated(
    options,
    options.backendCounts.flatMap((count) =>
      perTree(
        context,
        { scenario: 'backends', id: `backends/strands/${count}`, system: 'strands', label: `broker + ${count} echo backend process${count === 1 ? '' : 'es'}`, clients, backends: count, metric: 'msg/s' },
        (head, launch) => measureLoad(options, head, context.log, () => startStrands(count, 'echo', options.backendImpl, launch), 'ping-pong', 'echo'),
      ),
    ),
  );
}
