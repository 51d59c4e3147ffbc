// `pnpm bench` as a process: flags, exit codes, files written.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireFreshBuild } from './servers/built-for-tests.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PYSTRANDS_BROKER_BIN: '', PYSTRANDS_ECHO_BIN: '' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: BENCH_DIR, env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
    });
  });
}

requireFreshBuild();

describe('cli', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strands-bench-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('prints the table and writes latest.json and chart.svg into --out', async () => {
    const run = await cli(['--quick', '--only', 'pystrands', '--out', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('QUICK smoke run');
    expect(run.stdout).toMatch(/pystrands .* skipped .* PYSTRANDS_BROKER_BIN/);
    const json = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as { quick: boolean; rows: unknown[] };
    expect(json).toMatchObject({ quick: true });
    expect(json.rows).toHaveLength(1);
    expect(await readFile(join(dir, 'chart.svg'), 'utf8')).toContain('</svg>');
  });

  it('--help lists every flag, --pin and --baseline among them', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--pin\s+load generator on the first CPU/);
    expect(run.stdout).toMatch(/--baseline REF/);
  });

  it('exits 1 with baseline_failed when --baseline names no commit', async () => {
    const run = await cli(['--quick', '--only', 'pystrands', '--baseline', 'no-such-ref-for-strands-bench', '--out', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('baseline_failed');
  });

  it('--clients picks the round-trip client counts; a bad count is refused', async () => {
    const run = await cli(['--quick', '--only', 'round-trip', '--clients', '7', '--duration-ms', '200', '--out', dir]);
    expect(run.code).toBe(0);
    const json = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as { rows: { id: string }[] };
    expect(json.rows.map((r) => r.id)).toEqual(['round-trip/ws/7', 'round-trip/strands/7', 'round-trip/strands-ack/7']);
    const bad = await cli(['--quick', '--only', 'round-trip', '--clients', '0', '--out', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('roundTripClients must be a non-empty list of positive integers');
  });

  it('--idle picks the idle connection counts, a row pair each; a bad count is refused', async () => {
    const run = await cli(['--quick', '--only', 'idle', '--idle', '5,9', '--out', dir]);
    expect(run.code).toBe(0);
    const json = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as { rows: { id: string; status: string }[] };
    expect(json.rows.map((r) => [r.id, r.status])).toEqual([
      ['idle/ws/5', 'ok'],
      ['idle/strands/5', 'ok'],
      ['idle/ws/9', 'ok'],
      ['idle/strands/9', 'ok'],
    ]);
    const bad = await cli(['--quick', '--only', 'idle', '--idle', '5,x', '--out', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('idleConnections must be a non-empty list of positive integers');
  });

  it('--warmup-ms sets the unmeasured load before each window; a negative one is refused', async () => {
    const run = await cli(['--quick', '--only', 'pystrands', '--warmup-ms', '0', '--out', dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('after 0 s warm-up');
    const json = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as { settings: { warmupMs: number } };
    expect(json.settings.warmupMs).toBe(0);
    const bad = await cli(['--quick', '--only', 'pystrands', '--warmup-ms=-5', '--out', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('warmupMs must be a non-negative integer');
  });

  it('exits 1 with the error code on a bad flag value', async () => {
    const run = await cli(['--quick', '--only', 'nonsense', '--out', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('invalid_options');
    expect(run.stderr).toContain('usage: pnpm bench');
  });
});
