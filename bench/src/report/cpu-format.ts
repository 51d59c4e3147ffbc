// How CPU figures and ratios read in the text table and the comparison (one place, so they agree).
import type { CpuFigures, ServerRole } from '../results.js';

/** ms per 1,000 messages: one decimal, two below 10. */
export const cpuMs = (ms: number | undefined): string => (ms === undefined ? '' : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** A ratio as "1.03x". */
export const times = (ratio: number | undefined): string => (ratio === undefined ? '' : `${ratio.toFixed(2)}x`);

const ROLE_ORDER: ServerRole[] = ['broker', 'backend', 'ws', 'redis'];

/**
 * "broker 22.1 + backend 8.4", or '' when there is only one role (the total says it all); per
 * named process where the stack named them ("broker A 9.1 + broker B 12.0 + backend 5.2 + redis 2.1").
 */
export function cpuSplit(cpu: CpuFigures | undefined): string {
  if (cpu === undefined) return '';
  const named = Object.entries(cpu.byProcess ?? {});
  if (named.length > 1) return named.map(([name, ms]) => `${name} ${cpuMs(ms)}`).join(' + ');
  const roles = ROLE_ORDER.filter((role) => cpu.byRole[role] !== undefined);
  return roles.length < 2 ? '' : roles.map((role) => `${role} ${cpuMs(cpu.byRole[role])}`).join(' + ');
}
