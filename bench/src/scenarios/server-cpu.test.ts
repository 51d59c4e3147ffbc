import { describe, expect, it } from 'vitest';
import { cpuFigures } from './server-cpu.js';
import type { ServerProcess } from './stacks.js';

const processes: ServerProcess[] = [
  { role: 'broker', pid: 1 },
  { role: 'backend', pid: 2 },
  { role: 'backend', pid: 3 },
];

describe('cpuFigures', () => {
  it('gives CPU ms per 1,000 messages, in all and per role (backends summed)', () => {
    // 10 s window, 100,000 messages; broker used 2,000 ms, the two backends 500 ms each.
    const before = { atMs: 0, cpuMs: [1_000, 0, 10] };
    const after = { atMs: 10_000, cpuMs: [3_000, 500, 510] };
    expect(cpuFigures(processes, before, after, 100_000, 10_000)).toEqual({
      perThousandMs: 30,
      byRole: { broker: 20, backend: 10 },
      coresBusy: 0.3,
      totalMs: 3_000,
      windowMs: 10_000,
    });
  });

  it('scales CPU to the window when the readings were a little late or early', () => {
    // Readings 10.1 s apart over a 10 s window: 101 ms of CPU is 100 ms of the window's.
    const figures = cpuFigures([{ role: 'ws', pid: 1 }], { atMs: 5, cpuMs: [0] }, { atMs: 10_105, cpuMs: [101] }, 10_000, 10_000);
    expect(figures?.perThousandMs).toBe(10);
  });

  it('gives each named process its own figure too (the cluster: both brokers, backend, redis)', () => {
    const named: ServerProcess[] = [
      { role: 'broker', pid: 1, name: 'broker A' },
      { role: 'broker', pid: 2, name: 'broker B' },
      { role: 'redis', pid: 3, name: 'redis' },
    ];
    const figures = cpuFigures(named, { atMs: 0, cpuMs: [0, 0, 0] }, { atMs: 10_000, cpuMs: [1_000, 2_000, 100] }, 100_000, 10_000);
    expect(figures).toMatchObject({ perThousandMs: 31, byRole: { broker: 30, redis: 1 }, byProcess: { 'broker A': 10, 'broker B': 20, redis: 1 } });
  });

  it('gives the write syscalls of the brokers (and ws servers) per 1,000 messages, once every one of them was read', () => {
    const named: ServerProcess[] = [
      { role: 'broker', pid: 1, name: 'broker A' },
      { role: 'broker', pid: 2, name: 'broker B' },
      { role: 'backend', pid: 3, name: 'backend' },
    ];
    // 10 s window, 100,000 deliveries; the brokers wrote 12,000 and 8,000 times (the backend's writes do not count).
    const before = { atMs: 0, cpuMs: [0, 0, 0], writes: [100, 50, undefined] };
    const after = { atMs: 10_000, cpuMs: [1_000, 1_000, 100], writes: [12_100, 8_050, undefined] };
    expect(cpuFigures(named, before, after, 100_000, 10_000)?.writesPerThousand).toBe(200);
    expect(cpuFigures(named, { ...before, writes: [100, undefined, undefined] }, after, 100_000, 10_000)).not.toHaveProperty('writesPerThousand');
    expect(cpuFigures(named, { atMs: 0, cpuMs: [0, 0, 0] }, after, 100_000, 10_000)).not.toHaveProperty('writesPerThousand');
  });

  it('is undefined when a reading failed or nothing was delivered', () => {
    expect(cpuFigures(processes, { atMs: 0, cpuMs: [0, 0, undefined] }, { atMs: 1, cpuMs: [1, 1, 1] }, 10, 1)).toBeUndefined();
    expect(cpuFigures(processes, { atMs: 0, cpuMs: [0, 0, 0] }, { atMs: 1, cpuMs: [1, 1, 1] }, 0, 1)).toBeUndefined();
  });
});
