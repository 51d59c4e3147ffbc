import { defineConfig } from 'tsup';

// No source maps: nothing loads them (tests run the sources), and they weighed more than the code.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'es2022',
});
