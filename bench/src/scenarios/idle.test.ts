import { describe, expect, it } from 'vitest';
import { checkOpenFiles } from './idle.js';

describe('checkOpenFiles', () => {
  it('throws fd_limit when the connections do not fit under the limit', () => {
    expect(() => checkOpenFiles(10_000, 20_000)).not.toThrow();
    expect(() => checkOpenFiles(10_000, 4_096)).toThrow(expect.objectContaining({ name: 'BenchError', code: 'fd_limit' }));
  });
});
