// The --baseline tree: a temporary git worktree of another commit, installed and built, whose
// @strands packages the server children then load from their dist/; removed after the run. The
// main worktree is shared with others: nothing here changes its checkout or its index.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchError } from '../errors.js';
import { buildPackages } from '../servers/built-packages.js';
import { CURRENT_TSCONFIG } from '../servers/launch.js';

/** The repository root (bench/src/baseline -> ../../..). */
export const REPO_DIR = fileURLToPath(new URL('../../../', import.meta.url));
/** The tsconfig written into the baseline tree's bench/ (a copy of this tree's, so paths map alike). */
const BASELINE_TSCONFIG_NAME = 'tsconfig.bench-baseline.json';
const INSTALL_TIMEOUT_MS = 300_000;
const OUTPUT_KEEP = 2_000;

/** A baseline worktree, ready for server children. */
export interface BaselineTree {
  /** The ref as given, the commit it names, and its short form. */
  ref: string;
  sha: string;
  short: string;
  dir: string;
  /** tsconfig mapping @strands/* to the worktree's packages/<name>/dist. */
  tsconfig: string;
  /** Removes the worktree (git worktree remove --force); safe to call twice. */
  remove(): Promise<void>;
}

function run(command: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error === null) return resolvePromise(stdout);
      reject(new Error(`${command} ${args.join(' ')}: ${error.message}\n${(stderr || stdout).slice(-OUTPUT_KEEP)}`, { cause: error }));
    });
  });
}

// --no-optional-locks: a status or diff must not refresh (and lock) the shared index.
const git = (args: string[], cwd = REPO_DIR) => run('git', ['--no-optional-locks', ...args], cwd);

/** The commit `ref` names, or BenchError('baseline_failed'). */
export async function resolveCommit(ref: string): Promise<string> {
  try {
    return (await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
  } catch (error) {
    throw new BenchError('baseline_failed', `"${ref}" names no commit in ${REPO_DIR}`, { cause: error });
  }
}

/** The current tree in words: "HEAD abc1234" plus whether packages/ differs from it. */
export async function describeCurrentTree(): Promise<string> {
  try {
    const head = (await git(['rev-parse', '--short=7', 'HEAD'])).trim();
    const changed = (await git(['status', '--porcelain', '--untracked-files=no', '--', 'packages'])).trim() !== '';
    return `working tree at HEAD ${head}${changed ? ' with uncommitted changes in packages/' : ''}`;
  } catch {
    return 'working tree (git unavailable)';
  }
}

/** Writes this tree's bench tsconfig into the baseline tree's bench/, so that its paths resolve there. */
async function writeTsconfig(dir: string): Promise<{ path: string; missing: string[] }> {
  const config = JSON.parse(await readFile(CURRENT_TSCONFIG, 'utf8')) as {
    extends?: string;
    compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> };
  };
  const benchDir = join(dir, 'bench');
  // An old commit may lack the shared base config; tsx then runs with the defaults.
  if (config.extends !== undefined && !existsSync(resolve(benchDir, config.extends))) delete config.extends;
  const baseDir = resolve(benchDir, config.compilerOptions?.baseUrl ?? '.');
  const missing = Object.entries(config.compilerOptions?.paths ?? {})
    .filter(([, targets]) => !targets.some((t) => existsSync(resolve(baseDir, t))))
    .map(([name]) => name);
  const path = join(benchDir, BASELINE_TSCONFIG_NAME);
  await mkdir(benchDir, { recursive: true });
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
  return { path, missing };
}

async function install(dir: string, log: (line: string) => void): Promise<void> {
  try {
    await run('pnpm', ['install', '--frozen-lockfile', '--offline'], dir, INSTALL_TIMEOUT_MS);
  } catch (offline) {
    log(`  baseline: offline install failed, trying the registry (${(offline as Error).message.split('\n')[0]})`);
    await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], dir, INSTALL_TIMEOUT_MS);
  }
}

function removeSync(dir: string): void {
  try {
    execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: REPO_DIR, stdio: 'ignore' });
  } catch {
    // Already gone, or never registered: fall through to the prune below.
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'prune'], { cwd: REPO_DIR, stdio: 'ignore' });
  } catch {
    // Nothing more to do: `git worktree prune` later cleans a stale entry.
  }
}

/**
 * Checks `ref` out into a fresh detached worktree under the temp folder (its own index and
 * HEAD), installs it (offline from the pnpm store first), builds its packages, and writes a
 * tsconfig there that maps @strands/* to their dist/, as this tree's bench does. Throws
 * BenchError('baseline_failed'), or BenchError('build_failed') when its build fails.
 * @example
 * const tree = await prepareBaselineTree('527f090', console.error);
 * try { ... startChild(entry, args, { tree: 'baseline', tsconfig: tree.tsconfig, ... }) } finally { await tree.remove(); }
 */
export async function prepareBaselineTree(ref: string, log: (line: string) => void): Promise<BaselineTree> {
  const sha = await resolveCommit(ref);
  const short = sha.slice(0, 7);
  // The pid keeps two runs of the same baseline (two engineers) out of each other's way.
  const dir = join(tmpdir(), `strands-baseline-${sha.slice(0, 12)}-${process.pid}`);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    process.off('exit', onExit);
    try {
      await git(['worktree', 'remove', '--force', dir]);
    } catch {
      removeSync(dir);
    }
    log(`baseline: removed worktree ${dir}`);
  };
  // Ctrl-C ends the suite through process.exit: leave no worktree behind.
  const onExit = () => {
    if (!removed) removeSync(dir);
  };
  process.on('exit', onExit);
  try {
    if (existsSync(dir)) removeSync(dir);
    log(`baseline: git worktree add --detach ${dir} ${short} (${ref})`);
    await git(['worktree', 'add', '--detach', dir, sha]);
    log('baseline: pnpm install --frozen-lockfile --offline');
    await install(dir, log);
    log('baseline: pnpm build');
    await buildPackages(dir);
    const tsconfig = await writeTsconfig(dir);
    if (tsconfig.missing.length > 0) log(`baseline: ${short} built no ${tsconfig.missing.join(', ')}: setups that need them will fail`);
    return { ref, sha, short, dir, tsconfig: tsconfig.path, remove };
  } catch (error) {
    await remove();
    if (error instanceof BenchError) throw error;
    throw new BenchError('baseline_failed', `could not prepare baseline ${ref} in ${dir}: ${(error as Error).message}`, { cause: error });
  }
}
