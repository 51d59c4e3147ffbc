import { describe, expect, it } from 'vitest';
import { clockTicksPerSec, parseIoWrites, parseStatTicks, readCpuMs, readWriteCalls } from './cpu-time.js';

describe('parseStatTicks', () => {
  it('adds utime and stime, counting fields after a command name with spaces and parentheses', () => {
    const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194560 100 0 0 0 731 120 0 0 20 0 11 0 5000 1000 100';
    expect(parseStatTicks(stat)).toBe(851);
  });

  it('throws on text that is not a stat line', () => {
    expect(() => parseStatTicks('garbage')).toThrow(/unexpected/);
  });
});

describe.runIf(process.platform === 'linux')('readCpuMs', () => {
  it('reads this process and grows with work; undefined for a pid that does not exist', () => {
    expect(clockTicksPerSec()).toBeGreaterThan(0);
    const before = readCpuMs(process.pid);
    expect(before).toBeGreaterThanOrEqual(0);
    const until = Date.now() + 100;
    while (Date.now() < until); // burn CPU for 100 ms of wall time
    expect(readCpuMs(process.pid)).toBeGreaterThan(before ?? Infinity);
    expect(readCpuMs(2 ** 22 + 12_345)).toBeUndefined();
  });
});

describe('parseIoWrites', () => {
  it('reads syscw from /proc/<pid>/io text; undefined without it', () => {
    expect(parseIoWrites('rchar: 6976\nwchar: 10\nsyscr: 10\nsyscw: 3\nread_bytes: 0\n')).toBe(3);
    expect(parseIoWrites('rchar: 6976\n')).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('readWriteCalls', () => {
  it('reads this process and grows with its writes; undefined for a pid that does not exist', async () => {
    const { writeSync, openSync, closeSync } = await import('node:fs');
    const before = readWriteCalls(process.pid) as number;
    expect(before).toBeGreaterThanOrEqual(0);
    const fd = openSync('/dev/null', 'w');
    for (let i = 0; i < 10; i += 1) writeSync(fd, 'x');
    closeSync(fd);
    expect(readWriteCalls(process.pid)).toBeGreaterThanOrEqual(before + 10);
    expect(readWriteCalls(2 ** 22 + 1)).toBeUndefined();
  });
});
