import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MemoryReading } from '../servers/child.js';
import { checkOpenFiles, idleFigure, restingMemory, type RestTimings } from './idle.js';

describe('checkOpenFiles', () => {
  it('throws fd_limit when the connections do not fit under the limit', () => {
    expect(() => checkOpenFiles(10_000, 20_000)).not.toThrow();
    expect(() => checkOpenFiles(10_000, 4_096)).toThrow(expect.objectContaining({ name: 'BenchError', code: 'fd_limit' }));
  });
});

describe('idleFigure', () => {
  it('is the RSS growth per connection when that holds the heap growth', () => {
    expect(idleFigure(3_900, 3_200)).toEqual({ value: 3_900 });
  });

  it('takes the heap growth, and says so, when RSS grew less than the heap (a fixed release in between)', () => {
    const figure = idleFigure(430, 3_208);
    expect(figure.value).toBe(3_208);
    expect(figure.note).toContain('RSS grew 0.4 KB per connection, less than the heap');
  });
});

describe('restingMemory', () => {
  const timings: RestTimings = { minMs: 12_000, pollMs: 2_000, tolerance: 0.01, maxMs: 30_000 };
  const mb = (rss: number, heapTotal: number): MemoryReading => ({ rssBytes: rss * 2 ** 20, heapUsedBytes: 2 ** 20, heapTotalBytes: heapTotal * 2 ** 20 });
  /** Readings in the order they are asked for; the last one repeats. */
  const reader = (readings: MemoryReading[]) => {
    let calls = 0;
    const read = vi.fn(async () => readings[Math.min(calls++, readings.length - 1)]!);
    return read;
  };
  const run = async (read: () => Promise<MemoryReading>) => {
    const resting = restingMemory(read, timings);
    await vi.advanceTimersByTimeAsync(timings.maxMs + timings.pollMs);
    return resting;
  };

  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits past a steady stretch before minMs for the young generation to shrink', async () => {
    vi.useFakeTimers();
    // Steady from 0 to 8 s, then V8 shrinks its heap (10 s) and RSS follows (12 s).
    const read = reader([mb(220, 110), mb(220, 110), mb(220, 110), mb(220, 110), mb(220, 110), mb(220, 78), mb(190, 78), mb(190, 78)]);
    expect((await run(read)).rssBytes).toBe(190 * 2 ** 20);
    expect(read).toHaveBeenCalledTimes(8);
  });

  it('does not take a reading whose heap still moves, even with RSS steady', async () => {
    vi.useFakeTimers();
    const read = reader([mb(200, 110), mb(200, 110), mb(200, 110), mb(200, 110), mb(200, 110), mb(200, 110), mb(200, 100), mb(200, 90), mb(200, 90)]);
    const resting = await run(read);
    expect(resting.heapTotalBytes).toBe(90 * 2 ** 20);
    expect(read).toHaveBeenCalledTimes(9);
  });

  it('reads memory that never settles as it is at maxMs', async () => {
    vi.useFakeTimers();
    const moving = Array.from({ length: 40 }, (_, i) => mb(100 + i * 10, 50));
    const read = reader(moving);
    const resting = await run(read);
    // One reading at the start and one per poll up to maxMs.
    expect(read).toHaveBeenCalledTimes(1 + timings.maxMs / timings.pollMs);
    expect(resting.rssBytes).toBe((100 + (timings.maxMs / timings.pollMs) * 10) * 2 ** 20);
  });
});
