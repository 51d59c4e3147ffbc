import { defineConfig } from 'tsup';

// No source maps: nothing loads them (tests run the sources), and they weighed more than the code.
// Two entries: the root (zod schemas, the reference) and `wire` (zod-free fast paths and constants).
export default defineConfig({
  entry: { index: 'src/index.ts', wire: 'src/wire/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
});
