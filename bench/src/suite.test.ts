// A tiny end-to-end run of the suite: every row measured, targets listed, files written.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.js';
import { writeResults } from './output.js';
import { runSuite } from './suite.js';
import { requireFreshBuild } from './servers/built-for-tests.js';

requireFreshBuild();

describe('runSuite', () => {
  it('runs the round-trip and idle scenarios and writes JSON and SVG', async () => {
    const options = resolveOptions({
      quick: true,
      scenarios: ['round-trip', 'idle', 'pystrands'],
      roundTripClients: [4],
      idleConnections: [20],
      durationMs: 200,
      warmupMs: 50,
      workers: 1,
    }, {});
    const suite = await runSuite(options);
    expect(suite.rows.map((r) => [r.id, r.status])).toEqual([
      ['round-trip/ws/4', 'ok'],
      ['round-trip/strands/4', 'ok'],
      ['round-trip/strands-ack/4', 'ok'],
      ['idle/ws/20', 'ok'],
      ['idle/strands/20', 'ok'],
      ['pystrands/pystrands/4', 'skipped'],
    ]);
    expect(suite.rows[1]?.value).toBeGreaterThan(0);
    expect(suite.targets.map((t) => t.name)).toContain('round trip, 4 clients');
    const dir = await mkdtemp(join(tmpdir(), 'strands-bench-'));
    try {
      const written = await writeResults(suite, dir);
      const json = JSON.parse(await readFile(written.json, 'utf8')) as typeof suite;
      expect(json.rows).toHaveLength(6);
      expect(json.machine.cores).toBeGreaterThan(0);
      expect(await readFile(written.svg, 'utf8')).toContain('<svg');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
