// The server children run the packages from source through bench/tsconfig.json's `paths`; an
// import missing there silently resolves to a package's dist/ (stale, or absent in a baseline
// worktree). Every @strands/* specifier the server packages import must be mapped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CURRENT_TSCONFIG } from './launch.js';

const PACKAGES_DIR = new URL('../../../packages/', import.meta.url);
const SERVER_PACKAGES = ['broker', 'backend', 'protocol'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.ts$/.test(entry.name) && !/\.test(-d)?\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('bench/tsconfig.json paths', () => {
  it('map every @strands/* import of the broker, backend and protocol sources', () => {
    const imported = new Set<string>();
    for (const name of SERVER_PACKAGES) {
      for (const file of sources(join(PACKAGES_DIR.pathname, name, 'src'))) {
        for (const match of readFileSync(file, 'utf8').matchAll(/from '(@strands\/[^']+)'/g)) imported.add(match[1]!);
      }
    }
    const paths = (JSON.parse(readFileSync(CURRENT_TSCONFIG, 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
    expect([...imported].filter((specifier) => !(specifier in paths))).toEqual([]);
  });
});
