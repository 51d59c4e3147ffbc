// The page's script stays small: its contract is written with zod/mini and @strands/browser/contract
// validates through Standard Schema, so zod's classic API (~95 KB gzipped) is not bundled.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { bundlePage } from '../src/bundle.js';

/** The page bundled ~99 KB gzipped with zod classic in the contract; about 12 KB since. */
const BUDGET_BYTES = 16 * 1024;

describe('the page bundle', () => {
  it(`is at most ${BUDGET_BYTES} bytes gzipped, without zod's classic API`, async () => {
    const code = await bundlePage();
    expect(gzipSync(code, { level: 9 }).length).toBeLessThanOrEqual(BUDGET_BYTES);
    expect(code).not.toMatch(/"ZodObject"|superRefine/); // classic zod's; zod/mini names its classes ZodMini*
  });
});
