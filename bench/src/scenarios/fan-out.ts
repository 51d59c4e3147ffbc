// Scenario 3: one sender keeps messages in flight into a room of receivers: deliveries/s and
// delivery latency, through the broker, and through a naive `ws` send loop for reference.
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { measureLoad, perTree, repeated, type ScenarioContext } from './measure.js';
import { startStrands, startWsBaseline } from './stacks.js';

/** Runs the fan-out scenario. */
export async function fanOut(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log } = context;
  const clients = options.fanOutReceivers;
  return repeated(options, [
    () =>
      measureLoad(
        options,
        { scenario: 'fan-out', id: `fan-out/ws/${clients}`, system: 'ws', label: 'bare ws, naive send loop', clients, metric: 'deliveries/s' },
        log,
        () => startWsBaseline('room', context.current),
        'fan-out',
        'room',
      ),
    ...perTree(
      context,
      { scenario: 'fan-out', id: `fan-out/strands/${clients}`, system: 'strands', label: 'broker, backend sends to room', clients, backends: 1, metric: 'deliveries/s' },
      (head, launch) => measureLoad(options, head, log, () => startStrands(1, 'room', options.backendImpl, launch), 'fan-out', 'room'),
    ),
  ]);
}
