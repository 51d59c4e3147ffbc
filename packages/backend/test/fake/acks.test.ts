// Acknowledgements against a fake broker: events with an id are acknowledged once their handler
// settles (also when it throws), in one ack per write; repeats are skipped; events without an id
// (PyStrands brokers) are never acknowledged.
import { describe, expect, it } from 'vitest';
import { type EventDelivery, type StrandsBackend } from '../../src/index.js';
import { cleanup, testBackend } from '../support/backend.js';
import { FakeBroker, frames, until, type Frame } from '../support/fake-broker.js';

async function setup(options: Parameters<typeof testBackend>[0] = {}) {
  const broker = await FakeBroker.start();
  cleanup(broker);
  const app: StrandsBackend = testBackend({ acknowledge: true, ...options, brokers: [broker.address] });
  await app.start();
  const link = await broker.link(0);
  return { app, link };
}

const acked = (fs: Frame[]) => fs.filter((f) => f.action === 'ack').flatMap((f) => f.params.ids as string[]);
const withId = (id: string, extra: Record<string, unknown> = {}) => ({ event_id: id, ...extra });

describe('acknowledgements', () => {
  it('acknowledges each event once its handler settled, a throwing one too, and batches ids per write', async () => {
    const { app, link } = await setup();
    const errors: Error[] = [];
    app.onError((e) => {
      errors.push(e);
    });
    const seen: EventDelivery[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    app.onMessage(async (m) => {
      seen.push({ id: m.id, redelivered: m.redelivered, deliveryCount: m.deliveryCount });
      if (m.message === 'slow') await gate;
      if (m.message === 'poison') throw new Error('bad input');
    });
    link.send(frames.newMessage('c1', 'slow', 'r', {}, withId('e1')));
    for (let i = 2; i <= 4; i += 1) link.send(frames.newMessage(`c${i}`, i === 3 ? 'poison' : 'ok', 'r', {}, withId(`e${i}`)));
    await until(() => acked(link.frames).length === 3, 'three acks');
    expect(acked(link.frames).sort()).toEqual(['e2', 'e3', 'e4']);
    expect(errors).toHaveLength(1);
    release();
    await until(() => acked(link.frames).includes('e1'), 'the slow one acked');
    expect(seen[0]).toEqual({ id: 'e1', redelivered: false, deliveryCount: 1 });
  });

  it('skips a redelivery of an event it handled (and acknowledges it again); sees the flags otherwise', async () => {
    const { app, link } = await setup();
    const runs: string[] = [];
    app.onMessage((m) => {
      runs.push(`${m.id} ${m.redelivered} ${m.deliveryCount}`);
    });
    link.send(frames.newMessage('c1', 'a', 'r', {}, withId('x1')));
    await until(() => acked(link.frames).length === 1, 'first ack');
    link.send(frames.newMessage('c1', 'a', 'r', {}, withId('x1', { redelivered: true, delivery_count: 2 })));
    link.send(frames.newMessage('c1', 'b', 'r', {}, withId('x2', { redelivered: true, delivery_count: 3 })));
    await until(() => acked(link.frames).length === 3, 'three acks');
    expect(runs).toEqual(['x1 false 1', 'x2 true 3']);
    expect(acked(link.frames)).toEqual(['x1', 'x1', 'x2']);
  });

  it('runs a repeat again with dedupeWindow 0; sends no ack for events without an id', async () => {
    const { app, link } = await setup({ dedupeWindow: 0 });
    const runs: string[] = [];
    app.onConnect((client, event) => {
      runs.push(`connect ${client.clientId} ${String(event.id)}`);
    });
    app.onMessage((m) => {
      runs.push(`${m.message} ${String(m.id)}`);
    });
    link.send(frames.newConnection('c1'));
    link.send(frames.newMessage('c1', 'plain'));
    link.send(frames.newMessage('c1', 'a', 'r', {}, withId('y1')));
    link.send(frames.newMessage('c1', 'a', 'r', {}, withId('y1', { redelivered: true, delivery_count: 2 })));
    await until(() => acked(link.frames).length === 2, 'two acks');
    expect(runs).toEqual(['connect c1 undefined', 'plain undefined', 'a y1', 'a y1']);
    expect(acked(link.frames)).toEqual(['y1', 'y1']);
  });
});
