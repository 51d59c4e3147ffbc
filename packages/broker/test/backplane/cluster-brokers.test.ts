// Three real brokers on the memory bus, real clients and TCP backends: forwarded connection requests, relayed events, lost nodes.
import { afterEach, describe, expect, it } from 'vitest';
import { startBroker, waitFor, type Decide, type Harness, type RawBackend, type TestClient, type WireFrame } from '../support/harness.js';
import { MemoryBackplane, MemoryBus } from '../support/memory-bus.js';

interface Cluster {
  bus: MemoryBus;
  planes: MemoryBackplane[];
  brokers: Harness[];
  /** Indexes of the brokers given a backend. */
  withBackends: Set<number>;
}

let brokers: Harness[] = [];
afterEach(async () => {
  await Promise.all(brokers.map((b) => b.cleanup()));
  brokers = [];
});

/** Three brokers on one bus, without backends, each knowing the other two. */
async function cluster(): Promise<Cluster> {
  const bus = new MemoryBus();
  // Twenty heartbeats per node timeout, so a stalled machine loses no live node.
  const planes = [0, 1, 2].map((i) => new MemoryBackplane(bus, { nodeId: `broker${i}`, heartbeatIntervalMs: 50, nodeTimeoutMs: 1000 }));
  const started: Harness[] = [];
  for (const backplane of planes) {
    const harness = await startBroker({ backplane });
    started.push(harness);
    brokers.push(harness);
  }
  await waitFor(() => planes.every((p) => p.peers().length === 2), 'every broker knows the other two');
  return { bus, planes, brokers: started, withBackends: new Set() };
}

/** Connects a backend to broker `i` and waits until every other broker knows it has one. */
async function backendAt(c: Cluster, i: number, decide?: Decide): Promise<RawBackend> {
  const backend = await (c.brokers[i] as Harness).backend(decide);
  await backend.hello();
  c.withBackends.add(i);
  const expected = (j: number) => c.withBackends.size - (c.withBackends.has(j) ? 1 : 0);
  await waitFor(() => c.planes.every((p, j) => p.stats().peersWithBackends === expected(j)), 'the backend announced');
  return backend;
}

const disconnectedOf = (backends: RawBackend[], ids: readonly string[]): WireFrame[] =>
  backends.flatMap((b) => b.of('disconnected')).filter((f) => ids.includes(f.params.context?.client_id));

/**
 * Waits until each of `backends` received a `new_connection` of a fresh client of its own broker:
 * whatever that broker sent the backend before (reported disconnections) has arrived by then.
 */
async function barrier(c: Cluster, at: number[], backends: RawBackend[], name: string): Promise<void> {
  for (const [k, i] of at.entries()) {
    const id = `${name}-${i}`;
    await (c.brokers[i] as Harness).client(`/ws/barrier?id=${id}`);
    await (backends[k] as RawBackend).waitFrame((f) => f.action === 'new_connection' && f.params.context.client_id === id, `barrier ${id}`);
  }
}

describe('a cluster of brokers with backends on some of them', () => {
  it('accepts a client on a broker without a backend through another broker: request, connection and 200 messages in order', async () => {
    const c = await cluster();
    const backend = await backendAt(c, 0);
    const client = await (c.brokers[1] as Harness).client('/ws/chat?id=far');
    const request = backend.of('connection_request')[0];
    expect(request?.params).toMatchObject({ url: '/ws/chat', query: { id: ['far'] } });
    const connected = await backend.waitFrame((f) => f.action === 'new_connection', 'new_connection');
    expect(connected.params.context).toEqual({ client_id: 'far', room_id: 'chat', metadata: { url: '/ws/chat' } });

    const sent = Array.from({ length: 200 }, (_, i) => `m${i + 1}`);
    for (const message of sent) client.send(message);
    await waitFor(() => backend.of('new_message').length >= 200, '200 messages at the backend');
    const received = backend.of('new_message');
    expect(received.map((f) => f.params.message)).toEqual(sent);
    expect(received.every((f) => f.params.context.client_id === 'far')).toBe(true);

    // The backend answers through the cluster as any command, and hears the client leave.
    backend.send('message_to_connection', { conn_id: 'far', message: 'hello there' });
    await client.waitMessage('hello there');
    client.close();
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected');
    expect(gone.params).toMatchObject({ context: { client_id: 'far' }, code: 1005 });
    expect(c.planes[0]?.stats().relayedClients).toBe(0);
  });

  it('refuses 503 when no broker has a backend', async () => {
    const c = await cluster();
    const result = await (c.brokers[1] as Harness).attempt('/ws/chat?id=nobody');
    expect(result).toMatchObject({ kind: 'http', status: 503 });
  });

  it('refuses 503 when the deciding broker vanishes while its backend decides', async () => {
    const c = await cluster();
    const silent = await backendAt(c, 0, () => null);
    const pending = (c.brokers[1] as Harness).attempt('/ws/chat?id=waits');
    await silent.waitFrame((f) => f.action === 'connection_request', 'connection_request');
    c.bus.vanish(c.planes[0] as MemoryBackplane);
    const result = await pending;
    expect(result).toMatchObject({ kind: 'http', status: 503, body: 'broker lost while deciding' });
  });

  it('reports each client of a vanished broker disconnected (1006) to the backends once, not once per survivor', async () => {
    const c = await cluster();
    const backends = [await backendAt(c, 0), await backendAt(c, 1)];
    const ids = ['d1', 'd2', 'd3'];
    const clients: TestClient[] = [];
    for (const id of ids) clients.push(await (c.brokers[2] as Harness).client(`/ws/doomed?id=${id}`));
    await waitFor(() => ids.every((id) => backends.some((b) => b.of('new_connection').some((f) => f.params.context.client_id === id))), 'three new_connection');
    await waitFor(() => c.planes[0]?.stats().directoryClients === 3 && c.planes[1]?.stats().directoryClients === 3, 'the directories');

    c.bus.vanish(c.planes[2] as MemoryBackplane);
    await waitFor(() => c.planes[0]?.peers().length === 1 && c.planes[1]?.peers().length === 1, 'broker2 lost by both survivors');
    expect(c.planes.slice(0, 2).map((p) => p.stats().directoryClients)).toEqual([0, 0]);
    await barrier(c, [0, 1], backends, 'after-loss');
    const reported = disconnectedOf(backends, ids);
    expect(reported.map((f) => f.params.context.client_id).sort()).toEqual(ids);
    for (const frame of reported) {
      expect(frame.params).toMatchObject({ code: 1006, reason: 'broker broker2 lost', context: { room_id: 'doomed', metadata: { url: '/ws/doomed' } } });
    }
    expect(c.planes.slice(0, 2).map((p) => p.stats().lostClientsReported)).toEqual([3, 0]);
    expect(clients.every((client) => !client.closed)).toBe(true); // broker2 runs on, unaware
  });

  it('leaves the clients of a broker that stops gracefully to its own disconnected events: no duplicates', async () => {
    const c = await cluster();
    const backends = [await backendAt(c, 0), await backendAt(c, 1)];
    const ids = ['g1', 'g2', 'g3'];
    for (const id of ids) await (c.brokers[2] as Harness).client(`/ws/leaving?id=${id}`);
    await waitFor(() => ids.every((id) => backends.some((b) => b.of('new_connection').some((f) => f.params.context.client_id === id))), 'three new_connection');

    await (c.brokers[2] as Harness).broker.stop();
    await waitFor(() => c.planes[0]?.peers().length === 1 && c.planes[1]?.peers().length === 1, 'broker2 gone from both survivors');
    await barrier(c, [0, 1], backends, 'after-stop');
    const reported = disconnectedOf(backends, ids);
    expect(reported.map((f) => f.params.context.client_id).sort()).toEqual(ids);
    for (const frame of reported) expect(frame.params).toMatchObject({ code: 1001, reason: 'broker shutting down' });
    expect(c.planes.map((p) => p.stats().lostClientsReported)).toEqual([0, 0, 0]);
  });
});
