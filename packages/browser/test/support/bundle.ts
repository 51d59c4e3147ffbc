// Builds the client for the browser from source with esbuild, as a bundler would; tests need no prior build.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));

export type Entry = 'index' | 'contract' | 'recovery' | 'confirm';

/** The minified browser bundle of an entry, as one ESM file. */
export async function bundle(entry: Entry = 'index', format: 'esm' | 'iife' = 'esm', globalName = 'Strands'): Promise<string> {
  const result = await build({
    entryPoints: [`${srcDir}${entry}.ts`],
    bundle: true,
    minify: true,
    format,
    globalName: format === 'iife' ? globalName : undefined,
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
