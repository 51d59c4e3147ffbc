// Scenario 4: hold N idle connections and read the memory of the process holding them:
// (RSS after - RSS before) / N, after a forced GC on both readings.
import { readFileSync } from 'node:fs';
import { BenchError } from '../errors.js';
import { runLoad } from '../load/generator.js';
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { loadSpec, perTree, repeated, withStack, type RowHead, type ScenarioContext } from './measure.js';
import { startStrands, startWsBaseline, type Stack } from './stacks.js';

/** Time for the server to finish per-connection work before memory is read, in ms. */
const SETTLE_MS = 1_000;

/** Files beyond the connections that the suite and each server need for everything else. */
const SPARE_FILES = 1_024;

/** The soft open-files limit of this process (children inherit it), or Infinity where unknown. */
function openFilesLimit(): number {
  try {
    const line = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return line?.[1] === undefined || line[1] === 'unlimited' ? Infinity : Number(line[1]);
  } catch {
    return Infinity;
  }
}

/** Throws BenchError('fd_limit') when `connections` sockets cannot fit under `ulimit -n`. */
export function checkOpenFiles(connections: number, limit = openFilesLimit()): void {
  if (connections + SPARE_FILES > limit) {
    throw new BenchError('fd_limit', `${connections} connections need ulimit -n >= ${connections + SPARE_FILES} (it is ${limit}); run \`ulimit -n ${connections + SPARE_FILES}\` first`);
  }
}

function measureIdle(options: BenchOptions, head: RowHead) {
  return async (stack: Stack): Promise<ResultRow> => {
    checkOpenFiles(head.clients);
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
export async function idle(options: BenchOptions, context: ScenarioContext): Promise<ResultRow[]> {
  const { log } = context;
  return repeated(
    options,
    options.idleConnections.flatMap((clients) => {
      const ws: RowHead = { scenario: 'idle', id: `idle/ws/${clients}`, system: 'ws', label: 'bare ws server, memory per connection', clients, metric: 'bytes/connection' };
      const strands: RowHead = { scenario: 'idle', id: `idle/strands/${clients}`, system: 'strands', label: 'broker, memory per connection', clients, backends: 1, metric: 'bytes/connection' };
      return [
        () => withStack(ws, log, () => startWsBaseline('echo', context.current), measureIdle(options, ws)),
        ...perTree(context, strands, (head, launch) =>
          withStack(head, log, () => startStrands(1, 'echo', options.backendImpl, launch), measureIdle(options, head)),
        ),
      ];
    }),
  );
}
