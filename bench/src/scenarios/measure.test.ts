import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../options.js';
import type { ResultRow } from '../results.js';
import { medianCpu, repeated } from './measure.js';

const row = (id: string, value: number, status: ResultRow['status'] = 'ok'): ResultRow => ({
  scenario: 'round-trip',
  id,
  system: 'strands',
  label: id,
  clients: 1,
  metric: 'msg/s',
  value,
  status,
  ...(status === 'ok' ? { runs: [{ value }] } : { note: 'broker exited' }),
});

describe('repeated', () => {
  it('interleaves setups, reversing the order every other round, and tags each run with its round', async () => {
    const order: string[] = [];
    const setup = (id: string, values: number[]) => async () => {
      order.push(id);
      return row(id, values.shift() ?? 0);
    };
    const [a, b] = await repeated(resolveOptions({ repeat: 3 }), [setup('a', [3, 1, 2]), setup('b', [5, 6, 4])]);
    expect(order).toEqual(['a', 'b', 'b', 'a', 'a', 'b']);
    expect(a).toMatchObject({ value: 2, note: 'median of 3: 3, 1, 2' });
    expect(a?.runs).toEqual([{ value: 3, round: 0 }, { value: 1, round: 1 }, { value: 2, round: 2 }]);
    expect(b?.value).toBe(5);
  });

  it('reports an open loop by the run with the median p99, since every run has the same msg/s', async () => {
    const p99s = [23.9, 5.28, 22.4];
    const [openLoop] = await repeated(
      resolveOptions({ repeat: 3 }),
      [async () => ({ ...row('open', 2_000), latency: { count: 1, p50Ms: 1, p95Ms: 2, p99Ms: p99s.shift()!, maxMs: 30, meanMs: 1 } })],
      'p99',
    );
    expect(openLoop?.latency?.p99Ms).toBe(22.4);
    expect(openLoop?.note).toBe('median of 3: p99 23.9, 5.28, 22.4 ms');
  });

  it('tries a failed setup again next round and says how often it failed; a skipped one is not retried', async () => {
    const outcomes: ResultRow['status'][] = ['failed', 'ok', 'ok'];
    let skippedCalls = 0;
    const [flaky, skipped] = await repeated(resolveOptions({ repeat: 3 }), [
      async () => row('flaky', 10, outcomes.shift()),
      async () => {
        skippedCalls += 1;
        return row('skipped', 0, 'skipped');
      },
    ]);
    expect(flaky).toMatchObject({ status: 'ok', value: 10, note: 'median of 2: 10, 10; failed in 1 of 3 rounds (broker exited)' });
    expect(flaky?.runs?.map((r) => r.round)).toEqual([1, 2]);
    expect(skipped?.status).toBe('skipped');
    expect(skippedCalls).toBe(1);
  });
});

describe('medianCpu', () => {
  it('takes the median of each figure on its own, write syscalls per 1,000 among them where the runs read them', () => {
    const cpu = (perThousandMs: number, writesPerThousand?: number) => ({ perThousandMs, byRole: { broker: perThousandMs }, totalMs: 1, windowMs: 1, ...(writesPerThousand === undefined ? {} : { writesPerThousand }) });
    expect(medianCpu([{ value: 1, cpu: cpu(3, 200) }, { value: 2, cpu: cpu(1, 150) }, { value: 3, cpu: cpu(2, 300) }])).toEqual({ perThousandMs: 2, byRole: { broker: 2 }, writesPerThousand: 200 });
    expect(medianCpu([{ value: 1, cpu: cpu(3) }])).not.toHaveProperty('writesPerThousand');
  });
});
