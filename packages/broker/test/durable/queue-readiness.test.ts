// /readyz follows the durable queue's own Redis link: a real broker process with --queue redis://
// on a real redis-server, which is killed and brought back while a backend stays connected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { RawBackend, waitFor } from '../support/harness.js';
import { killAll, startBrokerProcess, type BrokerProcess } from './broker-processes.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await killAll();
  await redis?.stop();
});

async function probe(broker: BrokerProcess, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${broker.wsUrl.replace(/^ws:/, 'http:')}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Waits until /readyz answers `status`; returns its body. */
async function readyzBecomes(broker: BrokerProcess, status: number, what: string): Promise<Record<string, unknown>> {
  return waitFor(async () => {
    const ready = await probe(broker, '/readyz');
    return ready.status === status ? ready.body : undefined;
  }, what);
}

describe('/readyz with the Redis queue (real broker, real Redis)', () => {
  it('is 503 naming the queue while its Redis is down (/healthz stays 200), and 200 again once Redis is back', async () => {
    const broker = await startBrokerProcess(['--queue', redis.url]);
    const backend = await RawBackend.connect(broker.tcpPort);
    try {
      await readyzBecomes(broker, 200, '/readyz 200 with a backend connected');
      await redis.kill();
      const down = await readyzBecomes(broker, 503, '/readyz 503 while Redis is down');
      expect(down).toMatchObject({ status: 'not_ready', backends: 1 });
      expect(down.reason).toMatch(/^durable queue: Redis .*connection lost/);
      // Liveness is not readiness: the process serves.
      expect((await probe(broker, '/healthz')).status).toBe(200);
      await redis.restart();
      const back = await readyzBecomes(broker, 200, '/readyz 200 once Redis is back');
      expect(back).toMatchObject({ status: 'ready', backends: 1 });
    } finally {
      backend.close();
    }
  });
});
