// What each close code means to a client, and which codes a backend may ask for.
import { describe, expect, it } from 'vitest';
import { CLOSE_CODES, closeMeaning, isBackendCloseCode, isRefusalCloseCode, rejectionCloseCode, rejectionStatus } from './index.js';

describe('close codes', () => {
  it('carry an HTTP status as 4000 + status, both ways', () => {
    expect(rejectionCloseCode(403)).toBe(4403);
    expect(rejectionStatus(4403)).toBe(403);
    expect(rejectionStatus(CLOSE_CODES.no_backend)).toBe(503);
    expect(rejectionStatus(1000)).toBeUndefined();
    expect(rejectionStatus(5000)).toBeUndefined();
    expect(rejectionStatus(4399)).toBeUndefined();
  });

  it('give replaced a code of its own, outside 4000 + status: 4409 is a backend\'s 409 refusal', () => {
    expect(CLOSE_CODES.replaced).toBe(4900);
    expect(closeMeaning(rejectionCloseCode(409))).toBe('refused');
    expect(rejectionStatus(rejectionCloseCode(409))).toBe(409);
    expect(rejectionStatus(CLOSE_CODES.replaced)).toBeUndefined();
    for (let status = 400; status <= 599; status++) expect(rejectionCloseCode(status)).not.toBe(CLOSE_CODES.replaced);
  });

  it('tell refusals (do not come back) from transient closes', () => {
    for (const code of [4000, 4401, 4403, CLOSE_CODES.replaced, 4499, CLOSE_CODES.policy_violation]) expect(isRefusalCloseCode(code), String(code)).toBe(true);
    for (const code of [1000, 1001, 1006, 1011, 1012, 1013, 3000, 3999, 4500, CLOSE_CODES.no_backend, CLOSE_CODES.backend_timeout]) {
      expect(isRefusalCloseCode(code), String(code)).toBe(false);
    }
  });

  it('say what each close means to a client', () => {
    expect(closeMeaning(CLOSE_CODES.replaced)).toBe('replaced');
    expect([4000, 4401, 4403, 4409, 4499, 1008].map(closeMeaning)).toEqual(Array(6).fill('refused'));
    expect(closeMeaning(1000)).toBe('closed');
    expect([1001, 1006, 1013, 3000, 4500, 4503, 4504, 4999].map(closeMeaning)).toEqual(Array(8).fill('transient'));
  });

  it('let a backend close a client with 1000 or 3000-4999 only', () => {
    for (const code of [1000, 3000, 4000, 4999]) expect(isBackendCloseCode(code), String(code)).toBe(true);
    for (const code of [999, 1001, 1006, 2999, 5000, 3000.5, Number.NaN]) expect(isBackendCloseCode(code), String(code)).toBe(false);
  });
});
