// Scenario 4: hold N idle connections and read the memory of the process holding them:
// (RSS after - RSS before) / N, both read at rest (see restingMemory), after a forced GC.
import { readFileSync } from 'node:fs';
import { BenchError } from '../errors.js';
import { runLoad } from '../load/generator.js';
import type { BenchOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import type { MemoryReading } from '../servers/child.js';
import { loadSpec, perTree, repeated, withStack, type RowHead, type ScenarioContext } from './measure.js';
import { startStrands, startWsBaseline, type Stack } from './stacks.js';

/** Time for the server to finish per-connection work before memory is read, in ms. */
const SETTLE_MS = 1_000;

/**
 * When a process's memory counts as at rest (REST_TIMINGS). After a burst of allocation V8 keeps
 * its young generation at the size the burst grew it to (32 MB on these machines, whatever the
 * connection count) until its memory reducer runs, about 8 s after the allocation rate drops;
 * read earlier, that fixed cost was split over the connections (1.5-3 KB each at 10,000, for bare
 * ws as for the broker).
 */
export interface RestTimings {
  /** No reading before this counts as at rest. */
  minMs: number;
  /** Time between readings. */
  pollMs: number;
  /**
   * Two readings in a row whose RSS and V8 heap size (which drops first, as the young generation
   * shrinks) each agree within this share are at rest.
   */
  tolerance: number;
  /** A process whose memory still moves after this long is read as it is. */
  maxMs: number;
}

export const REST_TIMINGS: RestTimings = { minMs: 12_000, pollMs: 2_000, tolerance: 0.01, maxMs: 30_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The figure of an idle row: RSS growth per connection, unless it is below the V8 heap's growth
 * per connection, which RSS holds: then the process gave back a fixed amount between the two
 * readings, and the heap figure is the one that still counts the connections. Seen with the
 * servers under tsx: its loader thread is a second V8 isolate holding 30-45 MB after startup,
 * which it returns 8-33 s after start (later when pinned), so a `before` read at rest on the
 * plateau could be 35 MB too high and the broker came out at 0.4 KB per connection (heap: 3.2).
 */
export function idleFigure(rssPerConnection: number, heapPerConnection: number): { value: number; note?: string } {
  if (rssPerConnection >= heapPerConnection) return { value: rssPerConnection };
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  return {
    value: heapPerConnection,
    note: `RSS grew ${kb(rssPerConnection)} per connection, less than the heap: a fixed release between the readings; the heap's growth is the figure`,
  };
}

/** A process's memory once it is at rest: the first reading from `minMs` on that agrees with the one before it, or the reading at `maxMs`. */
export async function restingMemory(read: () => Promise<MemoryReading>, timings: RestTimings = REST_TIMINGS): Promise<MemoryReading> {
  let reading = await read();
  const start = Date.now();
  const near = (a: number, b: number) => Math.abs(a - b) <= b * timings.tolerance;
  for (;;) {
    await sleep(timings.pollMs);
    const next = await read();
    const elapsed = Date.now() - start;
    const still = near(next.rssBytes, reading.rssBytes) && near(next.heapTotalBytes, reading.heapTotalBytes);
    reading = next;
    if ((elapsed >= timings.minMs && still) || elapsed >= timings.maxMs) return reading;
  }
}

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
    // The quick run reads at once: it checks the scenario runs, not the figure.
    const read = () => stack.memory();
    const before = options.quick ? await read() : await restingMemory(read);
    let settling = before;
    let after = before;
    let connected = 0;
    const spec = loadSpec(options, 'idle', `${stack.baseUrl}/ws/idle`, head.clients);
    const result = await runLoad(spec, {
      onConnected: async (count) => {
        connected = count;
        await sleep(options.quick ? SETTLE_MS / 5 : SETTLE_MS);
        settling = await read();
        after = options.quick ? settling : await restingMemory(read);
      },
    });
    const grown = (now: number, then: number) => (connected === 0 ? 0 : Math.round((now - then) / connected));
    const perConnection = (reading: MemoryReading) => grown(reading.rssBytes, before.rssBytes);
    const heapPerConnection = grown(after.heapUsedBytes, before.heapUsedBytes);
    const figure = idleFigure(perConnection(after), heapPerConnection);
    const note = [stack.note, figure.note].filter(Boolean).join('; ');
    return {
      ...head,
      value: figure.value,
      connectFailures: result.connectFailures,
      dropped: result.dropped,
      memory: {
        rssBeforeBytes: before.rssBytes,
        rssAfterBytes: after.rssBytes,
        heapPerConnectionBytes: heapPerConnection,
        settlingPerConnectionBytes: perConnection(settling),
      },
      status: 'ok',
      ...(note === '' ? {} : { note }),
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
