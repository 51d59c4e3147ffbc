// Describes the machine a run happened on, for the table, the JSON and the chart.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import type { MachineInfo } from '../results.js';

function wsVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (require('ws/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function cpuModel(): string {
  const fromOs = os.cpus()[0]?.model?.trim();
  if (fromOs) return fromOs;
  try {
    return /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The machine this process runs on. */
export function describeMachine(): MachineInfo {
  return {
    cpuModel: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    ws: wsVersion(),
    loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
  };
}

/** One line: "AMD EPYC, 2 cores, 23.5 GiB, linux x64 6.1, Node v20.20.2, ws 8.23.0, load 0.1 at start". */
export function machineLine(m: MachineInfo): string {
  return `${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.platform} ${m.kernel}, Node ${m.node}, ws ${m.ws}, load ${m.loadAverage} at start`;
}
