// Test files that start a broker or backend child call this first: the children load the packages'
// dist/ (built-packages.ts), which a fresh clone does not have and an edit of the sources leaves
// stale. Tests do not build it themselves (files run in parallel: their builds would collide);
// scripts/test.sh builds before it runs them.
import { beforeAll } from 'vitest';
import { REPO_DIR } from '../baseline/worktree.js';
import { BenchError } from '../errors.js';
import { staleBuilds } from './built-packages.js';

/** Fails the file's tests with build_failed, saying what to run, when a server package's dist/ is missing or stale. */
export function requireFreshBuild(): void {
  beforeAll(() => {
    const stale = staleBuilds(REPO_DIR);
    if (stale.length > 0) throw new BenchError('build_failed', `the bench's server children load dist/, and ${stale.join(', ')} ${stale.length === 1 ? 'has' : 'have'} none or a stale one: run \`pnpm build\` first`);
  });
}
