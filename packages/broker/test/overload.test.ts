// A full queue under each policy, seen by the senders: `reject` refuses each message to whoever
// sent it (strands.v1 and raw clients alike), confirmed sends get accepted/refused with their id,
// the byte bound holds, and every refusal and drop is counted.
import { afterEach, describe, expect, it } from 'vitest';
import { confirmFrame } from '@strands/protocol/wire';
import { startBroker, waitFor, type Harness, type TestClient } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

const refusals = (client: TestClient) => client.messages.filter((m) => m.startsWith('{"strands":"refused"'));

async function metric(name: string): Promise<number> {
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec((await h.http('/metrics')).body);
  return Number(match?.[1] ?? NaN);
}

/** Clients accepted by a backend that then went away: their messages can only wait in the queue. */
async function orphans(ids: readonly string[], strandsV1: (id: string) => boolean): Promise<TestClient[]> {
  const first = await h.backend();
  const clients: TestClient[] = [];
  for (const id of ids) clients.push(await h.client(`/ws/r?id=${id}`, { protocols: strandsV1(id) ? ['strands.v1'] : [] }));
  await waitFor(() => first.of('new_connection').length === ids.length, 'connections');
  first.close();
  await waitFor(() => h.broker.stats().backends === 0, 'backend gone');
  return clients;
}

describe('queueOverflow reject', () => {
  it('refuses each message past the bound to its sender: sent = handled + refused, exactly', async () => {
    h = await startBroker({ queueSize: 30, queueOverflow: 'reject' });
    const ids = ['raw1', 'raw2', 'v1a', 'v1b'];
    const clients = await orphans(ids, (id) => id.startsWith('v1'));
    // More than the queue holds from any one client: every client has some refused, raw ones included.
    const SENT = 40;
    for (let i = 0; i < SENT; i += 1) for (const [n, client] of clients.entries()) client.send(`${ids[n]}:${i}`);
    await waitFor(() => (clients.reduce((sum, c) => sum + refusals(c).length, 0) === 4 * SENT - 30 ? true : undefined), 'every refusal');
    expect(await metric('strands_queue_refused_total')).toBe(4 * SENT - 30);
    expect(await metric('strands_queue_dropped_total')).toBe(0);
    expect(await metric('strands_queue_length')).toBe(30);
    expect(JSON.parse(refusals(clients[0]!)[0]!)).toEqual({ strands: 'refused', code: 'overloaded', message: 'queue full: message refused' });

    const next = await h.backend();
    await waitFor(() => next.of('new_message').length === 30, 'the queued ones flushed');
    for (const [n, client] of clients.entries()) {
      const handled = next.of('new_message').filter((f) => String(f.params.message).startsWith(`${ids[n]}:`));
      expect(handled.length + refusals(client).length, ids[n]).toBe(SENT);
      // Refused are the newest: what was kept is each client's first messages, in order.
      expect(handled.map((f) => f.params.message)).toEqual(Array.from({ length: handled.length }, (_, i) => `${ids[n]}:${i}`));
    }
  });

  it('answers confirmed sends of a strands.v1 client with their id: accepted, queued, refused', async () => {
    h = await startBroker({ queueSize: 1, queueOverflow: 'reject' });
    const backend = await h.backend();
    const client = await h.client('/ws/r?id=conf', { protocols: ['strands.v1'] });
    client.send(confirmFrame(1));
    client.send('first');
    expect(JSON.parse(await client.waitMessage((m) => m.includes('"id":1')))).toEqual({ strands: 'accepted', id: 1 });
    await waitFor(() => backend.of('new_message').length === 1, 'first passed on');
    backend.close();
    await waitFor(() => h.broker.stats().backends === 0, 'backend gone');
    client.send(confirmFrame(2));
    client.send('second');
    client.send(confirmFrame(3));
    client.send('third');
    expect(JSON.parse(await client.waitMessage((m) => m.includes('"id":2')))).toEqual({ strands: 'accepted', id: 2, queued: true });
    expect(JSON.parse(await client.waitMessage((m) => m.includes('"id":3')))).toEqual({
      strands: 'refused',
      id: 3,
      code: 'overloaded',
      message: 'queue full: message refused',
    });
    const next = await h.backend();
    await waitFor(() => next.of('new_message').length === 1, 'the queued one');
    // The confirm frames themselves never reach a backend.
    expect([...backend.of('new_message'), ...next.of('new_message')].map((f) => f.params.message)).toEqual(['first', 'second']);
  });

  it('refuses confirmed sends with no_backend when the queue is disabled', async () => {
    h = await startBroker({ queueSize: 0 });
    const [client] = await orphans(['off'], () => true);
    client!.send(confirmFrame(9));
    client!.send('nowhere');
    expect(JSON.parse(await client!.waitMessage((m) => m.includes('"id":9')))).toMatchObject({ strands: 'refused', id: 9, code: 'no_backend' });
    expect(await metric('strands_queue_dropped_total')).toBe(1);
  });

  it('leaves raw clients alone: a confirm-like text is a message, and drops under drop-newest send nothing', async () => {
    h = await startBroker({ queueSize: 1 });
    const backend = await h.backend();
    const raw = await h.client('/ws/r?id=plain');
    raw.send(confirmFrame(1));
    await waitFor(() => backend.of('new_message').length === 1, 'relayed');
    expect(backend.of('new_message')[0]!.params.message).toBe('{"strands":"confirm","id":1}');
    backend.close();
    await waitFor(() => h.broker.stats().backends === 0, 'backend gone');
    raw.send('kept');
    raw.send('dropped');
    await waitFor(async () => ((await metric('strands_queue_dropped_total')) === 1 ? true : undefined), 'a drop counted');
    expect(raw.messages).toEqual([]);
  });
});

describe('maxQueueBytes', () => {
  it('bounds the waiting events by bytes; past it messages are refused, the first ones kept in order', async () => {
    const MAX = 4096;
    h = await startBroker({ queueSize: 1000, maxQueueBytes: MAX, queueOverflow: 'reject' });
    const [client] = await orphans(['bytes'], () => true);
    const payload = 'x'.repeat(500);
    for (let i = 0; i < 20; i += 1) client!.send(`${i}:${payload}`);
    await waitFor(async () => ((await metric('strands_queue_refused_total')) + (await metric('strands_queue_length')) === 20 ? true : undefined), 'all 20 decided');
    const queued = await metric('strands_queue_length');
    const bytes = await metric('strands_queue_bytes');
    // Each line is over 500 bytes: several fit, far from all; the bytes stop it, not the count.
    expect(queued).toBeGreaterThan(1);
    expect(queued).toBeLessThan(MAX / 500);
    expect(bytes).toBeLessThanOrEqual(MAX);
    expect(bytes + bytes / queued).toBeGreaterThan(MAX);
    expect(refusals(client!).length).toBe(20 - queued);
    const next = await h.backend();
    await waitFor(() => next.of('new_message').length === queued, 'flushed');
    expect(next.of('new_message').map((f) => String(f.params.message).split(':')[0])).toEqual(Array.from({ length: queued }, (_, i) => String(i)));
    expect(await metric('strands_queue_bytes')).toBe(0);
  });
});
