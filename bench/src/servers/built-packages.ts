// The server children load the @strands packages as users get them, from their built dist/
// (bench/tsconfig.servers.json): tsx's transform of the sources keeps every function's name with
// an Object.defineProperty call each time a closure is made, a cost the published build does not
// have (about 5% of a cluster broker's CPU). So dist/ must be built from the sources beside it.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError } from '../errors.js';

/** The packages the server children load. */
export const SERVER_PACKAGES = ['protocol', 'broker', 'backend'] as const;

/** What the build may take at most, in ms. */
const BUILD_TIMEOUT_MS = 300_000;
const OUTPUT_KEEP = 2_000;

/** Files under src/ that no build reads. */
const NOT_BUILT = /\.test(-d)?\.ts$/;

/** The newest modification time (ms) of the files under `path` (tests aside), or of `path` itself; 0 when absent. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) if (!NOT_BUILT.test(entry)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/**
 * The server packages of the tree at `repoDir` whose dist/index.js is missing or older than a
 * file it is built from (src/, package.json, tsup.config.ts).
 */
export function staleBuilds(repoDir: string): string[] {
  return SERVER_PACKAGES.filter((name) => {
    const dir = join(repoDir, 'packages', name);
    const built = join(dir, 'dist', 'index.js');
    if (!existsSync(built)) return true;
    const inputs = Math.max(newest(join(dir, 'src')), newest(join(dir, 'package.json')), newest(join(dir, 'tsup.config.ts')));
    return statSync(built).mtimeMs < inputs;
  });
}

/** Runs `pnpm build` at `repoDir`; throws BenchError('build_failed') with the end of its output. */
export function buildPackages(repoDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('pnpm', ['build'], { cwd: repoDir, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) return resolve();
      reject(new BenchError('build_failed', `pnpm build in ${repoDir} failed: ${error.message}\n${(stderr || stdout).slice(-OUTPUT_KEEP)}`, { cause: error }));
    });
  });
}

/** Builds the packages of the tree at `repoDir` when a dist/ is missing or older than its sources. */
export async function ensureBuilt(repoDir: string, log: (line: string) => void): Promise<void> {
  const stale = staleBuilds(repoDir);
  if (stale.length === 0) return;
  log(`building the packages (${stale.join(', ')}: dist/ missing or older than the sources; the servers run dist/, as users do)`);
  await buildPackages(repoDir);
  const still = staleBuilds(repoDir);
  if (still.length > 0) throw new BenchError('build_failed', `pnpm build in ${repoDir} left ${still.join(', ')} without a fresh dist/index.js`);
}
