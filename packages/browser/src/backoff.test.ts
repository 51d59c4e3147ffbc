import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  it('doubles the window with each attempt', () => {
    const top = () => 0.999_999;
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, 100, 10_000, top))).toEqual([99, 199, 399, 799]);
  });

  it('caps the window at maxMs', () => {
    expect(backoffDelayMs(20, 100, 5_000, () => 0.999_999)).toBe(4_999);
    expect(backoffDelayMs(2_000, 100, 5_000, () => 0.5)).toBe(2_500);
  });

  it('jitters over the whole window (full jitter, down to zero)', () => {
    expect(backoffDelayMs(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelayMs(3, 100, 10_000, () => 0.5)).toBe(400);
  });

  it('stays within [0, window) with the real random source', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelayMs(i % 8, 50, 3_000);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(3_000, 50 * 2 ** (i % 8)));
    }
  });
});
