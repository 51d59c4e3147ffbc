import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startWsBaseline } from '../scenarios/stacks.js';
import { CURRENT_LAUNCH } from './launch.js';
import { allowedCpus, describePinning, parseCpuList, planPinning } from './pinning.js';

describe('parseCpuList', () => {
  it('expands ranges and lists', () => {
    expect(parseCpuList('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(parseCpuList('1')).toEqual([1]);
    expect(() => parseCpuList('3-1')).toThrow(/bad CPU list/);
  });

  it('reads Cpus_allowed_list from a status text', () => {
    expect(allowedCpus('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n')).toEqual([0, 1]);
  });
});

describe('planPinning', () => {
  it('puts the load generator on the first CPU and the servers on the rest', () => {
    expect(planPinning(true, { cpus: [0, 1, 2], taskset: true })).toEqual({ requested: true, active: true, loadCpus: '0', serverCpus: '1,2' });
  });

  it('says why it cannot pin, and the words say so', () => {
    const noTool = planPinning(true, { cpus: [0, 1], taskset: false });
    expect(noTool).toMatchObject({ active: false, unavailableReason: expect.stringMatching(/taskset not found/) });
    expect(describePinning(noTool)).toMatch(/^NOT pinned \(--pin unavailable: taskset not found/);
    expect(planPinning(true, { cpus: [0], taskset: true }).unavailableReason).toMatch(/at least 2 CPUs/);
    expect(planPinning(false, { cpus: [0, 1], taskset: true })).toEqual({ requested: false, active: false });
  });
});

const cpus = allowedCpus();
const pinnable = planPinning(true).active && cpus !== undefined;

describe.runIf(pinnable)('pinned server children', () => {
  it('run only on the CPUs they were given', async () => {
    const target = String(cpus?.at(-1));
    const stack = await startWsBaseline('echo', { ...CURRENT_LAUNCH, cpus: target });
    try {
      const pid = stack.processes[0]?.pid;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(/Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1]).toBe(target);
    } finally {
      await stack.stop();
    }
  });
});
