// The --baseline path end to end: a worktree of HEAD, installed and built, its servers interleaved with
// this tree's, a comparison out, and no worktree left behind.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../options.js';
import { runSuite } from '../suite.js';
import { REPO_DIR, resolveCommit } from './worktree.js';
import { requireFreshBuild } from '../servers/built-for-tests.js';

const hasGit = (() => {
  try {
    execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_DIR, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

requireFreshBuild();

describe.runIf(hasGit)('baseline worktree', () => {
  it('rejects a ref that names no commit', async () => {
    await expect(resolveCommit('no-such-ref-for-strands-bench')).rejects.toMatchObject({ name: 'BenchError', code: 'baseline_failed' });
  });

  it('runs the servers of HEAD beside the current ones, compares them, and removes the worktree', async () => {
    const lines: string[] = [];
    const head = await resolveCommit('HEAD'); // before the run: others may commit while it goes on
    const options = resolveOptions(
      { quick: true, baselineRef: 'HEAD', repeat: 2, scenarios: ['round-trip'], roundTripClients: [4], durationMs: 300, warmupMs: 50, workers: 1 },
      {},
    );
    const suite = await runSuite(options, (line) => lines.push(line));
    expect(suite.rows.map((r) => [r.id, r.status, r.tree])).toEqual([
      ['round-trip/ws/4', 'ok', undefined],
      ['round-trip/strands/4', 'ok', 'current'],
      ['round-trip/strands/4@baseline', 'ok', 'baseline'],
      ['round-trip/strands-ack/4', 'ok', 'current'],
      ['round-trip/strands-ack/4@baseline', 'ok', 'baseline'],
    ]);
    expect(suite.rows.every((r) => r.runs?.length === 2)).toBe(true);
    expect([head, await resolveCommit('HEAD')]).toContain(suite.baseline?.sha);
    expect(suite.baseline?.comparisons.map((c) => c.id)).toEqual(['round-trip/strands/4', 'round-trip/strands-ack/4']);
    expect(suite.baseline?.comparisons[0]?.ratio.value).toBeGreaterThan(0);
    const dir = /git worktree add --detach (\S+)/.exec(lines.join('\n'))?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir ?? '/')).toBe(false);
    expect(execFileSync('git', ['worktree', 'list'], { cwd: REPO_DIR, encoding: 'utf8' })).not.toContain(dir);
  }, 300_000);
});
