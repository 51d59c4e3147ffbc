import { defineConfig } from 'tsup';

// Minified because the size budget is checked on what ships: the core entry must stay within
// 4 KB gzipped. The contract entry shares the client chunk (ESM). No source maps: nothing loads
// them (tests run the sources), and they weighed more than the code.
export default defineConfig({
  entry: ['src/index.ts', 'src/contract.ts', 'src/recovery.ts', 'src/confirm.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  minify: true,
  target: 'es2022',
  platform: 'browser',
});
