// The parts of cluster services on their own: the forwarding decider, relays, the relay inbox, the directory, node messages.
import { describe, expect, it } from 'vitest';
import { ClientDirectory, reporterOf } from '../../src/cluster/client-directory.js';
import { ClusterDecider, type DecisionLink } from '../../src/cluster/cluster-decider.js';
import { heartbeatOf } from '../../src/cluster/cluster-inbound.js';
import { EventRelay } from '../../src/cluster/event-relay.js';
import { checkNodeMessage, type NodeMessage } from '../../src/cluster/node-messages.js';
import { RelayInbox } from '../../src/cluster/relay-inbox.js';
import type { EventConsumer, EventOwner } from '../../src/core/consumers.js';
import type { ConnectionDecider, ConnectionRequest, Decision } from '../../src/core/decisions.js';
import type { EventDispatcher } from '../../src/core/dispatcher.js';
import { disconnectedLine, newMessageLine } from '../../src/core/event-lines.js';
import { FakeLocalNode } from './fake-local-node.js';
import { MemoryBackplane, MemoryBus } from '../support/memory-bus.js';

const PARAMS = { headers: {}, url: '/ws/r', remote_addr: '127.0.0.1', query: {} };
const request = (id: string): ConnectionRequest => ({ id, params: PARAMS });
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** A local decider with no backend (or a fixed answer), recording cancels and shutdowns. */
class FakeLocal implements ConnectionDecider {
  cancelled: string[] = [];
  shutdowns = 0;
  constructor(private readonly answer: Decision = { accepted: false, why: 'no_backend', status: 503, reason: 'no backend connected' }) {}
  decide(_request: ConnectionRequest, done: (decision: Decision) => void): void {
    done(this.answer);
  }
  cancel(requestId: string): void {
    this.cancelled.push(requestId);
  }
  shutdown(): void {
    this.shutdowns += 1;
  }
}

/** The cluster as a ClusterDecider sees it: peers with backends, what it sent, relays by node. */
class FakeLink implements DecisionLink {
  readonly nodeId = 'me';
  sent: { to: string; message: NodeMessage }[] = [];
  sendable = true;
  readonly relay = { id: -1 } as unknown as EventConsumer;
  constructor(public peers: string[]) {}
  decidingPeers(): string[] {
    return this.peers;
  }
  send(to: string, message: NodeMessage): boolean {
    if (this.sendable) this.sent.push({ to, message });
    return this.sendable;
  }
  relayTo(): EventConsumer {
    return this.relay;
  }
}

function decideOnce(decider: ClusterDecider, id: string): { decision: Promise<Decision>; settled: () => boolean } {
  let done = false;
  const decision = new Promise<Decision>((resolve) =>
    decider.decide(request(id), (d) => {
      done = true;
      resolve(d);
    }),
  );
  return { decision, settled: () => done };
}

describe('ClusterDecider', () => {
  it('lets the local decider decide when it has a backend, without forwarding', async () => {
    const link = new FakeLink(['a']);
    const accepted: Decision = { accepted: true, clientId: 'c', roomId: 'r', metadata: {}, affinity: undefined };
    const { decision } = decideOnce(new ClusterDecider(link, new FakeLocal(accepted), 60_000), 'q1');
    expect(await decision).toBe(accepted);
    expect(link.sent).toEqual([]);
  });

  it('answers the local 503 when no node has a backend', async () => {
    const { decision } = decideOnce(new ClusterDecider(new FakeLink([]), new FakeLocal(), 60_000), 'q1');
    expect(await decision).toMatchObject({ accepted: false, why: 'no_backend', status: 503 });
  });

  it('forwards to the peer with the fewest requests in flight, and accepts with the relay to it as affinity', async () => {
    const link = new FakeLink(['a', 'b']);
    const decider = new ClusterDecider(link, new FakeLocal(), 60_000);
    const first = decideOnce(decider, 'q1');
    const second = decideOnce(decider, 'q2');
    expect(link.sent.map((s) => s.to).sort()).toEqual(['a', 'b']);
    expect(link.sent[0]?.message).toEqual({ type: 'decide', from: 'me', requestId: 'q1', params: PARAMS });
    const to = (id: string) => link.sent.find((s) => 'requestId' in s.message && s.message.requestId === id)?.to as string;
    decider.decided({ type: 'decision', from: to('q1'), requestId: 'q1', accepted: true, clientId: 'c1', roomId: 'r', metadata: { m: 1 } });
    expect(await first.decision).toEqual({ accepted: true, clientId: 'c1', roomId: 'r', metadata: { m: 1 }, affinity: link.relay });
    decider.decided({ type: 'decision', from: to('q2'), requestId: 'q2', accepted: false, why: 'rejected', status: 403, reason: 'no' });
    expect(await second.decision).toEqual({ accepted: false, why: 'rejected', status: 403, reason: 'no' });
    expect(decider.forwarding).toBe(0);
  });

  it('ignores a decision from a node it did not ask, and refuses 503 when the deciding node is lost', async () => {
    const link = new FakeLink(['a']);
    const decider = new ClusterDecider(link, new FakeLocal(), 60_000);
    const { decision, settled } = decideOnce(decider, 'q1');
    decider.decided({ type: 'decision', from: 'intruder', requestId: 'q1', accepted: true, clientId: 'c', roomId: 'r', metadata: {} });
    await nextTurn();
    expect(settled()).toBe(false);
    decider.nodeLost('a');
    expect(await decision).toEqual({ accepted: false, why: 'backend_lost', status: 503, reason: 'broker lost while deciding' });
  });

  it('refuses 504 when no answer comes in time, and tells the deciding node', async () => {
    const link = new FakeLink(['a']);
    const { decision } = decideOnce(new ClusterDecider(link, new FakeLocal(), 20), 'q1');
    expect(await decision).toMatchObject({ accepted: false, why: 'timeout', status: 504 });
    expect(link.sent.at(-1)).toEqual({ to: 'a', message: { type: 'cancel', from: 'me', requestId: 'q1' } });
  });

  it('passes cancel on (to the deciding node, or to the local decider), and a late decision finds nothing', async () => {
    const link = new FakeLink(['a']);
    const local = new FakeLocal();
    const decider = new ClusterDecider(link, local, 60_000);
    const { settled } = decideOnce(decider, 'q1');
    decider.cancel('q1');
    expect(link.sent.at(-1)?.message).toEqual({ type: 'cancel', from: 'me', requestId: 'q1' });
    decider.decided({ type: 'decision', from: 'a', requestId: 'q1', accepted: true, clientId: 'c', roomId: 'r', metadata: {} });
    decider.cancel('q-local');
    await nextTurn();
    expect(settled()).toBe(false);
    expect(local.cancelled).toEqual(['q-local']);
  });

  it('refuses what it forwarded with 503 on shutdown, and shuts the local decider down', async () => {
    const link = new FakeLink(['a']);
    const local = new FakeLocal();
    const decider = new ClusterDecider(link, local, 60_000);
    const { decision } = decideOnce(decider, 'q1');
    decider.shutdown();
    expect(await decision).toMatchObject({ accepted: false, why: 'shutting_down', status: 503 });
    expect(local.shutdowns).toBe(1);
  });

  it('refuses 503 at once when the request cannot be sent', async () => {
    const link = new FakeLink(['a']);
    link.sendable = false;
    const { decision } = decideOnce(new ClusterDecider(link, new FakeLocal(), 60_000), 'q1');
    expect(await decision).toMatchObject({ accepted: false, status: 503 });
  });
});

describe('EventRelay', () => {
  function setup(sendable = () => true) {
    const messages: { to: string; message: NodeMessage }[] = [];
    const report = { written: [] as number[], lost: [] as EventConsumer[], readies: 0 };
    const dispatcher: EventDispatcher = {
      send: () => 'sent',
      ready: () => void (report.readies += 1),
      written: (_consumer, count) => void report.written.push(count),
      lost: (consumer) => void report.lost.push(consumer),
    };
    const relay = new EventRelay({
      nodeId: 'me',
      send: (to, message) => {
        if (!sendable()) return false;
        messages.push({ to, message });
        return true;
      },
    });
    relay.bind(dispatcher);
    return { relay, messages, report };
  }

  it('opens a relay per peer with backends, and sends one turn of events as one message, acknowledged on publish', async () => {
    const { relay, messages, report } = setup();
    expect(relay.pick()).toBeUndefined();
    relay.backends('a', 2);
    expect(report.readies).toBe(1);
    relay.backends('a', 3); // still open: nothing changes
    expect(report.readies).toBe(1);
    const consumer = relay.pick() as EventConsumer;
    expect(consumer.alive).toBe(true);
    expect(consumer.id).toBeLessThan(0);
    for (let i = 1; i <= 3; i += 1) consumer.sendEvent(`line${i}\n`, `c${i}`);
    expect(consumer.bufferedBytes).toBeGreaterThan(0);
    await nextTurn();
    expect(messages).toEqual([{ to: 'a', message: { type: 'events', from: 'me', clients: ['c1', 'c2', 'c3'], lines: ['line1\n', 'line2\n', 'line3\n'] } }]);
    expect(report.written).toEqual([3]);
    expect(consumer.bufferedBytes).toBe(0);
  });

  it('sends lines without their newline to a peer that closes them, and whole to one that does not say so', async () => {
    const { relay, messages } = setup();
    expect(heartbeatOf('me', 1, false, 7)).toMatchObject({ answers: true, bareLines: true, epoch: 7 });
    relay.backends('new', 1, { bareLines: true });
    relay.backends('old', 1);
    (relay.relayTo('new') as EventConsumer).sendEvent('{"a":1}\n', 'c1');
    (relay.relayTo('old') as EventConsumer).sendEvent('{"a":1}\n', 'c1');
    await nextTurn();
    expect(messages.map((m) => [m.to, (m.message as { lines: string[] }).lines])).toEqual([
      ['new', ['{"a":1}']],
      ['old', ['{"a":1}\n']],
    ]);
    // A heartbeat of the open relay's peer that no longer says so: lines keep their newline again.
    relay.backends('new', 1);
    (relay.relayTo('new') as EventConsumer).sendEvent('{"a":2}\n', 'c1');
    await nextTurn();
    expect((messages[2]?.message as { lines: string[] }).lines).toEqual(['{"a":2}\n']);
  });

  it('retires a relay when its peer has no backend any more or is lost: what it held goes back to the dispatcher', () => {
    const { relay, report } = setup();
    relay.backends('a', 1);
    relay.backends('b', 1);
    const a = relay.relayTo('a') as EventConsumer;
    relay.backends('a', 0);
    expect(a.alive).toBe(false);
    expect(a.sendEvent('x\n', 'c')).toBe(false);
    relay.nodeLost('b');
    expect(report.lost).toHaveLength(2);
    expect(relay.size).toBe(0);
  });

  it('retires a relay whose publish fails, and opens a new one on the next heartbeat', async () => {
    let up = false;
    const { relay, report } = setup(() => up);
    relay.backends('a', 1);
    const first = relay.pick() as EventConsumer;
    first.sendEvent('x\n', 'c');
    await nextTurn();
    expect(first.alive).toBe(false);
    expect(report.lost).toEqual([first]);
    expect(relay.pick()).toBeUndefined();
    up = true;
    relay.backends('a', 1);
    expect(relay.pick()).not.toBe(first);
    expect(relay.size).toBe(1);
  });
});

describe('RelayInbox', () => {
  const sink = () => {
    const sent: { owner: EventOwner; line: string }[] = [];
    const dispatcher: EventDispatcher = { send: (owner, line) => (sent.push({ owner, line }), 'sent'), ready: () => undefined, written: () => undefined, lost: () => undefined };
    return { sent, dispatcher };
  };
  const message = (id: string) => newMessageLine('hi', JSON.stringify({ client_id: id }), false);
  const gone = (id: string) => disconnectedLine(JSON.stringify({ client_id: id }), 1000, '');

  it('gives each remote client one owner (keeping the accepting backend) until its disconnected passes', () => {
    const { sent, dispatcher } = sink();
    let evicted = 0;
    const inbox = new RelayInbox(10, () => (evicted += 1), () => undefined, () => undefined);
    const backend = { id: 7 } as unknown as EventConsumer;
    inbox.accepted('n1', 'c1', backend);
    inbox.receive(dispatcher, 'n1', ['c1', 'c2', 'c1'], [message('c1'), message('c2'), gone('c1')]);
    expect(sent.map((s) => s.owner.id)).toEqual(['c1', 'c2', 'c1']);
    expect(sent[0]?.owner).toBe(sent[2]?.owner);
    expect(sent[0]?.owner.affinity).toBe(backend);
    expect(inbox.size).toBe(1); // c1 forgotten after its disconnected
    inbox.receive(dispatcher, 'n2', ['c2'], [message('c2')]);
    expect(sent[3]?.owner).not.toBe(sent[1]?.owner); // same id on another node: another owner
    inbox.forgetNode('n1');
    expect(inbox.size).toBe(1);
    expect(evicted).toBe(0);
  });

  it('closes a line relayed without its newline, and leaves a closed one as it came', () => {
    const { sent, dispatcher } = sink();
    const inbox = new RelayInbox(10, () => undefined, () => undefined, () => undefined);
    const closed = message('c1');
    inbox.receive(dispatcher, 'n1', ['c1', 'c1'], [closed.slice(0, -1), closed]);
    expect(closed.endsWith('\n')).toBe(true);
    expect(sent.map((s) => s.line)).toEqual([closed, closed]);
  });

  it('forgets the oldest owner past its bound, and says so', () => {
    const { dispatcher } = sink();
    let evicted = 0;
    const inbox = new RelayInbox(2, () => (evicted += 1), () => undefined, () => undefined);
    inbox.receive(dispatcher, 'n', ['a', 'b', 'c'], [message('a'), message('b'), message('c')]);
    expect(inbox.size).toBe(2);
    expect(evicted).toBe(1);
    expect(inbox.take('n', 'a')).toBeUndefined();
    expect(inbox.take('n', 'c')?.id).toBe('c');
  });
});

describe('ClientDirectory and the reporter of a lost node', () => {
  it('keeps other nodes\u2019 clients by node, within its bound', () => {
    let overflows = 0;
    const directory = new ClientDirectory(2, () => (overflows += 1));
    directory.attached('n1', { clientId: 'a', roomId: 'r', metadata: {} });
    directory.attached('n1', { clientId: 'a', roomId: 'r2', metadata: { v: 2 } }); // replaces
    directory.attached('n2', { clientId: 'b', roomId: 'r', metadata: {} });
    directory.attached('n2', { clientId: 'c', roomId: 'r', metadata: {} });
    expect(directory.size).toBe(2);
    expect(overflows).toBe(1);
    directory.detached('n2', 'b');
    expect(directory.take('n1')).toEqual([{ clientId: 'a', roomId: 'r2', metadata: { v: 2 } }]);
    expect(directory.take('n1')).toEqual([]);
    expect(directory.size).toBe(0);
  });

  it('picks the smallest id among the nodes with backends', () => {
    expect(reporterOf('b', true, ['c', 'a'])).toBe('a');
    expect(reporterOf('a', false, ['c', 'b'])).toBe('b');
    expect(reporterOf('a', true, [])).toBe('a');
    expect(reporterOf('a', false, [])).toBeUndefined();
  });
});

describe('node-addressed messages', () => {
  it('are checked before use', () => {
    expect(checkNodeMessage({ type: 'decide', from: 'n', requestId: 'q', params: PARAMS })).toBe('ok');
    expect(checkNodeMessage({ type: 'decide', from: 'n', requestId: 'q', params: { url: 1 } })).toBe('malformed');
    expect(checkNodeMessage({ type: 'decision', from: 'n', requestId: 'q', accepted: true, clientId: 'c', roomId: 'r', metadata: {} })).toBe('ok');
    expect(checkNodeMessage({ type: 'decision', from: 'n', requestId: 'q', accepted: true, clientId: '', roomId: 'r', metadata: {} })).toBe('malformed');
    expect(checkNodeMessage({ type: 'decision', from: 'n', requestId: 'q', accepted: false, why: 'rejected', status: 403, reason: '' })).toBe('ok');
    expect(checkNodeMessage({ type: 'decision', from: 'n', requestId: 'q', accepted: false, why: 'toString', status: 403, reason: '' })).toBe('malformed');
    expect(checkNodeMessage({ type: 'events', from: 'n', clients: ['a'], lines: ['x'] })).toBe('ok');
    expect(checkNodeMessage({ type: 'events', from: 'n', clients: ['a', 'b'], lines: ['x'] })).toBe('malformed');
    expect(checkNodeMessage({ type: 'events', from: 'n', clients: [1], lines: ['x'] })).toBe('malformed');
    expect(checkNodeMessage({ type: 'events', from: 'n', clients: ['a', 'b'], lines: ['x', 'y'], confirmAt: [1], confirmIds: [7] })).toBe('ok');
    expect(checkNodeMessage({ type: 'events', from: 'n', clients: ['a'], lines: ['x'], confirmAt: [1], confirmIds: [7] })).toBe('malformed');
    expect(checkNodeMessage({ type: 'events', from: 'n', clients: ['a', 'b'], lines: ['x', 'y'], confirmAt: [1, 0], confirmIds: [7, 8] })).toBe('malformed');
    expect(checkNodeMessage({ type: 'events', from: 'n', clients: ['a'], lines: ['x'], confirmAt: [0] })).toBe('malformed');
    expect(checkNodeMessage({ type: 'answers', from: 'n', ids: [7, 8], outcomes: ['queued', 'overloaded'] })).toBe('ok');
    expect(checkNodeMessage({ type: 'answers', from: 'n', ids: [7], outcomes: ['lost'] })).toBe('malformed');
    expect(checkNodeMessage({ type: 'refused', from: 'n', clients: ['a'], codes: ['dead_letter'], dropped: true })).toBe('ok');
    expect(checkNodeMessage({ type: 'refused', from: 'n', clients: ['a'], codes: ['sent'], dropped: false })).toBe('malformed');
    expect(checkNodeMessage({ type: 'refused', from: 'n', clients: ['a', 'b'], codes: ['overloaded'], dropped: false })).toBe('malformed');
    expect(checkNodeMessage({ type: 'cancel', from: 'n', requestId: 'q' })).toBe('ok');
    expect(checkNodeMessage({ type: 'done', from: 'n', requestId: 'q', ok: true })).toBe('ok');
    expect(checkNodeMessage({ type: 'later', from: 'n' })).toBe('unknown');
    expect(checkNodeMessage(null)).toBe('malformed');
  });
});

describe('ClusterBackplane announcements', () => {
  it('announces its backends in heartbeats (at once on a change) and its clients with room and metadata', async () => {
    const bus = new MemoryBus();
    const planes = [0, 1].map((i) => new MemoryBackplane(bus, { nodeId: `n${i}` }));
    for (const plane of planes) {
      const node = new FakeLocalNode();
      plane.bind(node, node);
      await plane.start();
    }
    try {
      const [a, b] = planes as [MemoryBackplane, MemoryBackplane];
      await bus.settled();
      expect(b.stats().peersWithBackends).toBe(0);
      a.backendsChanged(2);
      await bus.settled();
      expect(b.stats().peersWithBackends).toBe(1);
      a.clientAttached({ clientId: 'c', roomId: 'r', metadata: { n: 1 } });
      await bus.settled();
      expect(b.stats().directoryClients).toBe(1);
      a.clientDetached({ clientId: 'c', roomId: 'r', metadata: { n: 1 } });
      a.backendsChanged(0);
      await bus.settled();
      expect(b.stats()).toMatchObject({ directoryClients: 0, peersWithBackends: 0 });
    } finally {
      await Promise.all(planes.map((p) => p.stop()));
    }
  });
});
