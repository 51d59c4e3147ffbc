// Routes while the broker link is down: a stream's items are held and go out, in order, on the new
// link; a reply that cannot go out at all is reported, never dropped silently.
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/index.js';
import { cleanup, testBackend } from '../support/backend.js';
import { testContract } from '../support/contract.js';
import { FakeBroker, frames, until } from '../support/fake-broker.js';

describe('routes across a broker restart', () => {
  it('continues the stream on the new link without loss or reordering', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address] });
    let gate: (() => void) | undefined;
    let produced = 0;
    app.use(
      createRouter(testContract).stream('forever', async function* () {
        for (let n = 0; n < 10; n += 1) {
          // Items 3.. wait for the test to let them go (after the link is down).
          if (n === 3) await new Promise<void>((resolve) => (gate = resolve));
          produced += 1;
          yield n;
        }
      }),
    );
    await app.start();
    const first = await broker.link(0);
    first.send(frames.newMessage('c1', JSON.stringify({ strands: 'stream', id: 's', route: 'forever', data: {}, n: 100 })));
    await first.waitForCount('message_to_connection', 3);
    await until(() => gate !== undefined, 'the producer to park');
    await broker.stop();
    await until(() => app.state.brokers[0]!.status !== 'connected', 'the drop');
    gate!();
    // The producer waits for each write, so it stops at the first held item: no pile-up while down.
    await until(() => app.state.brokers[0]!.heldSends === 1, 'an item held while down');
    expect(produced).toBe(4);
    await broker.listen();
    const second = await broker.link(1);
    const sent = await second.waitForCount('message_to_connection', 7);
    const items = [...first.frames, ...sent]
      .filter((f) => f.action === 'message_to_connection')
      .map((f) => JSON.parse(f.params.message as string) as { strands: string; data?: number });
    expect(items.filter((i) => i.strands === 'next').map((i) => i.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await second.waitForCount('message_to_connection', 8);
    expect(JSON.parse(second.frames.filter((f) => f.action === 'message_to_connection').at(-1)!.params.message as string)).toEqual({
      strands: 'complete',
      id: 's',
    });
  });

  it('a reply that cannot reach the broker is reported once, as the SendError it is', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address], sendTimeoutMs: 50, reconnectInitialDelayMs: 10_000, reconnectMaxDelayMs: 10_000 });
    const errors: Error[] = [];
    app.onError((error) => {
      errors.push(error);
    });
    let release: (() => void) | undefined;
    app.use(
      createRouter(testContract).response('chat.send', async ({ text }) => {
        await new Promise<void>((resolve) => (release = resolve));
        return { id: 1, echo: text };
      }),
    );
    await app.start();
    const link = await broker.link(0);
    link.send(frames.newMessage('c1', JSON.stringify({ strands: 'request', id: 'r', route: 'chat.send', data: { text: 'x' } })));
    await until(() => release !== undefined, 'the handler to start');
    await broker.stop();
    await until(() => app.state.brokers[0]!.status !== 'connected', 'the drop');
    release!();
    await until(() => errors.length > 0, 'the failed reply to be reported');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'SendError', code: 'send_timeout' });
  });
});
