// Scenario 4: hold N idle connections and read the memory of the process holding them:
// (RSS after - RSS before) / N, after a forced GC on both readings.
import { runLoad } from '../load/generator.js';
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { loadSpec, withStack, type Log, type RowHead } from './measure.js';
import { startStrands, startWsBaseline, type Stack } from './stacks.js';

/** Time for the server to finish per-connection work before memory is read, in ms. */
const SETTLE_MS = 1_000;

function measureIdle(options: BenchOptions, head: RowHead) {
  return async (stack: Stack): Promise<ResultRow> => {
    const before = await stack.memory();
    let after = before;
    let connected = 0;
    const spec = loadSpec(options, 'idle', `${stack.baseUrl}/ws/idle`, head.clients);
    const result = await runLoad(spec, {
      onConnected: async (count) => {
        connected = count;
        await new Promise((resolve) => setTimeout(resolve, options.quick ? SETTLE_MS / 5 : SETTLE_MS));
        after = await stack.memory();
      },
    });
    const perConnection = connected === 0 ? 0 : Math.round((after.rssBytes - before.rssBytes) / connected);
    return {
      ...head,
      value: perConnection,
      connectFailures: result.connectFailures,
      dropped: result.dropped,
      memory: {
        rssBeforeBytes: before.rssBytes,
        rssAfterBytes: after.rssBytes,
        heapPerConnectionBytes: connected === 0 ? 0 : Math.round((after.heapUsedBytes - before.heapUsedBytes) / connected),
      },
      status: 'ok',
      ...(stack.note === undefined ? {} : { note: stack.note }),
    };
  };
}

/** Runs the idle-connections scenario. */
export async function idle(options: BenchOptions, log: Log): Promise<ResultRow[]> {
  const clients = options.idleConnections;
  const ws: RowHead = { scenario: 'idle', id: `idle/ws/${clients}`, system: 'ws', label: 'bare ws server, memory per connection', clients, metric: 'bytes/connection' };
  const strands: RowHead = { scenario: 'idle', id: `idle/strands/${clients}`, system: 'strands', label: 'broker, memory per connection', clients, backends: 1, metric: 'bytes/connection' };
  return [
    await withStack(ws, log, () => startWsBaseline('echo'), measureIdle(options, ws)),
    await withStack(strands, log, () => startStrands(1, 'echo', options.backendImpl), measureIdle(options, strands)),
  ];
}
