// Request id sources: distinct, JSON-safe ids, with the caller's prefix or a random one.
import { describe, expect, it } from 'vitest';
import { createRequestIds, toSafeRequestId } from './index.js';

describe('createRequestIds', () => {
  it('counts in base 36 after the given prefix', () => {
    const next = createRequestIds('b');
    expect([next(), next(), next()]).toEqual(['b1', 'b2', 'b3']);
    for (let i = 0; i < 32; i++) next();
    expect(next()).toBe('b10');
  });

  it('makes one random 8-hex-digit prefix per source when none is given', () => {
    const a = createRequestIds();
    const first = a();
    expect(first).toMatch(/^[0-9a-f]{8}-1$/);
    expect(a()).toBe(`${first.slice(0, 9)}2`);
    const ids = new Set(Array.from({ length: 1000 }, a));
    expect(ids.size).toBe(1000);
  });

  it('refuses a prefix that would need JSON escaping', () => {
    expect(() => createRequestIds('a"b')).toThrow(RangeError);
    expect(() => toSafeRequestId('line\nbreak')).toThrow(/letters, digits/);
    expect(toSafeRequestId('ok-1.2:3_x')).toBe('ok-1.2:3_x');
  });
});
