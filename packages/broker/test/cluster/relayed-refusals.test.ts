// Refusals across brokers, with two strands-broker processes in cluster mode on a real
// redis-server: clients on broker B, whose only backend is on broker A, send more than A keeps
// under `--queue-overflow reject`; every message A refuses is refused to its sender on B (a
// strands.v1 client and a raw one alike), so that sent = handled + refused, exactly; a confirmed
// send from B is answered with what A did with it (accepted, queued, refused).
import { confirmFrame } from '@strands/protocol/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { RawBackend, acceptAll, waitFor, type TestClient } from '../support/harness.js';
import { killAll, openClient, startBrokerProcess, type BrokerProcess } from '../durable/broker-processes.js';
import { readMetric } from '../support/read-metric.js';

let redis: TestRedis;
const open: { close(): void }[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  for (const socket of open.splice(0)) socket.close();
  await killAll();
});
afterAll(async () => {
  await redis?.stop();
});

const QUEUE = 5;
const UNACKED = 4;

function startClusterBroker(prefix: string, more: readonly string[] = []): Promise<BrokerProcess> {
  return startBrokerProcess([
    ...more,
    '--cluster',
    redis.url,
    '--cluster-prefix',
    prefix,
    '--queue-size',
    String(QUEUE),
    '--queue-overflow',
    'reject',
    '--max-unacked-events',
    String(UNACKED),
  ]);
}

const refusals = (client: TestClient) => client.messages.filter((m) => m.startsWith('{"strands":"refused"'));

/** Brokers A and B on `prefix`, A's one backend acknowledging by id (`ack`), and clients `ids` on B (`v1…` speak strands.v1). */
async function clusterWithClientsOnB(prefix: string, ids: readonly string[], more: readonly string[] = []) {
  const a = await startClusterBroker(prefix, more);
  const b = await startClusterBroker(prefix, more);
  const backend = await RawBackend.connect(a.tcpPort, acceptAll);
  open.push(backend);
  backend.send('hello', { name: 'acking', protocol_version: 1, capabilities: ['ack'] });
  await backend.waitFrame((f) => f.action === 'hello_reply', 'hello_reply');
  // Until B heard of A's backend it refuses clients, a strands.v1 one after the upgrade (close 4503).
  await waitFor(async () => (await readMetric(b.wsUrl, 'strands_cluster_peers_with_backends')) === 1, "B knows A's backend");
  const clients: TestClient[] = [];
  for (const id of ids) {
    const client = await openClient(`${b.wsUrl}/ws/room?id=${id}`, id.startsWith('v1') ? ['strands.v1'] : []);
    open.push(client);
    clients.push(client);
  }
  await waitFor(() => backend.of('new_connection').length === ids.length, 'the connections relayed to A');
  backend.send('ack', { ids: backend.of('new_connection').map((f) => f.params.event_id) });
  return { a, b, backend, clients };
}


describe('refusals of relayed messages (two real brokers, real Redis)', () => {
  it('tells each sender on B of every message A refused under reject: sent = handled + refused', async () => {
    // A's backend acknowledges nothing past the clients' connections, until told: A holds UNACKED
    // messages at it and QUEUE waiting, and refuses the rest.
    const ids = ['v1', 'raw'];
    const { a, backend, clients } = await clusterWithClientsOnB('refusals', ids);

    const SENT = 20;
    for (let i = 0; i < SENT; i += 1) for (const [n, client] of clients.entries()) client.send(`${ids[n]}:${i}`);
    const refused = 2 * SENT - UNACKED - QUEUE;
    await waitFor(() => clients.reduce((sum, c) => sum + refusals(c).length, 0) === refused, 'every refusal told on B');
    expect(await readMetric(a.wsUrl, 'strands_queue_refused_total')).toBe(refused);
    expect(JSON.parse(refusals(clients[0]!)[0]!)).toEqual({ strands: 'refused', code: 'overloaded', message: 'queue full: message refused' });

    // Now the backend acknowledges all it gets: the kept messages reach it, nothing more.
    await waitFor(() => {
      const messages = backend.of('new_message');
      backend.send('ack', { ids: messages.map((f) => f.params.event_id) });
      return messages.length === UNACKED + QUEUE;
    }, 'the kept messages handled');
    for (const [n, client] of clients.entries()) {
      const handled = backend.of('new_message').filter((f) => String(f.params.message).startsWith(`${ids[n]}:`));
      expect(handled.length + refusals(client).length, ids[n]).toBe(SENT);
      // Refused are the newest: what was kept is each client's first messages, in order.
      expect(handled.map((f) => f.params.message)).toEqual(Array.from({ length: handled.length }, (_, i) => `${ids[n]}:${i}`));
    }
  });

  it('tells a strands.v1 sender on B of its message A set aside as a dead letter', async () => {
    const { a, backend, clients } = await clusterWithClientsOnB('dead-letters', ['v1'], ['--ack-timeout-ms', '200', '--max-deliveries', '1']);
    clients[0]!.send('never acknowledged');
    await waitFor(() => backend.of('new_message').length === 1, 'the message at A');
    expect(JSON.parse(await clients[0]!.waitMessage((m) => m.startsWith('{"strands":"refused"')))).toEqual({
      strands: 'refused',
      code: 'dead_letter',
      message: 'no backend acknowledged the message: set aside as a dead letter',
    });
    expect(await readMetric(a.wsUrl, 'strands_dead_letters_total')).toBe(1);
  });

  it("answers a confirmed send from B with what A did with it: accepted, queued (once in A's Redis queue), refused", async () => {
    const { backend, clients } = await clusterWithClientsOnB('confirms', ['v1c']);
    const client = clients[0]!;
    const SENT = UNACKED + QUEUE + 3;
    for (let id = 1; id <= SENT; id += 1) {
      client.send(confirmFrame(id));
      client.send(`c${id}`);
    }
    const replies = await waitFor(() => {
      const all = client.messages.filter((m) => m.startsWith('{"strands":"accepted"') || m.startsWith('{"strands":"refused"')).map((m) => JSON.parse(m));
      return all.length >= SENT ? all : undefined;
    }, 'an answer for each confirmed send');
    const byId = (id: number) => replies.find((r) => r.id === id);
    for (let id = 1; id <= UNACKED; id += 1) expect(byId(id), `c${id}`).toEqual({ strands: 'accepted', id });
    for (let id = UNACKED + 1; id <= UNACKED + QUEUE; id += 1) expect(byId(id), `c${id}`).toEqual({ strands: 'accepted', id, queued: true });
    for (let id = UNACKED + QUEUE + 1; id <= SENT; id += 1) expect(byId(id), `c${id}`).toMatchObject({ strands: 'refused', id, code: 'overloaded' });
    // One answer each, nothing else (no refusal without an id besides).
    expect(replies).toHaveLength(SENT);
    expect(backend.of('new_message').map((f) => f.params.message)).toEqual(Array.from({ length: UNACKED }, (_, i) => `c${i + 1}`));
  });
});
