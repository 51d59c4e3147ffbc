// The systems under test, started as real child processes: broker + SDK or raw echo backend.
import { describe, expect, it } from 'vitest';
import { runLoad } from '../load/generator.js';
import { smallSpec } from '../load/small-spec.js';
import { requireFreshBuild } from '../servers/built-for-tests.js';
import { startStrands } from './stacks.js';

const spec = (url: string) => smallSpec(url, { clients: 8, workers: 1, connectConcurrency: 4 });

requireFreshBuild();

describe('startStrands', () => {
  it.each(['sdk', 'raw'] as const)('echoes round trips through the broker with the %s backend', async (impl) => {
    const stack = await startStrands(1, 'echo', impl);
    try {
      expect(stack.note).toBeUndefined();
      const r = await runLoad(spec(`${stack.baseUrl}/ws/echo`));
      expect(r.sent).toBeGreaterThan(0);
      expect(r.received).toBe(r.sent);
      expect(r.mismatched).toBe(0);
      const memory = await stack.memory();
      expect(memory.rssBytes).toBeGreaterThan(memory.heapUsedBytes);
      expect(memory.heapTotalBytes).toBeGreaterThanOrEqual(memory.heapUsedBytes);
    } finally {
      await stack.stop();
    }
  });

  it('fans a message out to the whole room through two backends', async () => {
    const stack = await startStrands(2, 'room', 'sdk');
    try {
      const r = await runLoad({ ...spec(`${stack.baseUrl}/ws/room`), mode: 'fan-out', clients: 5, inFlight: 2 });
      expect(r.sent).toBeGreaterThan(0);
      expect(r.received).toBe(r.sent * 5);
    } finally {
      await stack.stop();
    }
  });
});
