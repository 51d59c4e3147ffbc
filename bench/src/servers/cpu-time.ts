// CPU time (user + system) of server processes from /proc/<pid>/stat, so that each setup reports
// CPU per message: on these shared VMs it holds steady while throughput swings by a third.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's time fields (getconf CLK_TCK); 100 where it cannot be read. */
export const FALLBACK_CLOCK_TICKS = 100;

let ticks: number | undefined;

/** `getconf CLK_TCK`, read once. */
export function clockTicksPerSec(): number {
  if (ticks !== undefined) return ticks;
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    ticks = Number.isInteger(value) && value > 0 ? value : FALLBACK_CLOCK_TICKS;
  } catch {
    ticks = FALLBACK_CLOCK_TICKS;
  }
  return ticks;
}

/**
 * utime + stime, in clock ticks, from the text of /proc/<pid>/stat. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseStatTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unexpected /proc stat: ${stat.slice(0, 80)}`);
  return utime + stime;
}

/** CPU time the process has used so far, in ms, or undefined where /proc cannot tell (not Linux, exited). */
export function readCpuMs(pid: number): number | undefined {
  try {
    return (parseStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / clockTicksPerSec();
  } catch {
    return undefined;
  }
}

/** The `syscw` field (write syscalls so far) of the text of /proc/<pid>/io; undefined when it has none. */
export function parseIoWrites(io: string): number | undefined {
  const match = /^syscw:\s*(\d+)$/m.exec(io);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Write syscalls the process has made so far (/proc/<pid>/io), or undefined where /proc cannot
 * tell. Per delivery, how many frames each write to a client carried: steady where throughput is not.
 */
export function readWriteCalls(pid: number): number | undefined {
  try {
    return parseIoWrites(readFileSync(`/proc/${pid}/io`, 'utf8'));
  } catch {
    return undefined;
  }
}
