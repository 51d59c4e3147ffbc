// The server children run the packages' dist/ through bench/tsconfig.servers.json's `paths`. An
// import missing there resolves through node_modules: from a baseline worktree's servers, to this
// tree's package. Every @strands/* specifier the server packages import must be mapped, to the
// file the package exports for it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_PACKAGES } from './built-packages.js';
import { CURRENT_TSCONFIG } from './launch.js';

const PACKAGES_DIR = new URL('../../../packages/', import.meta.url).pathname;
const BENCH_DIR = new URL('../../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.ts$/.test(entry.name) && !/\.test(-d)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

const paths = (JSON.parse(readFileSync(CURRENT_TSCONFIG, 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;

describe('bench/tsconfig.servers.json paths', () => {
  it('map every @strands/* import of the broker, backend and protocol sources', () => {
    const imported = new Set<string>();
    for (const name of SERVER_PACKAGES) {
      for (const file of sources(join(PACKAGES_DIR, name, 'src'))) {
        for (const match of readFileSync(file, 'utf8').matchAll(/from '(@strands\/[^']+)'/g)) imported.add(match[1]!);
      }
    }
    expect([...imported].filter((specifier) => !(specifier in paths))).toEqual([]);
  });

  it('map each specifier to the built file its package exports for import', () => {
    for (const [specifier, [target]] of Object.entries(paths)) {
      const [, name, subpath] = /^@strands\/([^/]+)(\/.+)?$/.exec(specifier) ?? [];
      const manifest = JSON.parse(readFileSync(join(PACKAGES_DIR, name!, 'package.json'), 'utf8')) as { exports: Record<string, { import: { default: string } }> };
      const exported = manifest.exports[subpath === undefined ? '.' : `.${subpath}`]?.import.default;
      expect(exported, specifier).toMatch(/^\.\/dist\//);
      expect(join(BENCH_DIR, target!), specifier).toBe(join(PACKAGES_DIR, name!, exported!));
    }
  });
});
