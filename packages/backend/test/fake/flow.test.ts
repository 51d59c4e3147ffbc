// Backpressure toward the broker, broker restarts, several brokers, and the lifecycle.
import { describe, expect, it } from 'vitest';
import { BrokerError, type IncomingMessage } from '../../src/index.js';
import { cleanup, testBackend } from '../support/backend.js';
import { FakeBroker, frames, until } from '../support/fake-broker.js';

describe('backpressure', () => {
  it('stops reading when a messages() consumer falls behind, and catches up without loss', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address], streamBufferSize: 16 });
    await app.start();
    const link = await broker.link(0);
    const stream = app.messages();
    const total = 20_000;
    const payload = 'p'.repeat(200);
    let maxBuffered = 0;
    // Flood until the socket pushes back: the backend must have stopped reading.
    let written = 0;
    while (written < total) {
      written += 1;
      if (!link.send(frames.newMessage('c1', `${written} ${payload}`))) break;
    }
    expect(written).toBeLessThan(total);
    await until(() => link.socket.writableLength > 0 && app.state.brokers[0]!.status === 'connected', 'a backed-up broker socket');
    const received: number[] = [];
    const consume = (async () => {
      for await (const message of stream) {
        maxBuffered = Math.max(maxBuffered, stream.buffered);
        received.push(Number(message.message.slice(0, message.message.indexOf(' '))));
        if (received.length === total) break;
      }
    })();
    while (written < total) {
      written += 1;
      if (!link.send(frames.newMessage('c1', `${written} ${payload}`))) await new Promise((resolve) => link.socket.once('drain', resolve));
    }
    await consume;
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    // Bounded: the buffer exceeds its size only by what one socket read already held.
    expect(maxBuffered).toBeLessThan(16 + 2000);
  });

  it('keeps the buffer bounded while the consumer does not pull at all', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address], streamBufferSize: 8 });
    await app.start();
    const link = await broker.link(0);
    const stream = app.messages();
    const payload = 'q'.repeat(1000);
    let sent = 0;
    while (link.send(frames.newMessage('c1', payload))) sent += 1;
    // Keep writing well past what the socket buffers; the backend must not take it all in.
    for (let i = 0; i < 2000; i += 1) link.send(frames.newMessage('c1', payload));
    await until(() => stream.buffered >= 8, 'the stream to fill');
    const before = stream.buffered;
    await until(() => link.socket.writableLength > 1_000_000, 'the broker socket to back up');
    expect(stream.buffered).toBe(before);
    expect(stream.buffered).toBeLessThan(8 + 400);
    stream.close();
    await until(() => link.socket.writableLength === 0, 'reading to resume after unsubscribing');
  });

  it('stops reading while handlers are saturated (maxQueuedEvents)', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address], maxConcurrency: 1, maxQueuedEvents: 10 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    app.onMessage(async () => {
      await gate;
      handled += 1;
    });
    await app.start();
    const link = await broker.link(0);
    const payload = 'z'.repeat(1000);
    const total = 5000;
    let written = 0;
    while (written < total) {
      written += 1;
      if (!link.send(frames.newMessage(`c${written % 7}`, payload))) break;
    }
    for (; written < total; written += 1) link.send(frames.newMessage(`c${written % 7}`, payload));
    await until(() => link.socket.writableLength > 1_000_000, 'the broker socket to back up');
    release();
    await until(() => handled === total, 'every message handled');
    expect(link.socket.writableLength).toBe(0);
  });
});

describe('reconnecting', () => {
  it('survives a broker restart mid-stream: reconnects, keeps handlers, serves new traffic', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address] });
    const events: string[] = [];
    app.onBrokerConnect(({ broker: address }) => events.push(`up ${address}`));
    app.onBrokerDisconnect(({ broker: address }) => events.push(`down ${address}`));
    const got: string[] = [];
    app.onMessage(async (message: IncomingMessage) => {
      got.push(message.message);
      await message.reply(`re ${message.message}`);
    });
    await app.start();
    const first = await broker.link(0);
    for (let i = 0; i < 100; i += 1) first.send(frames.newMessage('c1', `a${i}`));
    await first.waitForCount('message_to_connection', 1);
    await broker.stop();
    await until(() => app.state.brokers[0]!.status !== 'connected', 'the drop');
    await broker.listen();
    const second = await broker.link(1);
    second.send(frames.newMessage('c2', 'after'));
    const reply = await second.waitForAction('message_to_connection', (f) => f.params.message === 're after');
    expect(reply.params.conn_id).toBe('c2');
    expect(got).toContain('after');
    expect(events).toEqual([`up ${broker.address}`, `down ${broker.address}`, `up ${broker.address}`]);
    expect(app.state.brokers[0]!.reconnectAttempts).toBe(0);
  });

  it('counts reconnect attempts while the broker is away', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address] });
    await app.start();
    await broker.stop();
    await until(() => app.state.brokers[0]!.reconnectAttempts >= 3, 'three failed attempts');
    expect(app.state.brokers[0]!.status).not.toBe('connected');
    expect(app.state.brokers[0]!.lastError).toBeInstanceOf(Error);
  });

  it('gives up a broker that refuses the hello, with a typed error', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address], token: 'wrong' });
    const errors: Error[] = [];
    app.onError((error) => {
      errors.push(error);
    });
    // start() resolves on connect: PyStrands brokers never answer hello, so it cannot wait for that.
    await app.start();
    const link = await broker.link(0);
    const hello = await link.waitForAction('hello');
    link.send({ action: 'hello_reply', request_id: hello.request_id, params: { accepted: false, reason: 'bad token' } });
    await until(() => errors.length === 1, 'the rejection');
    const error = errors[0];
    expect(error).toBeInstanceOf(BrokerError);
    expect(error).toMatchObject({ code: 'hello_rejected', broker: broker.address });
    expect(app.state.brokers[0]!.status).toBe('rejected');
    await expect(app.sendToRoom('r', 'x')).rejects.toMatchObject({ code: 'hello_rejected' });
  });
});

describe('several brokers', () => {
  it("answers each client through its broker; rooms and broadcasts go to all", async () => {
    const [a, b] = await Promise.all([FakeBroker.start(), FakeBroker.start()]);
    cleanup(a!);
    cleanup(b!);
    const app = testBackend({ brokers: [a!.address, b!.address] });
    app.onMessage((message) => message.reply(`hi ${message.client.clientId} via ${message.client.broker}`));
    await app.start();
    expect(app.connectedBrokers.sort()).toEqual([a!.address, b!.address].sort());
    const [linkA, linkB] = await Promise.all([a!.link(0), b!.link(0)]);
    linkA.send(frames.newConnection('ca'));
    linkB.send(frames.newMessage('cb', 'x'));
    const reply = await linkB.waitForAction('message_to_connection');
    expect(reply.params).toEqual({ conn_id: 'cb', message: `hi cb via ${b!.address}` });
    await until(() => app.state.status === 'running');
    await app.sendToConnection('ca', 'only a');
    await app.sendToRoom('room', 'everyone');
    await app.joinRoom('ca', 'r2');
    await linkA.waitForAction('join_room');
    await linkB.waitForAction('message_to_room');
    expect(linkA.frames.filter((f) => f.action === 'message_to_connection').map((f) => f.params.message)).toEqual(['only a']);
    expect(linkB.frames.some((f) => f.params.message === 'only a' || f.action === 'join_room')).toBe(false);
    expect(linkA.frames.some((f) => f.action === 'message_to_room')).toBe(true);
  });

  it('merges roomMembers over brokers, and reports error_reply and silence as typed errors', async () => {
    const [a, b] = await Promise.all([FakeBroker.start(), FakeBroker.start()]);
    cleanup(a!);
    cleanup(b!);
    const app = testBackend({ brokers: [a!.address, b!.address], requestTimeoutMs: 100 });
    await app.start();
    const [linkA, linkB] = await Promise.all([a!.link(0), b!.link(0)]);
    const members = app.roomMembers('lobby');
    const [askA, askB] = await Promise.all([linkA.waitForAction('room_members'), linkB.waitForAction('room_members')]);
    expect(askA.params).toEqual({ room_id: 'lobby' });
    linkA.send({ action: 'room_members_reply', request_id: askA.request_id, params: { room_id: 'lobby', members: [{ client_id: 'x', metadata: {} }] } });
    linkB.send({ action: 'room_members_reply', request_id: askB.request_id, params: { room_id: 'lobby', members: [{ client_id: 'y', metadata: { n: 1 } }] } });
    expect((await members).map((m) => m.client_id).sort()).toEqual(['x', 'y']);

    const refused = app.roomMembers('secret');
    const ask = await linkA.waitForAction('room_members', (f) => f.params.room_id === 'secret');
    linkA.send({ action: 'error_reply', request_id: ask.request_id, params: { code: 'not_found', message: 'no room' } });
    await expect(refused).rejects.toMatchObject({ name: 'BrokerError', code: 'broker_error', brokerCode: 'not_found' });

    // A PyStrands broker never answers room_members.
    await expect(app.roomMembers('quiet')).rejects.toMatchObject({ name: 'SendError', code: 'request_timeout' });
  });
});

describe('closing', () => {
  it('stops taking work, waits for running handlers and their sends, then closes', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address] });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    app.onMessage(async (message) => {
      started += 1;
      await gate;
      await message.reply('done');
    });
    const stream = app.messages();
    await app.start();
    const link = await broker.link(0);
    link.send(frames.newMessage('c1', 'slow'));
    await until(() => started === 1, 'the handler to start');
    let closed = false;
    const closing = app.close({ timeoutMs: 10_000 }).then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toBe(false);
    expect(app.state.status).toBe('closing');
    release();
    await closing;
    expect(app.state.status).toBe('closed');
    const reply = await link.waitForAction('message_to_connection');
    expect(reply.params.message).toBe('done');
    await link.closed;
    const rest = [];
    for await (const message of stream) rest.push(message);
    expect(rest).toHaveLength(1);
  });

  it('closes after timeoutMs even if a handler never ends', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address] });
    let started = false;
    app.onMessage(() => {
      started = true;
      return new Promise(() => {});
    });
    await app.start();
    const link = await broker.link(0);
    link.send(frames.newMessage('c1', 'stuck'));
    await until(() => started);
    await app.close({ timeoutMs: 50 });
    expect(app.state.status).toBe('closed');
    await link.closed;
  });
});
