import { defineConfig } from 'tsup';

// No source maps: nothing loads them (tests run the sources), and they weighed more than the code.
export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm', 'cjs'],
  // The CLI is no import path of the package: it needs no declarations.
  dts: { entry: 'src/index.ts' },
  clean: true,
  target: 'es2022',
  esbuildOptions(options, { format }) {
    // bin/strands-broker.js imports dist/cli.js (ESM) only; a CommonJS copy of the CLI would ship unused.
    if (format === 'cjs' && Array.isArray(options.entryPoints)) {
      options.entryPoints = options.entryPoints.filter((entry) => !String(entry).endsWith('cli.ts'));
    }
  },
});
