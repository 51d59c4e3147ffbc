// The suite's own tests; like the root config, packages resolve to their sources (no build).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`../packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@strands\/protocol$/, replacement: src('protocol') },
      { find: /^@strands\/broker$/, replacement: src('broker') },
      { find: /^@strands\/backend$/, replacement: src('backend') },
    ],
  },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
