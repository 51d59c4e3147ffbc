// Pinned mode (--pin): the load generator on one CPU, the servers on the others, via Linux
// `taskset`, so that the load competes with no server for a core and the ceiling is not skewed.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Where the run's threads were allowed to run; written into the results. */
export interface Pinning {
  /** --pin was given. */
  requested: boolean;
  /** Pinning is in force: this process (load generator) on `loadCpus`, servers on `serverCpus`. */
  active: boolean;
  /** taskset -c list of the load generator (this process and its worker threads). */
  loadCpus?: string;
  /** taskset -c list of every server child. */
  serverCpus?: string;
  /** Why pinning was asked for but is not in force. */
  unavailableReason?: string;
}

/** Expands a CPU list such as "0-2,5" into [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (part === '') continue;
    const [from, to = from] = part.split('-').map(Number);
    if (from === undefined || to === undefined || !Number.isInteger(from) || !Number.isInteger(to) || to < from) {
      throw new Error(`bad CPU list "${list}"`);
    }
    for (let cpu = from; cpu <= to; cpu += 1) cpus.push(cpu);
  }
  return cpus;
}

/** CPUs this process may run on (Cpus_allowed_list of /proc/self/status), or undefined off Linux. */
export function allowedCpus(statusText?: string): number[] | undefined {
  try {
    const text = statusText ?? readFileSync('/proc/self/status', 'utf8');
    const list = /Cpus_allowed_list:\s*(\S+)/.exec(text)?.[1];
    return list === undefined ? undefined : parseCpuList(list);
  } catch {
    return undefined;
  }
}

function hasTaskset(): boolean {
  const probe = spawnSync('taskset', ['--version'], { stdio: 'ignore' });
  return probe.error === undefined && probe.status === 0;
}

/**
 * Decides the split: the first allowed CPU for the load generator, the rest for the servers.
 * Returns an inactive plan with the reason when taskset or a second CPU is missing.
 */
export function planPinning(
  requested: boolean,
  probe: { cpus: number[] | undefined; taskset: boolean } = { cpus: allowedCpus(), taskset: process.platform === 'linux' && hasTaskset() },
): Pinning {
  if (!requested) return { requested, active: false };
  if (!probe.taskset) return { requested, active: false, unavailableReason: 'taskset not found (Linux util-linux package)' };
  if (probe.cpus === undefined || probe.cpus.length < 2) {
    return { requested, active: false, unavailableReason: `needs at least 2 CPUs, this process may use ${probe.cpus?.length ?? 'unknown'}` };
  }
  const [load, ...servers] = probe.cpus;
  return { requested, active: true, loadCpus: String(load), serverCpus: servers.join(',') };
}

/**
 * Sets the affinity of every thread of process `pid` (taskset -a): worker threads started later
 * inherit it from the thread that starts them.
 */
export function pinProcess(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/**
 * Pins this process (the load generator) as planned and returns the function that restores its
 * former affinity; a failure turns the plan inactive with the reason, and the run goes on unpinned.
 */
export function applyPinning(plan: Pinning): { pinning: Pinning; restore: () => void } {
  if (!plan.active || plan.loadCpus === undefined) return { pinning: plan, restore: () => {} };
  const before = allowedCpus();
  try {
    pinProcess(process.pid, plan.loadCpus);
  } catch (error) {
    const reason = `taskset failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    return { pinning: { requested: true, active: false, unavailableReason: reason }, restore: () => {} };
  }
  return {
    pinning: plan,
    restore: () => {
      if (before !== undefined) pinProcess(process.pid, before.join(','));
    },
  };
}

/** The pinning in words, for the table and the log. */
export function describePinning(p: Pinning): string {
  if (p.active) return `pinned with taskset: load generator on CPU ${p.loadCpus}, servers on CPU ${p.serverCpus}`;
  if (p.requested) return `NOT pinned (--pin unavailable: ${p.unavailableReason ?? 'unknown reason'}): load generator and servers share all cores`;
  return 'not pinned: load generator and servers share all cores (--pin to separate them)';
}
