// Cluster mode on a real redis-server: two broker processes, the echo backend on B only; round
// trips from clients on A, and a room spread over both brokers. Skipped without redis-server.
import { describe, expect, it } from 'vitest';
import { runLoad } from '../load/generator.js';
import { smallSpec } from '../load/small-spec.js';
import { commandDelta, commandStats } from '../servers/redis.js';
import { requireFreshBuild } from '../servers/built-for-tests.js';
import { againstReferences, redisBackground, redisFigures, redisMissing, versus } from './cluster.js';
import { startCluster, type ClusterStack } from './stacks.js';

const spec = (url: string) => smallSpec(url);

/** Whether broker A reports the Redis queue's metrics (only a broker on the durable queue has them). */
async function durableQueue(stack: ClusterStack): Promise<boolean> {
  const body = await (await fetch(`${stack.urlA.replace('ws://', 'http://')}/metrics`)).text();
  return body.includes('strands_queue_held_events');
}

describe('redisFigures', () => {
  it('gives commands per message, in all and per command (most first), without INFO', () => {
    const figures = redisFigures({ publish: 10, info: 2, hset: 1 }, { publish: 110, info: 4, hset: 3, evalsha: 1 }, 100);
    expect(figures).toEqual({ commands: 103, messages: 100, perMessage: 1.03, byCommand: { publish: 1, hset: 0.02, evalsha: 0.01 } });
    expect(Object.keys(figures?.byCommand ?? {})).toEqual(['publish', 'hset', 'evalsha']);
    expect(redisFigures({}, { publish: 1 }, 0)).toBeUndefined();
  });

  it('takes the idle background rate out of the window: what the messages themselves cost', () => {
    // 5 s idle: 200 evalsha and 1,000 calls inside them, 10 publishes (heartbeats): 242/s.
    const background = redisBackground({ evalsha: 0, hset: 0, publish: 0 }, { evalsha: 200, hset: 1_000, publish: 10, info: 1 }, 5_000);
    expect(background).toEqual({ perSec: 242, byCommand: { hset: 200, evalsha: 40, publish: 2 } });
    // A 10 s window of 1,000 room messages: 1,020 publishes plus 2,400 of upkeep.
    const figures = redisFigures({}, { publish: 1_020, evalsha: 400, hset: 2_000 }, 1_000, 10_000, background);
    expect(figures).toMatchObject({ perMessage: 3.42, backgroundPerSec: 242, netPerMessage: 1 });
  });
});

describe('versus', () => {
  it('sets a cluster row against its one-broker reference: medians, each round, CPU per 1,000', () => {
    const head = { scenario: 'cluster' as const, system: 'strands' as const, label: 'x', clients: 10, metric: 'msg/s' as const, status: 'ok' as const };
    const cpu = (perThousandMs: number) => ({ perThousandMs, byRole: {} });
    const single = { ...head, id: 's', value: 100, cpu: cpu(10), runs: [{ value: 100, round: 0 }, { value: 200, round: 1 }] };
    const cross = { ...head, id: 'c', value: 60, cpu: cpu(25), runs: [{ value: 60, round: 0 }, { value: 50, round: 1 }] };
    expect(versus(cross, single)).toMatchObject({ vsSingleBroker: 0.6, vsSingleBrokerRounds: [0.6, 0.25], cpuVsSingleBroker: 2.5 });
    expect(versus(cross, { ...single, status: 'failed' }).vsSingleBroker).toBeUndefined();
  });
});

describe('againstReferences', () => {
  const head = { scenario: 'cluster' as const, system: 'strands' as const, label: 'x', clients: 10, metric: 'msg/s' as const, status: 'ok' as const };
  const row = (id: string, value: number) => ({ ...head, id, value });

  it('sets each cluster row against the one-broker row of its kind', () => {
    const rows = [row('single-trip', 100), row('cross', 50), row('cross-memory', 60), row('single-fan', 1000), row('spread', 800), row('spread-no-delay', 900)];
    expect(againstReferences(rows, 1).map((r) => [r.id, r.vsSingleBroker])).toEqual([
      ['single-trip', undefined],
      ['cross', 0.5],
      ['cross-memory', 0.6],
      ['single-fan', undefined],
      ['spread', 0.8],
      ['spread-no-delay', 0.9],
    ]);
  });

  it('with a baseline, sets each tree’s cluster rows against that tree’s one-broker rows', () => {
    const rows = [
      row('single-trip', 100), row('single-trip@baseline', 200),
      row('cross', 50), row('cross@baseline', 50),
      row('cross-memory', 60), row('cross-memory@baseline', 40),
      row('single-fan', 1000), row('single-fan@baseline', 500),
      row('spread', 800), row('spread@baseline', 450),
      row('spread-no-delay', 700), row('spread-no-delay@baseline', 400),
    ];
    expect(againstReferences(rows, 2).map((r) => [r.id, r.vsSingleBroker])).toEqual([
      ['single-trip', undefined],
      ['single-trip@baseline', undefined],
      ['cross', 0.5],
      ['cross@baseline', 0.25],
      ['cross-memory', 0.6],
      ['cross-memory@baseline', 0.2],
      ['single-fan', undefined],
      ['single-fan@baseline', undefined],
      ['spread', 0.8],
      ['spread@baseline', 0.9],
      ['spread-no-delay', 0.7],
      ['spread-no-delay@baseline', 0.8],
    ]);
  });
});

describe.skipIf(redisMissing() !== undefined)('startCluster', () => {
  requireFreshBuild();

  it('echoes round trips from clients on broker A through the backend on broker B', async () => {
    const stack = await startCluster('echo', 'sdk');
    try {
      expect(stack.processes.map((p) => p.name)).toEqual(['broker A', 'broker B', 'backend', 'redis']);
      const before = await commandStats(stack.redisPort);
      const r = await runLoad(spec(`${stack.urlA}/ws/echo`));
      expect(r.sent).toBeGreaterThan(0);
      expect(r.received).toBe(r.sent);
      expect(r.mismatched).toBe(0);
      // A relayed the events to B and B's replies came back: both crossed Redis.
      expect(commandDelta(before, await commandStats(stack.redisPort)).publish).toBeGreaterThan(0);
      // Cluster mode's default queue: the durable one on Redis.
      expect(await durableQueue(stack)).toBe(true);
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('with the queue in memory, echoes the same round trips on brokers without the Redis queue', async () => {
    const stack = await startCluster('echo', 'sdk', undefined, 'memory');
    try {
      const r = await runLoad(spec(`${stack.urlA}/ws/echo`));
      expect(r.sent).toBeGreaterThan(0);
      expect(r.received).toBe(r.sent);
      expect(await durableQueue(stack)).toBe(false);
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it('fans a message out to a room spread over both brokers', async () => {
    const stack = await startCluster('room', 'sdk');
    try {
      const room = (base: string) => `${base}/ws/room`;
      const r = await runLoad({ ...spec(room(stack.urlB)), urls: [room(stack.urlA), room(stack.urlB)], mode: 'fan-out', clients: 6, inFlight: 2 }, {
        // A message published before a broker subscribes the room's channel never reaches it.
        onConnected: () => new Promise((resolve) => setTimeout(resolve, 300)),
      });
      expect(r.sent).toBeGreaterThan(0);
      expect(r.received).toBe(r.sent * 6);
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
