// The parts of a broker coming back after its peers gave it up: the registry remembers whom it gave up, the fence closes clients once per give-up.
import { describe, expect, it } from 'vitest';
import type { LocalNode } from '../../src/core/backplane.js';
import { ClusterDiagnostics } from '../../src/cluster/cluster-diagnostics.js';
import { NodeRegistry } from '../../src/cluster/node-registry.js';
import { GIVEN_UP_REASON, SelfFence } from '../../src/cluster/self-fence.js';

function fenceWith(clients: number) {
  const closed: Array<[number, string]> = [];
  const local = { disconnectAll: (code: number, reason: string) => (closed.push([code, reason]), clients) } as unknown as LocalNode;
  const diagnostics = new ClusterDiagnostics('me', undefined);
  return { fence: new SelfFence({ local, diagnostics }), closed, diagnostics };
}

describe('SelfFence', () => {
  it('closes every local client once per give-up: notices for an epoch already fenced are ignored', () => {
    const { fence, closed, diagnostics } = fenceWith(3);
    const first = fence.epoch;
    fence.givenUp('a', first);
    expect(closed).toEqual([[1001, GIVEN_UP_REASON]]);
    expect(fence.epoch).not.toBe(first);
    fence.givenUp('b', first); // the second peer that gave it up, the same time
    expect(closed).toHaveLength(1);
    fence.givenUp('a', fence.epoch); // given up again later, in the new epoch
    expect(closed).toHaveLength(2);
    expect(diagnostics.counts.givenUpByPeers).toBe(2);
  });

  it('ignores a notice for an epoch it never announced (a previous life of the same node id)', () => {
    const { fence, closed } = fenceWith(1);
    fence.givenUp('a', (fence.epoch + 1) % 2 ** 31);
    expect(closed).toEqual([]);
  });
});

describe('NodeRegistry given-up peers', () => {
  it('remembers a peer given up by timeout with its last epoch, once; not one that said goodbye', () => {
    const registry = new NodeRegistry();
    registry.seen('a', 0);
    registry.setEpoch('a', 42);
    registry.seen('b', 0);
    expect(registry.remove('b')).toBe(true);
    expect(registry.expire(10_000, 1_000)).toEqual(['a']);
    expect(registry.takeGivenUp('b')).toBeUndefined();
    expect(registry.takeGivenUp('a')).toBe(42);
    expect(registry.takeGivenUp('a')).toBeUndefined();
  });

  it('keeps at most 1024 given-up peers, forgetting the oldest', () => {
    const registry = new NodeRegistry();
    for (let i = 0; i < 1030; i += 1) registry.seen(`n${i}`, 0);
    registry.expire(10_000, 1_000);
    expect(registry.takeGivenUp('n0')).toBeUndefined();
    expect(registry.takeGivenUp('n5')).toBeUndefined();
    expect(registry.takeGivenUp('n6')).toBe(0);
    expect(registry.takeGivenUp('n1029')).toBe(0);
  });
});
