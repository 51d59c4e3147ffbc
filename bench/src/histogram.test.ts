import { describe, expect, it } from 'vitest';
import { HISTOGRAM_BUCKETS, LatencyHistogram } from './histogram.js';

describe('LatencyHistogram', () => {
  it('reports percentiles of a uniform 1..10000 µs spread within 1%', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 10_000; us += 1) h.record(us);
    const s = h.summary();
    expect(s.count).toBe(10_000);
    expect(s.p50Ms).toBeCloseTo(5, 1);
    expect(Math.abs(s.p95Ms - 9.5) / 9.5).toBeLessThan(0.01);
    expect(Math.abs(s.p99Ms - 9.9) / 9.9).toBeLessThan(0.01);
    expect(s.maxMs).toBe(10);
    expect(s.meanMs).toBeCloseTo(5, 2);
  });

  it('keeps small values exact and clamps huge ones into the last bucket', () => {
    const h = new LatencyHistogram();
    h.record(3);
    h.record(3);
    h.record(2 ** 40);
    expect(h.quantileMicros(0.5)).toBe(3);
    expect(h.counts[HISTOGRAM_BUCKETS - 1]).toBe(1);
    expect(h.quantileMicros(1)).toBeLessThanOrEqual(2 ** 40);
  });

  it('merges and survives a postMessage-style round trip', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 100; i += 1) a.record(1_000);
    for (let i = 0; i < 100; i += 1) b.record(3_000);
    const copy = LatencyHistogram.from(structuredClone(b.toJSON()));
    a.merge(copy);
    expect(a.count).toBe(200);
    expect(a.summary().p95Ms).toBeCloseTo(3, 1);
    expect(a.summary().maxMs).toBe(3);
  });

  it('is empty-safe and refuses counts of the wrong size', () => {
    expect(new LatencyHistogram().summary()).toMatchObject({ count: 0, p99Ms: 0, meanMs: 0 });
    expect(() => new LatencyHistogram(new Uint32Array(3))).toThrow(RangeError);
  });
});
