// Runs the Backplane contract against every implementation: the default (one broker) and a cluster of three on the memory bus.
import { waitFor } from '../support/harness.js';
import { MemoryBackplane, MemoryBus } from '../support/memory-bus.js';
import { runBackplaneContract } from './contract.js';

runBackplaneContract({
  name: 'LocalBackplane (createBroker default)',
  nodes: 1,
  makeBackplanes: () => ({ backplanes: [undefined] }),
});

runBackplaneContract({
  name: 'ClusterBackplane over the memory bus',
  nodes: 3,
  makeBackplanes: () => {
    const bus = new MemoryBus();
    // Fast heartbeats so a vanished node is given up within the test (twenty per timeout, so a stalled
    // loop loses no live node); a request timeout longer than the test timeout, so a request that
    // still waited for a vanished node would fail the test.
    const planes = [0, 1, 2].map(
      (i) => new MemoryBackplane(bus, { nodeId: `broker${i}`, heartbeatIntervalMs: 50, nodeTimeoutMs: 1000, requestTimeoutMs: 60_000 }),
    );
    return {
      backplanes: planes,
      ready: () => waitFor(() => planes.every((p) => p.peers().length === 2), 'every broker knows the other two').then(() => undefined),
      vanish: (index) => bus.vanish(planes[index] as MemoryBackplane),
    };
  },
});
