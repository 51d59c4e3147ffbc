// CPU per message of a stack's server processes: utime + stime read from /proc when the measured
// window opens and when it closes, divided by the replies or deliveries of that window.
import type { LoadHooks } from '../load/generator.js';
import type { RunFigures, ServerRole } from '../results.js';
import { readCpuMs, readWriteCalls } from '../servers/cpu-time.js';
import type { ServerProcess } from './stacks.js';

interface Reading {
  atMs: number;
  cpuMs: (number | undefined)[];
  /** Write syscalls of each process, where read. */
  writes?: (number | undefined)[];
}

/** The processes whose writes go to clients: their write syscalls per delivery tell how frames share writes. */
const WRITING_ROLES: ReadonlySet<ServerRole> = new Set(['broker', 'ws']);

/** The CPU of one run, as a row keeps it. */
export type RunCpu = NonNullable<RunFigures['cpu']>;

function read(processes: ServerProcess[]): Reading {
  return { atMs: performance.now(), cpuMs: processes.map((p) => readCpuMs(p.pid)), writes: processes.map((p) => (WRITING_ROLES.has(p.role) ? readWriteCalls(p.pid) : undefined)) };
}

/**
 * CPU per 1,000 messages from two readings. The CPU rate over the readings' own interval is set
 * against the message rate over the window, so that a timer firing a few ms late does not bias it.
 * Undefined when a reading failed (no /proc, a process gone) or nothing was delivered.
 */
export function cpuFigures(
  processes: ServerProcess[],
  before: Reading,
  after: Reading,
  messages: number,
  durationMs: number,
): RunCpu | undefined {
  const windowMs = after.atMs - before.atMs;
  if (messages <= 0 || windowMs <= 0 || durationMs <= 0) return undefined;
  const perThousand = (cpuMs: number) => Math.round(((cpuMs / windowMs) / (messages / durationMs)) * 1000 * 1000) / 1000;
  const used: Partial<Record<ServerRole, number>> = {};
  const named: Record<string, number> = {};
  let totalMs = 0;
  for (const [i, p] of processes.entries()) {
    const b = before.cpuMs[i];
    const a = after.cpuMs[i];
    if (a === undefined || b === undefined) return undefined;
    used[p.role] = (used[p.role] ?? 0) + (a - b);
    if (p.name !== undefined) named[p.name] = (named[p.name] ?? 0) + (a - b);
    totalMs += a - b;
  }
  const byRole: Partial<Record<ServerRole, number>> = {};
  for (const [role, ms] of Object.entries(used) as [ServerRole, number][]) byRole[role] = perThousand(ms);
  const names = Object.entries(named);
  const writes = writeCalls(processes, before, after);
  return {
    perThousandMs: perThousand(totalMs),
    byRole,
    ...(names.length === 0 ? {} : { byProcess: Object.fromEntries(names.map(([name, ms]) => [name, perThousand(ms)])) }),
    coresBusy: Math.round((totalMs / windowMs) * 100) / 100,
    ...(writes === undefined ? {} : { writesPerThousand: Math.round((((writes / windowMs) / (messages / durationMs)) * 1000) * 10) / 10 }),
    totalMs: Math.round(totalMs),
    windowMs: Math.round(windowMs),
  };
}

/** Write syscalls of the writing processes between two readings; undefined when there is none or one was not read. */
function writeCalls(processes: ServerProcess[], before: Reading, after: Reading): number | undefined {
  let total = 0;
  let read = 0;
  for (const [i, p] of processes.entries()) {
    if (!WRITING_ROLES.has(p.role)) continue;
    const b = before.writes?.[i];
    const a = after.writes?.[i];
    if (a === undefined || b === undefined) return undefined;
    total += a - b;
    read += 1;
  }
  return read === 0 ? undefined : total;
}

/** Load hooks that read the processes' CPU at the window's edges, and the figures once the run is over. */
export function cpuWindow(processes: ServerProcess[]): {
  hooks: Required<Pick<LoadHooks, 'onWindowStart' | 'onWindowEnd'>>;
  figures: (messages: number, durationMs: number) => RunCpu | undefined;
} {
  let before: Reading | undefined;
  let after: Reading | undefined;
  return {
    hooks: {
      onWindowStart: () => {
        before = read(processes);
      },
      onWindowEnd: () => {
        after = read(processes);
      },
    },
    figures: (messages, durationMs) =>
      before === undefined || after === undefined ? undefined : cpuFigures(processes, before, after, messages, durationMs),
  };
}
