import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureBuilt, SERVER_PACKAGES, staleBuilds } from './built-packages.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A tree with each server package's src/ written at t=1000 s and its dist/index.js at t=2000 s. */
function tree(): string {
  const repo = mkdtempSync(join(tmpdir(), 'strands-built-'));
  dirs.push(repo);
  for (const name of SERVER_PACKAGES) {
    const dir = join(repo, 'packages', name);
    mkdirSync(join(dir, 'src', 'core'), { recursive: true });
    mkdirSync(join(dir, 'dist'), { recursive: true });
    for (const file of [join(dir, 'package.json'), join(dir, 'src', 'index.ts'), join(dir, 'src', 'core', 'deep.ts')]) at(file, 1_000);
    at(join(dir, 'dist', 'index.js'), 2_000);
  }
  return repo;
}

function at(file: string, seconds: number): void {
  writeFileSync(file, '');
  utimesSync(file, seconds, seconds);
}

describe('staleBuilds', () => {
  it('is empty when every dist/index.js is newer than its sources', () => {
    expect(staleBuilds(tree())).toEqual([]);
  });

  it('names a package whose source, however deep, or manifest changed after its build', () => {
    const repo = tree();
    at(join(repo, 'packages', 'broker', 'src', 'core', 'deep.ts'), 3_000);
    at(join(repo, 'packages', 'protocol', 'package.json'), 3_000);
    expect(staleBuilds(repo)).toEqual(['protocol', 'broker']);
  });

  it('ignores a test file changed after the build', () => {
    const repo = tree();
    at(join(repo, 'packages', 'broker', 'src', 'core', 'deep.test.ts'), 3_000);
    expect(staleBuilds(repo)).toEqual([]);
  });

  it('names a package that was never built', () => {
    const repo = tree();
    rmSync(join(repo, 'packages', 'backend', 'dist'), { recursive: true });
    expect(staleBuilds(repo)).toEqual(['backend']);
  });
});

describe('ensureBuilt', () => {
  it('builds nothing when the builds are fresh', async () => {
    const lines: string[] = [];
    await ensureBuilt(tree(), (line) => lines.push(line));
    expect(lines).toEqual([]);
  });

  it('runs pnpm build for a stale tree and fails with build_failed when that fails', async () => {
    const repo = tree();
    at(join(repo, 'packages', 'broker', 'src', 'index.ts'), 3_000);
    const lines: string[] = [];
    // This tree has no root package.json: pnpm build cannot run there.
    await expect(ensureBuilt(repo, (line) => lines.push(line))).rejects.toMatchObject({ name: 'BenchError', code: 'build_failed' });
    expect(lines.join('\n')).toContain('building the packages (broker');
  });
});
