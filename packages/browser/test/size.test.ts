// The size budget of the issue: the core client is at most 4 KB min+gzip and imports nothing from Node.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundle } from './support/bundle.js';

const BUDGET_BYTES = 4096;

describe('core bundle', () => {
  it(`is at most ${BUDGET_BYTES} bytes minified and gzipped`, async () => {
    const code = await bundle('index');
    const gzipped = gzipSync(code, { level: 9 }).length;
    expect(gzipped).toBeGreaterThan(500); // it did bundle the client
    expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('contains no Node imports and no zod', async () => {
    const code = await bundle('index');
    expect(code).not.toMatch(/\brequire\(/);
    expect(code).not.toMatch(/["']node:/);
    expect(code).not.toMatch(/\bimport\s*[("'{]/);
    expect(code).not.toMatch(/ZodError|safeParse/);
  });

  it('the contract entry bundles no schema library: it runs the contract\'s schemas through ~standard', async () => {
    const code = await bundle('contract');
    expect(code).toMatch(/~standard/);
    expect(code).not.toMatch(/ZodError|safeParse|\$ZodType/);
    expect(gzipSync(code, { level: 9 }).length).toBeLessThanOrEqual(BUDGET_BYTES + 1024);
  });
});
