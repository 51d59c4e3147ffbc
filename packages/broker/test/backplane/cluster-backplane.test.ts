// ClusterBackplane on its own: fake brokers joined by the memory bus; routing, requests, liveness, replacement.
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterBackplane } from '../../src/cluster/cluster-backplane.js';
import { REPLACED_CLOSE_CODE } from '../../src/cluster/remote-commands.js';
import type { ClusterMessage } from '../../src/cluster/cluster-messages.js';
import {
  DEFAULT_CLUSTER_HEARTBEAT_INTERVAL_MS,
  DEFAULT_CLUSTER_NODE_TIMEOUT_MS,
  DEFAULT_CLUSTER_REQUEST_TIMEOUT_MS,
  resolveClusterOptions,
  type ClusterBackplaneOptions,
} from '../../src/cluster/cluster-options.js';
import { isBrokerError } from '../../src/errors.js';
import { MemoryBackplane, MemoryBus } from '../support/memory-bus.js';
import { FakeLocalNode } from './fake-local-node.js';

/** Polls `check` until it holds; the test's own timeout is the bound, so nothing here asserts a duration. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i += 1) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`never happened: ${what}`);
}

interface Cluster {
  bus: MemoryBus;
  nodes: FakeLocalNode[];
  planes: MemoryBackplane[];
}

let running: ClusterBackplane[] = [];
afterEach(async () => {
  await Promise.all(running.map((p) => p.stop()));
  running = [];
});

/** Starts `n` fake brokers on one bus and waits until each knows the others. */
async function cluster(n: number, options: ClusterBackplaneOptions = {}): Promise<Cluster> {
  const bus = new MemoryBus();
  const nodes: FakeLocalNode[] = [];
  const planes: MemoryBackplane[] = [];
  for (let i = 0; i < n; i += 1) {
    const node = new FakeLocalNode();
    const plane = new MemoryBackplane(bus, { nodeId: `n${i}`, ...options });
    plane.bind(node, node);
    nodes.push(node);
    planes.push(plane);
    running.push(plane);
  }
  // One after the other, as brokers come up: the later ones learn the earlier ones from the initial heartbeat's answers.
  for (const plane of planes) await plane.start();
  await until(() => planes.every((p) => p.peers().length === n - 1), 'every node knows every other');
  return { bus, nodes, planes };
}

describe('ClusterBackplane deliveries', () => {
  it('delivers a room message to the members on every node once, in order, with one publish per message', async () => {
    const { bus, nodes, planes } = await cluster(3);
    nodes[0]?.add('a0', 'r').add('x0', 'other');
    nodes[1]?.add('a1', 'r');
    nodes[2]?.add('a2', 'r').add('b2', 'r');
    const before = bus.published.get('room') ?? 0;
    for (let i = 1; i <= 5; i += 1) planes[0]?.toRoom('r', `m${i}`, false);
    await bus.settled();
    const expected = ['m1', 'm2', 'm3', 'm4', 'm5'];
    expect(nodes[0]?.received('a0')).toEqual(expected);
    expect(nodes[1]?.received('a1')).toEqual(expected);
    expect(nodes[2]?.received('a2')).toEqual(expected);
    expect(nodes[2]?.received('b2')).toEqual(expected);
    expect(nodes[0]?.received('x0')).toEqual([]);
    expect((bus.published.get('room') ?? 0) - before).toBe(5);
  });

  it('carries the binary flag across nodes', async () => {
    const { bus, nodes, planes } = await cluster(2);
    nodes[1]?.add('b', 'r');
    planes[0]?.toRoom('r', 'AAEC', true);
    await bus.settled();
    expect(nodes[1]?.deliveries).toEqual([{ clientId: 'b', message: 'AAEC', binary: true }]);
  });

  it('broadcasts to every client of every node once', async () => {
    const { bus, nodes, planes } = await cluster(3);
    nodes.forEach((node, i) => node.add(`c${i}`, `room${i}`).add(`d${i}`, 'shared'));
    planes[1]?.broadcast('all', false);
    await bus.settled();
    for (const [i, node] of nodes.entries()) {
      expect(node.received(`c${i}`)).toEqual(['all']);
      expect(node.received(`d${i}`)).toEqual(['all']);
    }
  });

  it('delivers to a local connection without publishing, and to a remote one through the node holding it', async () => {
    const { bus, nodes, planes } = await cluster(3);
    nodes[0]?.add('here', 'r');
    nodes[2]?.add('there', 'r');
    planes[0]?.toConnection('here', 'local', false);
    expect(nodes[0]?.received('here')).toEqual(['local']);
    expect(bus.published.get('direct') ?? 0).toBe(0);
    planes[0]?.toConnection('there', 'remote', false);
    planes[0]?.toConnection('nobody', 'lost', false);
    await bus.settled();
    expect(nodes[2]?.received('there')).toEqual(['remote']);
    expect(nodes.flatMap((n) => n.deliveries).map((d) => d.message).sort()).toEqual(['local', 'remote']);
  });
});

describe('ClusterBackplane requests', () => {
  it('joins and leaves a client on another node, after which room messages follow', async () => {
    const { bus, nodes, planes } = await cluster(3);
    nodes[2]?.add('far', 'home');
    nodes[1]?.add('near', 'extra');
    expect(await planes[0]?.join('far', 'extra')).toBe(true);
    planes[0]?.toRoom('extra', 'e1', false);
    await bus.settled();
    expect(nodes[2]?.received('far')).toEqual(['e1']);
    expect(await planes[0]?.leave('far', 'extra')).toBe(true);
    planes[0]?.toRoom('extra', 'e2', false);
    await bus.settled();
    expect(nodes[2]?.received('far')).toEqual(['e1']);
    expect(nodes[1]?.received('near')).toEqual(['e1', 'e2']);
  });

  it('answers false when no node has the client, from the replies rather than a timeout', async () => {
    const { planes } = await cluster(3, { requestTimeoutMs: 60_000 });
    const answers = await Promise.all([planes[0]?.join('ghost', 'r'), planes[0]?.leave('ghost', 'r'), planes[0]?.disconnect('ghost', 4000, 'x')]);
    expect(answers).toEqual([false, false, false]);
    expect(planes[0]?.stats()).toMatchObject({ incompleteRequests: 0, pendingRequests: 0 });
  });

  it('disconnects a client on another node with the code and reason given', async () => {
    const { nodes, planes } = await cluster(3);
    nodes[1]?.add('kick', 'r');
    expect(await planes[2]?.disconnect('kick', 4001, 'bye')).toBe(true);
    expect(nodes[1]?.closed).toEqual([{ clientId: 'kick', code: 4001, reason: 'bye' }]);
    expect(nodes[1]?.has('kick')).toBe(false);
  });

  it('gathers room members from every node with their metadata, one entry per client', async () => {
    const { nodes, planes } = await cluster(3);
    nodes[0]?.add('m0', 'r', { n: 0 });
    nodes[1]?.add('m1', 'r', { n: 1 }).add('not', 'elsewhere');
    nodes[2]?.add('m2', 'r', { n: 2, deep: { list: [1, 2] } });
    const members = await planes[1]?.members('r');
    expect(members?.slice().sort((a, b) => a.clientId.localeCompare(b.clientId))).toEqual([
      { clientId: 'm0', metadata: { n: 0 } },
      { clientId: 'm1', metadata: { n: 1 } },
      { clientId: 'm2', metadata: { n: 2, deep: { list: [1, 2] } } },
    ]);
  });

  it('answers at once, without a promise, when the client is local or there are no peers', async () => {
    const { nodes, planes } = await cluster(1);
    nodes[0]?.add('solo', 'r', { a: 1 });
    expect(planes[0]?.join('solo', 'x')).toBe(true);
    expect(planes[0]?.join('ghost', 'x')).toBe(false);
    expect(planes[0]?.members('x')).toEqual([{ clientId: 'solo', metadata: { a: 1 } }]);
  });

  it('times out a request a live peer does not answer, leaving that peer out and counting it', async () => {
    const { bus, nodes, planes } = await cluster(3, { requestTimeoutMs: 100, nodeTimeoutMs: 60_000 });
    nodes[0]?.add('m0', 'r');
    nodes[1]?.add('m1', 'r');
    nodes[2]?.add('m2', 'r');
    bus.vanish(planes[2] as MemoryBackplane);
    const members = await planes[0]?.members('r');
    expect(members?.map((m) => m.clientId).sort()).toEqual(['m0', 'm1']);
    // Still a peer: the request ended by its timeout, not because the node was given up.
    expect(planes[0]?.peers()).toContain('n2');
    expect(planes[0]?.stats()).toMatchObject({ incompleteRequests: 1, missingReplies: 1, pendingRequests: 0 });
    expect(await planes[0]?.join('ghost', 'r')).toBe(false);
    expect(planes[0]?.stats()).toMatchObject({ incompleteRequests: 2, missingReplies: 2, pendingRequests: 0 });
  });

  it('settles pending requests on stop, and refuses new ones past maxPendingRequests', async () => {
    const { bus, nodes, planes } = await cluster(2, { requestTimeoutMs: 60_000, nodeTimeoutMs: 120_000, maxPendingRequests: 1 });
    nodes[0]?.add('m0', 'r');
    bus.vanish(planes[1] as MemoryBackplane);
    const first = planes[0]?.members('r');
    const second = planes[0]?.members('r');
    expect(await second).toEqual([{ clientId: 'm0', metadata: {} }]);
    expect(planes[0]?.stats()).toMatchObject({ pendingRequests: 1, incompleteRequests: 1 });
    await planes[0]?.stop();
    expect(await first).toEqual([{ clientId: 'm0', metadata: {} }]);
    expect(planes[0]?.stats()).toMatchObject({ pendingRequests: 0, incompleteRequests: 2 });
  });

  it('settles a request at once when its message cannot be sent', async () => {
    const node = new FakeLocalNode();
    const plane = new FailingBackplane({ nodeId: 'f', requestTimeoutMs: 60_000 });
    plane.bind(node, node);
    running.push(plane);
    await plane.start();
    plane.receive({ type: 'heartbeat', from: 'peer' });
    expect(await plane.join('ghost', 'r')).toBe(false);
    expect(plane.stats()).toMatchObject({ pendingRequests: 0, incompleteRequests: 1 });
    expect(plane.stats().publishErrors).toBeGreaterThan(0);
  });
});

describe('ClusterBackplane liveness', () => {
  // Twenty heartbeats per timeout: a busy test machine stalling the loop for a moment must not lose a live node.
  const fast = { heartbeatIntervalMs: 25, nodeTimeoutMs: 500 };

  it('gives up a node that vanishes: nodeLost, left out of members, requests no longer wait for it', async () => {
    const { bus, nodes, planes } = await cluster(3, { ...fast, requestTimeoutMs: 60_000 });
    nodes[0]?.add('m0', 'r');
    nodes[2]?.add('m2', 'r');
    bus.vanish(planes[2] as MemoryBackplane);
    // Asked while n2 still counts as alive: the answer comes when n2 is given up, not after the 60 s timeout.
    const pending = planes[0]?.members('r');
    await until(() => nodes[0]?.lostNodes.includes('n2') === true && nodes[1]?.lostNodes.includes('n2') === true, 'n2 lost');
    expect((await pending)?.map((m) => m.clientId)).toEqual(['m0']);
    expect(planes[0]?.peers()).toEqual(['n1']);
    expect(planes[0]?.stats()).toMatchObject({ nodesLost: 1, incompleteRequests: 0, pendingRequests: 0 });
    expect(await planes[0]?.disconnect('m2', 4000, 'x')).toBe(false);
    expect(planes[0]?.stats().incompleteRequests).toBe(0);
  });

  it('keeps live nodes through many heartbeat intervals', async () => {
    const { bus, planes } = await cluster(3, fast);
    const sent = () => bus.published.get('heartbeat') ?? 0;
    const start = sent();
    // Well past the node timeout, counted in heartbeats rather than in milliseconds.
    await until(() => sent() - start >= 3 * 25, 'twenty-five heartbeats per node');
    expect(planes.map((p) => p.peers().length)).toEqual([2, 2, 2]);
    expect(planes.map((p) => p.stats().nodesLost)).toEqual([0, 0, 0]);
  });

  it('drops a node that stops gracefully at once (goodbye), long before its timeout', async () => {
    const { bus, nodes, planes } = await cluster(3, { nodeTimeoutMs: 60_000 });
    await planes[1]?.stop();
    await bus.settled();
    expect(nodes[0]?.lostNodes).toEqual(['n1']);
    expect(nodes[2]?.lostNodes).toEqual(['n1']);
    expect(planes[0]?.peers()).toEqual(['n2']);
    expect(planes[1]?.state).toBe('stopped');
  });

  it('learns a node that starts later', async () => {
    const { bus, nodes, planes } = await cluster(2);
    const late = new FakeLocalNode().add('late-client', 'r');
    const plane = new MemoryBackplane(bus, { nodeId: 'late' });
    plane.bind(late, late);
    running.push(plane);
    await plane.start();
    await until(() => plane.peers().length === 2 && planes.every((p) => p.peers().includes('late')), 'late node known');
    nodes[0]?.add('early', 'r');
    expect((await planes[0]?.members('r'))?.map((m) => m.clientId).sort()).toEqual(['early', 'late-client']);
  });
});

describe('ClusterBackplane one client id, one connection', () => {
  it('closes an older connection with the same client id on another node with 4900 replaced', async () => {
    const { bus, nodes, planes } = await cluster(3);
    nodes[1]?.add('dup', 'r');
    nodes[2]?.add('other', 'r');
    nodes[0]?.add('dup', 'r');
    planes[0]?.clientAttached({ clientId: 'dup', roomId: 'r', metadata: {} });
    await bus.settled();
    expect(nodes[1]?.closed).toEqual([{ clientId: 'dup', code: REPLACED_CLOSE_CODE, reason: 'replaced' }]);
    expect(nodes[0]?.has('dup')).toBe(true);
    expect(nodes[2]?.closed).toEqual([]);
  });
});

describe('ClusterBackplane guards', () => {
  it('ignores its own messages, counts unknown types and malformed messages without acting on them', async () => {
    const { nodes, planes } = await cluster(2);
    nodes[0]?.add('c', 'r');
    const plane = planes[0] as MemoryBackplane;
    plane.receiveMessage({ type: 'room', from: 'n0', room: 'r', message: 'echo', binary: false });
    plane.receiveMessage({ type: 'from-the-future', from: 'n1' });
    for (const bad of [null, 'text', 42, { type: 'room', room: 'r', message: 'x', binary: false }, { type: 'room', from: 'n1', room: 'r', message: 7, binary: false }]) {
      plane.receiveMessage(bad);
    }
    plane.receiveMessage({ type: 'direct', from: 'n1', clientId: 'c', message: 'x' });
    plane.receiveMessage({ type: 'attached', from: 'n1' });
    plane.receiveResponse({ type: 'members', from: 'n1', requestId: 'n0:1', members: 'nope' });
    plane.receiveResponse(undefined);
    expect(nodes[0]?.deliveries).toEqual([]);
    expect(nodes[0]?.closed).toEqual([]);
    expect(plane.stats()).toMatchObject({ unknownMessages: 1, malformedMessages: 9 });
  });

  it('leaves out member entries a peer sent without an id or with non-object metadata', async () => {
    const node = new FakeLocalNode().add('good', 'r');
    const plane = new RecordingBackplane(new MemoryBus(), { nodeId: 'n0', requestTimeoutMs: 60_000 });
    plane.bind(node, node);
    running.push(plane);
    await plane.start();
    plane.receiveMessage({ type: 'heartbeat', from: 'n1' });
    const pending = plane.members('r');
    const request = plane.sent.find((m) => m.type === 'members');
    const requestId = request !== undefined && 'requestId' in request ? request.requestId : 'none';
    plane.receiveResponse({ type: 'members', from: 'n1', requestId, members: [{ clientId: 'remote', metadata: { a: 1 } }, { metadata: {} }, { clientId: 'x', metadata: 'no' }, null] });
    expect(await pending).toEqual([
      { clientId: 'good', metadata: {} },
      { clientId: 'remote', metadata: { a: 1 } },
    ]);
  });

  it('closes the transport when stopped while it was opening', async () => {
    const bus = new MemoryBus();
    const node = new FakeLocalNode();
    const plane = new MemoryBackplane(bus, { nodeId: 'slow' });
    plane.bind(node, node);
    const starting = plane.start();
    expect(plane.state).toBe('starting');
    await plane.stop();
    await starting;
    expect(plane.state).toBe('stopped');
    expect(bus.has(plane)).toBe(false);
  });

  it('reports health up by default and what the transport sets', async () => {
    const { planes } = await cluster(1);
    const plane = planes[0] as MemoryBackplane;
    expect(plane.health()).toEqual({ up: true });
    plane.setLink(false, 'bus unplugged');
    expect(plane.health()).toEqual({ up: false, reason: 'bus unplugged' });
    plane.setLink(true);
    expect(plane.health()).toEqual({ up: true });
  });

  it('refuses to start before bind, to start twice, and to serve two brokers', async () => {
    const bus = new MemoryBus();
    const plane = new MemoryBackplane(bus);
    await expect(plane.start()).rejects.toMatchObject({ code: 'invalid_state' });
    const node = new FakeLocalNode();
    plane.bind(node, node);
    expect(() => plane.bind(node, node)).toThrow(/one broker/);
    running.push(plane);
    await plane.start();
    await expect(plane.start()).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('resolves option defaults and refuses impossible ones', () => {
    const resolved = resolveClusterOptions();
    expect(resolved).toMatchObject({
      heartbeatIntervalMs: DEFAULT_CLUSTER_HEARTBEAT_INTERVAL_MS,
      nodeTimeoutMs: DEFAULT_CLUSTER_NODE_TIMEOUT_MS,
      requestTimeoutMs: DEFAULT_CLUSTER_REQUEST_TIMEOUT_MS,
    });
    expect(resolved.nodeId).toMatch(/^[0-9a-f]{16}$/);
    expect(resolveClusterOptions().nodeId).not.toBe(resolved.nodeId);
    const bad = (options: ClusterBackplaneOptions) => {
      try {
        resolveClusterOptions(options);
      } catch (error) {
        return isBrokerError(error) && error.name === 'OptionsError' ? error.option : 'other error';
      }
      return 'accepted';
    };
    expect(bad({ heartbeatIntervalMs: 1000, nodeTimeoutMs: 1000 })).toBe('nodeTimeoutMs');
    expect(bad({ requestTimeoutMs: 0 })).toBe('requestTimeoutMs');
    expect(bad({ heartbeatIntervalMs: 1.5 })).toBe('heartbeatIntervalMs');
    expect(bad({ nodeId: '' })).toBe('nodeId');
    expect(bad({ maxPendingRequests: -1 })).toBe('maxPendingRequests');
  });
});

/** The memory transport, recording what this node published. */
class RecordingBackplane extends MemoryBackplane {
  readonly sent: ClusterMessage[] = [];

  protected override doPublish(message: ClusterMessage): void {
    this.sent.push(message);
    super.doPublish(message);
  }
}

/** A transport whose every send throws, as a broken link would. */
class FailingBackplane extends ClusterBackplane {
  constructor(options: ClusterBackplaneOptions) {
    super(options);
  }

  receive(message: ClusterMessage): void {
    this.onMessage(message);
  }

  protected doPublish(): void {
    throw new Error('link down');
  }

  protected doPublishResponse(): void {
    throw new Error('link down');
  }
}
