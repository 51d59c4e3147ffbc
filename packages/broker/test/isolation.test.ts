// Isolation between backends (issue 15): a stuck backend's backlog and its redeliveries never
// cost the clients of a healthy backend a message. The stuck one holds only its share of the
// unacknowledged events, what it owes does not count against the queue's bound, and a client
// with nothing waiting does not queue behind the stuck backend's clients.
import { afterEach, describe, expect, it } from 'vitest';
import { RawBackend, startBroker, waitFor, type Harness, type TestClient, type WireFrame } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

const EVENTS = ['new_connection', 'new_message', 'disconnected', 'error'];
const isEvent = (f: WireFrame) => EVENTS.includes(f.action);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function helloAck(backend: RawBackend): Promise<void> {
  const id = backend.send('hello', { name: 'acking', protocol_version: 1, capabilities: ['ack'] });
  await backend.waitFrame((f) => f.action === 'hello_reply' && f.request_id === id, 'hello_reply');
}

/** Acknowledges every event as soon as it arrives. */
function ackEverything(backend: RawBackend): void {
  const acked = new Set<WireFrame>();
  backend.socket.on('data', () => {
    const fresh = backend.frames.filter((f) => isEvent(f) && !acked.has(f));
    for (const f of fresh) acked.add(f);
    if (fresh.length > 0) backend.send('ack', { ids: fresh.map((f) => f.params.event_id) });
  });
}

describe('a stuck backend and a healthy one', () => {
  it("never costs the healthy backend's clients a message; the stuck one's clients are told what was refused", async () => {
    h = await startBroker({ ackTimeoutMs: 500, maxUnackedEvents: 40, maxDeliveries: 10, queueSize: 20, queueOverflow: 'reject' });
    const stuck = await h.backend();
    await helloAck(stuck);
    const healthy = await RawBackend.connect(h.addresses.tcpPort);
    await helloAck(healthy);
    ackEverything(healthy);

    // Clients land on the two backends in turn; keep two of each.
    const of = new Map<RawBackend, TestClient[]>([
      [stuck, []],
      [healthy, []],
    ]);
    const ids = new Map<TestClient, string>();
    for (let n = 0; n < 12 && (of.get(stuck)!.length < 2 || of.get(healthy)!.length < 2); n += 1) {
      const id = `c${n}`;
      const client = await h.client(`/ws/r?id=${id}`, { protocols: ['strands.v1'] });
      const owner = await waitFor(
        () => [stuck, healthy].find((b) => b.of('new_connection').some((f) => f.params.context.client_id === id)),
        `${id} connected`,
      );
      ids.set(client, id);
      of.get(owner)!.push(client);
    }
    const victims = of.get(stuck)!.slice(0, 2);
    const served = of.get(healthy)!.slice(0, 2);
    expect(victims).toHaveLength(2);
    expect(served).toHaveLength(2);

    // The stuck backend's clients send more than its share and the queue hold together.
    const STUCK_EACH = 25;
    for (let i = 0; i < STUCK_EACH; i += 1) for (const c of victims) c.send(`${ids.get(c)}:${i}`);
    // The healthy backend's clients keep sending while that backlog builds up and, after the ack
    // timeout, is redelivered to the healthy backend.
    const SERVED_EACH = 60;
    for (let i = 0; i < SERVED_EACH; i += 1) {
      for (const c of served) c.send(`${ids.get(c)}:${i}`);
      await sleep(15);
    }

    const messagesAt = (backend: RawBackend, id: string) =>
      new Set(backend.of('new_message').filter((f) => f.params.context.client_id === id).map((f) => f.params.message));
    const refusedTo = (c: TestClient) => c.messages.filter((m) => m.startsWith('{"strands":"refused"')).length;
    for (const c of served) {
      const id = ids.get(c)!;
      await waitFor(() => messagesAt(healthy, id).size === SERVED_EACH, `every message of ${id}`, 10_000);
      expect(refusedTo(c), id).toBe(0);
    }
    // The stuck backend's clients: every message handled (redelivered to the healthy backend) or refused to them.
    await waitFor(
      () => victims.every((c) => messagesAt(healthy, ids.get(c)!).size + refusedTo(c) === STUCK_EACH),
      'the stuck backend\'s clients: handled + refused = sent',
      10_000,
    );
    const refused = victims.reduce((sum, c) => sum + refusedTo(c), 0);
    expect(refused).toBeGreaterThan(0);
    const metrics = (await h.http('/metrics')).body;
    expect(metrics).toMatch(new RegExp(`^strands_queue_refused_total ${refused}$`, 'm'));
    expect(metrics).toMatch(/^strands_queue_dropped_total 0$/m);
    // The scenario did happen: the stuck backend took its share, which went out again to the healthy one.
    const firstAtStuck = stuck.frames.filter((f) => isEvent(f) && f.params.redelivered === undefined).length;
    expect(firstAtStuck).toBeGreaterThanOrEqual(20);
    expect(Number(/^strands_redeliveries_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(18);
  });
});
