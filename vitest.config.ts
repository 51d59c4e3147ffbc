// One vitest run for the whole monorepo; tests import packages from source (no build needed).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string, file = 'index.ts') =>
  fileURLToPath(new URL(`./packages/${pkg}/src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@strands\/protocol$/, replacement: src('protocol') },
      { find: /^@strands\/protocol\/wire$/, replacement: src('protocol', 'wire/index.ts') },
      { find: /^@strands\/broker$/, replacement: src('broker') },
      { find: /^@strands\/backend$/, replacement: src('backend') },
      { find: /^@strands\/browser$/, replacement: src('browser') },
      { find: /^@strands\/browser\/contract$/, replacement: src('browser', 'contract.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'bench/src/**/*.test.ts',
      'testing/src/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, tsconfig: './tsconfig.json', include: ['packages/*/src/**/*.test-d.ts', 'packages/*/test/**/*.test-d.ts'] },
  },
});
