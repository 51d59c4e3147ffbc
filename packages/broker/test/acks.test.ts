// Acknowledgements on the bare wire: a backend that announces `ack` gets event ids, keeps
// nothing lost when it dies, gets redeliveries after the ack timeout and dead letters after the
// maximum; a PyStrands backend (no hello) sees none of it. Memory stays bounded.
import { afterEach, describe, expect, it } from 'vitest';
import { RawBackend, startBroker, waitFor, type Harness, type WireFrame } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

const EVENTS = ['new_connection', 'new_message', 'disconnected', 'error'];
const isEvent = (f: WireFrame) => EVENTS.includes(f.action);

/** Says hello with the `ack` capability; resolves with the broker's reply. */
async function helloAck(backend: RawBackend): Promise<WireFrame> {
  const id = backend.send('hello', { name: 'acking', protocol_version: 1, capabilities: ['ack'] });
  return backend.waitFrame((f) => f.action === 'hello_reply' && f.request_id === id, 'hello_reply');
}

describe('acknowledgements (capability ack)', () => {
  it('states ack in hello_reply and gives every event an event_id; acked events are done', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const reply = await helloAck(backend);
    expect(reply.params.capabilities).toContain('ack');
    const client = await h.client('/ws/r?id=c1');
    for (let i = 0; i < 5; i += 1) client.send(`m${i}`);
    await waitFor(() => backend.of('new_message').length === 5, 'five messages');
    const events = backend.frames.filter(isEvent);
    for (const event of events) {
      expect(typeof event.params.event_id).toBe('string');
      expect(event.params.redelivered).toBeUndefined();
    }
    expect(new Set(events.map((e) => e.params.event_id)).size).toBe(events.length);
    expect(h.broker.unackedEvents()).toBe(6);
    backend.send('ack', { ids: events.map((e) => e.params.event_id) });
    await waitFor(() => h.broker.unackedEvents() === 0, 'acknowledged');
  });

  it('redelivers what a dead backend did not acknowledge, flagged, in order, to the next backend', async () => {
    h = await startBroker();
    const first = await h.backend();
    await helloAck(first);
    const client = await h.client('/ws/r?id=c2');
    for (let i = 0; i < 10; i += 1) client.send(`m${i}`);
    await waitFor(() => first.of('new_message').length === 10, 'ten messages');
    // Handled the connection and the first four; dies before acknowledging the rest.
    const handled = first.frames.filter(isEvent).slice(0, 5).map((e) => e.params.event_id);
    first.send('ack', { ids: handled });
    await waitFor(() => h.broker.unackedEvents() === 6, 'five acknowledged');
    const second = await RawBackend.connect(h.addresses.tcpPort);
    await helloAck(second);
    first.close();
    await waitFor(() => second.of('new_message').length === 6, 'redelivered');
    const again = second.of('new_message');
    expect(again.map((f) => f.params.message)).toEqual(['m4', 'm5', 'm6', 'm7', 'm8', 'm9']);
    const lost = first.of('new_message').slice(4);
    expect(again.map((f) => f.params.event_id)).toEqual(lost.map((f) => f.params.event_id));
    for (const f of again) expect([f.params.redelivered, f.params.delivery_count]).toEqual([true, 2]);
    client.send('m10');
    await waitFor(() => second.of('new_message').length === 7, 'a new message');
    expect(second.of('new_message')[6]!.params).not.toHaveProperty('redelivered');
    second.close();
  });

  it('dead-letters an event whose backends keep dying with it (a poison message), at the maximum', async () => {
    // With a token a backend takes nothing before its hello, so every delivery here is tracked.
    h = await startBroker({ maxDeliveries: 2, backendToken: 't0ken' });
    const connect = async () => {
      const backend = await RawBackend.connect(h.addresses.tcpPort);
      const id = backend.send('hello', { name: 'acking', protocol_version: 1, token: 't0ken', capabilities: ['ack'] });
      await backend.waitFrame((f) => f.action === 'hello_reply' && f.request_id === id, 'hello_reply');
      return backend;
    };
    const first = await connect();
    const client = await h.client('/ws/r?id=c7');
    await first.waitFrame((f) => f.action === 'new_connection', 'new_connection');
    first.send('ack', { ids: [first.of('new_connection')[0]!.params.event_id] });
    client.send('crash');
    await first.waitFrame((f) => f.action === 'new_message', 'the message');
    first.close();
    await waitFor(() => h.broker.stats().backends === 0, 'first gone');
    const second = await connect();
    const again = await second.waitFrame((f) => f.action === 'new_message', 'the redelivery');
    expect(again.params.delivery_count).toBe(2);
    second.close();
    await waitFor(() => h.broker.stats().backends === 0, 'second gone');
    const third = await connect();
    await waitFor(() => h.broker.deadLetters().length === 1, 'a dead letter');
    expect(h.broker.deadLetters()[0]).toMatchObject({ action: 'new_message', clientId: 'c7', deliveries: 2 });
    client.send('fine');
    await third.waitFrame((f) => f.action === 'new_message', 'the next message');
    expect(third.of('new_message').map((f) => f.params.message)).toEqual(['fine']);
    third.close();
  });

  it('redelivers after the ack timeout, then dead-letters at the maximum; held events stay bounded', async () => {
    h = await startBroker({ ackTimeoutMs: 100, maxDeliveries: 3, maxUnackedEvents: 50, queueSize: 20 });
    const silent = await h.backend();
    await helloAck(silent);
    const client = await h.client('/ws/r?id=c3');
    await silent.waitFrame((f) => f.action === 'new_connection', 'new_connection');
    client.send('poison');
    await waitFor(() => h.broker.deadLetters().length === 2, 'two dead letters (new_connection, the message)', 10_000);
    const copies = silent.of('new_message');
    expect(copies.map((f) => f.params.delivery_count)).toEqual([undefined, 2, 3]);
    expect(new Set(copies.map((f) => f.params.event_id)).size).toBe(1);
    const letter = h.broker.deadLetters().find((d) => d.action === 'new_message');
    expect(letter).toMatchObject({ id: copies[0]!.params.event_id, clientId: 'c3', deliveries: 3 });
    expect(JSON.parse(letter!.line).params.message).toBe('poison');
    const metrics = await h.http('/metrics');
    expect(metrics.body).toMatch(/strands_dead_letters_total 2/);
    expect(metrics.body).toMatch(/strands_redeliveries_total 4/);
    expect(metrics.body).toMatch(/strands_unacked_events 0/);
    // A flood never acknowledged: at most maxUnackedEvents held, the rest bounded by the queue.
    for (let i = 0; i < 500; i += 1) client.send(`flood${i}`);
    await waitFor(() => h.broker.unackedEvents() === 50, 'the bound reached');
    let most = 0;
    for (let i = 0; i < 20; i += 1) {
      most = Math.max(most, h.broker.unackedEvents());
      expect(h.broker.stats().queueLength).toBeLessThanOrEqual(20 + 50);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(most).toBe(50);
  });

  it('moves a client whose backend stays silent to another backend, which gets the lapsed events flagged', async () => {
    h = await startBroker({ ackTimeoutMs: 150, maxDeliveries: 5 });
    const silent = await h.backend();
    await helloAck(silent);
    const client = await h.client('/ws/r?id=c5');
    await silent.waitFrame((f) => f.action === 'new_connection', 'new_connection');
    const helper = await RawBackend.connect(h.addresses.tcpPort);
    await helloAck(helper);
    // It acknowledges everything it gets.
    helper.socket.on('data', () => {
      const ids = helper.frames.filter((f) => isEvent(f) && !f.params.acked).map((f) => {
        f.params.acked = true;
        return f.params.event_id as string;
      });
      if (ids.length > 0) helper.send('ack', { ids });
    });
    for (let i = 0; i < 3; i += 1) client.send(`m${i}`);
    await waitFor(() => helper.of('new_message').length === 3, 'the lapsed messages at the other backend');
    expect(helper.of('new_message').map((f) => [f.params.message, f.params.redelivered, f.params.delivery_count])).toEqual([
      ['m0', true, 2],
      ['m1', true, 2],
      ['m2', true, 2],
    ]);
    client.send('m3');
    await waitFor(() => helper.of('new_message').length === 4, 'the next message, at the new backend');
    expect(helper.of('new_message')[3]!.params.redelivered).toBeUndefined();
    await waitFor(() => h.broker.unackedEvents() === 0, 'all acknowledged');
    expect(silent.of('new_message')).toHaveLength(3);
    helper.close();
  });

  it('gives the error event of a lapsed connection request an event_id, without holding it', async () => {
    h = await startBroker({ connectionRequestTimeoutMs: 100 });
    const mute = await h.backend(() => null);
    await helloAck(mute);
    await h.attempt('/ws/r?id=c6');
    const error = await mute.waitFrame((f) => f.action === 'error', 'the error event');
    expect(typeof error.params.event_id).toBe('string');
    expect(h.broker.unackedEvents()).toBe(0);
  });

  it('keeps a PyStrands backend (no hello) at most once: no event_id, no redelivery', async () => {
    h = await startBroker({ ackTimeoutMs: 50 });
    const legacy = await h.backend();
    const client = await h.client('/ws/r?id=c4');
    for (let i = 0; i < 3; i += 1) client.send(`m${i}`);
    await waitFor(() => legacy.of('new_message').length === 3, 'three messages');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(legacy.of('new_message')).toHaveLength(3);
    for (const f of legacy.frames.filter(isEvent)) expect(f.params).not.toHaveProperty('event_id');
    expect(h.broker.unackedEvents()).toBe(0);
  });
});
