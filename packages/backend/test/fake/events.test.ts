// Client events through the two handler styles, ordering, concurrency, and robustness of reading.
import { describe, expect, it } from 'vitest';
import { StrandsBackend, type ClientContext, type Disconnection, type HandlerError, type IncomingMessage } from '../../src/index.js';
import { cleanup, testBackend } from '../support/backend.js';
import { FakeBroker, frames, until } from '../support/fake-broker.js';

async function setup(backend: (address: string) => StrandsBackend) {
  const broker = await FakeBroker.start();
  cleanup(broker);
  const app = backend(broker.address);
  await app.start();
  const link = await broker.link(0);
  return { broker, app, link };
}

describe('handling events', () => {
  it('registration style: connect, message, disconnect, and a reply', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address] }));
    const log: string[] = [];
    app.onConnect((client) => {
      log.push(`connect ${client.clientId} ${client.roomId} ${JSON.stringify(client.metadata)}`);
    });
    app.onMessage(async (message) => {
      log.push(`message ${message.client.clientId} ${message.message}`);
      await message.reply(`echo ${message.message}`);
    });
    app.onDisconnect((event) => {
      log.push(`disconnect ${event.client.clientId}`);
    });
    link.send(frames.newConnection('c1', 'r1', { a: 1 }));
    link.send(frames.newMessage('c1', 'hi', 'r1', { a: 1 }));
    link.send(frames.disconnected('c1', 'r1'));
    const reply = await link.waitForAction('message_to_connection');
    expect(reply.params).toEqual({ conn_id: 'c1', message: 'echo hi' });
    await until(() => log.length === 3, 'three events');
    expect(log).toEqual(['connect c1 r1 {"a":1}', 'message c1 hi', 'disconnect c1']);
  });

  it('class style: overridden hooks see the same events', async () => {
    const seen: string[] = [];
    class Echo extends StrandsBackend {
      protected override handleConnect(client: ClientContext): void {
        seen.push(`connect ${client.clientId}`);
      }
      protected override async handleMessage(message: IncomingMessage): Promise<void> {
        seen.push(`message ${message.message}`);
        await this.sendToConnection(message.client.clientId, message.message.toUpperCase());
      }
      protected override handleDisconnect(event: Disconnection): void {
        seen.push(`disconnect ${event.client.clientId}`);
      }
    }
    const { link } = await setup((address) => {
      const app = new Echo({ brokers: [address], logLevel: 'silent' });
      cleanup(app);
      return app;
    });
    link.send(frames.newConnection('c1'));
    link.send(frames.newMessage('c1', 'shout'));
    link.send(frames.disconnected('c1'));
    const reply = await link.waitForAction('message_to_connection');
    expect(reply.params.message).toBe('SHOUT');
    await until(() => seen.length === 3);
    expect(seen).toEqual(['connect c1', 'message shout', 'disconnect c1']);
  });

  it('unwraps the PyStrands Go broker metadata shape', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address] }));
    const metadata: unknown[] = [];
    app.onMessage((message) => {
      metadata.push(message.client.metadata);
    });
    const goShape = { accepted: true, client_id: 'c1', room_id: 'r', metadata: { role: 'admin' } };
    link.send(frames.newMessage('c1', 'a', 'r', goShape));
    link.send(frames.newMessage('c1', 'b', 'r', { role: 'user' }));
    await until(() => metadata.length === 2);
    expect(metadata).toEqual([{ role: 'admin' }, { role: 'user' }]);
  });

  it('binary messages arrive flagged, with their bytes', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address] }));
    const got: IncomingMessage[] = [];
    app.onMessage((message) => {
      got.push(message);
    });
    link.send(frames.newMessage('c1', Buffer.from([0, 1, 255]).toString('base64'), 'r', {}, { encoding: 'base64' }));
    link.send(frames.newMessage('c1', '{"x":1}'));
    await until(() => got.length === 2);
    expect(got[0]!.isBinary).toBe(true);
    expect([...got[0]!.bytes()]).toEqual([0, 1, 255]);
    expect(got[1]!.isBinary).toBe(false);
    expect(got[1]!.json()).toEqual({ x: 1 });
  });

  it('a throwing handler goes to onError and never kills the link', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address] }));
    const errors: Error[] = [];
    app.onError((error) => {
      errors.push(error);
    });
    app.onMessage(async (message) => {
      if (message.message === 'sync-throw') throw new Error('sync');
      if (message.message === 'async-throw') return Promise.reject(new Error('async'));
      await message.reply('ok');
    });
    app.onError(() => {
      throw new Error('a broken error handler is only logged');
    });
    link.send(frames.newMessage('c1', 'sync-throw'));
    link.send(frames.newMessage('c2', 'async-throw'));
    link.send(frames.newMessage('c3', 'fine'));
    await link.waitForAction('message_to_connection');
    await until(() => errors.length === 2);
    expect(errors.map((e) => (e.cause as Error).message).sort()).toEqual(['async', 'sync']);
    expect(errors[0]).toMatchObject({ name: 'HandlerError', event: 'message' });
    expect(app.connectedBrokers).toEqual([app.state.brokers[0]!.address]);
  });

  it("handles one client's events in order even when handlers take random time", async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address], maxConcurrency: 8 }));
    const seen = new Map<string, number[]>();
    app.onMessage(async (message) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
      const list = seen.get(message.client.clientId) ?? [];
      list.push(Number(message.message));
      seen.set(message.client.clientId, list);
    });
    const clients = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 50; i += 1) for (const client of clients) link.send(frames.newMessage(client, String(i)));
    await until(() => clients.every((c) => seen.get(c)?.length === 50), 'all messages');
    const expected = Array.from({ length: 50 }, (_, i) => i);
    for (const client of clients) expect(seen.get(client)).toEqual(expected);
  });

  it('runs different clients concurrently, up to maxConcurrency', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address], maxConcurrency: 2 }));
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    app.onMessage(
      (message) =>
        new Promise<void>((resolve) => {
          started.push(message.client.clientId);
          gates.set(message.client.clientId, resolve);
        }),
    );
    // The stream sees events when they are read, so it tells when all three were dispatched.
    const observed = app.messages();
    link.send(frames.newMessage('a', '1'));
    link.send(frames.newMessage('b', '1'));
    link.send(frames.newMessage('c', '1'));
    await until(() => observed.buffered === 3, 'three messages read');
    expect(started).toEqual(['a', 'b']);
    gates.get('a')!();
    await until(() => started.length === 3, 'the third handler');
    expect(started).toEqual(['a', 'b', 'c']);
    gates.get('b')!();
    gates.get('c')!();
  });

  it('reads frames split at every byte, and several frames in one write', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address] }));
    const got: string[] = [];
    app.onMessage((message) => {
      got.push(message.message);
    });
    const text = `${JSON.stringify(frames.newMessage('c1', 'héllo ✓ split'))}\n${JSON.stringify(frames.heartbeat())}\n`;
    await link.sendBytewise(text);
    link.send(`${JSON.stringify(frames.newMessage('c1', 'one'))}\n${JSON.stringify(frames.newMessage('c1', 'two'))}\n`);
    await until(() => got.length === 3);
    expect(got).toEqual(['héllo ✓ split', 'one', 'two']);
  });

  it('skips heartbeats, malformed lines and unknown actions, and keeps going', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address] }));
    const got: string[] = [];
    app.onMessage((message) => {
      got.push(message.message);
    });
    link.send(frames.heartbeat());
    link.send('not json\n');
    link.send('{"action":"new_message","request_id":"x","params":{"message":5}}\n');
    link.send('{"action":"from_the_future","request_id":"x","params":{}}\n');
    link.send(frames.newMessage('c1', 'still here'));
    await until(() => got.length === 1);
    expect(got).toEqual(['still here']);
    expect(app.state.brokers[0]!.status).toBe('connected');
  });

  it('reconnects when a broker goes silent (no heartbeats) for brokerIdleTimeoutMs', async () => {
    const { broker } = await setup((address) => testBackend({ brokers: [address], brokerIdleTimeoutMs: 100 }));
    const second = await broker.link(1);
    await broker.links[0]!.closed;
    expect(second.socket.destroyed).toBe(false);
    expect((await second.waitFor(() => true)).action).toBe('hello');
  });

  it('connect and disconnect handler failures reach onError too', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address] }));
    const errors: Error[] = [];
    app.onError((error) => {
      errors.push(error);
    });
    app.onConnect(() => {
      throw new Error('connect broke');
    });
    app.onDisconnect(async () => {
      throw new Error('disconnect broke');
    });
    let later = '';
    app.onMessage((message) => {
      later = message.message;
    });
    link.send(frames.newConnection('c1'));
    link.send(frames.disconnected('c1'));
    link.send(frames.newMessage('c2', 'served'));
    await until(() => errors.length === 2 && later === 'served', 'both failures and the next message');
    expect(errors.map((e) => [(e as HandlerError).event, (e.cause as Error).message])).toEqual([
      ['connect', 'connect broke'],
      ['disconnect', 'disconnect broke'],
    ]);
    expect(app.state.brokers[0]!.status).toBe('connected');
  });
});

describe('event streams', () => {
  it('connections() and disconnections() yield accepted clients and their departures', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address] }));
    const connections = app.connections();
    const disconnections = app.disconnections();
    link.send(frames.newConnection('c1', 'r1', { role: 'x' }));
    link.send(frames.disconnected('c1', 'r1'));
    const connected = await connections.next();
    expect(connected.value).toMatchObject({ clientId: 'c1', roomId: 'r1', metadata: { role: 'x' }, broker: app.state.brokers[0]!.address });
    const gone = await disconnections.next();
    expect((gone.value as Disconnection).client.clientId).toBe('c1');
  });

  it('breaking out of a for-await loop unsubscribes: a full, abandoned stream no longer pauses reading', async () => {
    const { app, link } = await setup((address) => testBackend({ brokers: [address], streamBufferSize: 2 }));
    const stream = app.messages();
    let handled = 0;
    app.onMessage(() => {
      handled += 1;
    });
    link.send(frames.newMessage('c1', 'first'));
    for await (const message of stream) {
      expect(message.message).toBe('first');
      break;
    }
    // Were the stream still subscribed, it would fill after two more and stop the reading.
    for (let i = 0; i < 500; i += 1) link.send(frames.newMessage('c1', String(i)));
    await until(() => handled === 501, 'every message handled');
    expect(stream.buffered).toBe(0);
    expect((await stream.next()).done).toBe(true);
  });
});
