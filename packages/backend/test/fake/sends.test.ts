// Sends: the frames they produce, the buffer while no broker is connected, and its limits.
import { describe, expect, it } from 'vitest';
import { SendError, isBackendError } from '../../src/index.js';
import { cleanup, testBackend } from '../support/backend.js';
import { FakeBroker, until } from '../support/fake-broker.js';

describe('sending', () => {
  it('produces each action with its params, and helpers send JSON', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address] });
    await app.start();
    const link = await broker.link(0);
    await Promise.all([
      app.sendToRoom('r1', 'to room'),
      app.sendToConnection('c1', 'to one'),
      app.broadcast('to all'),
      app.joinRoom('c1', 'r2'),
      app.leaveRoom('c1', 'r1'),
      app.disconnect('c1', { code: 4001, reason: 'bye' }),
      app.sendJsonToRoom('r1', { a: 1 }),
      app.sendJsonToConnection('c1', [1, 2]),
      app.broadcastJson('quoted "json"'),
    ]);
    const sent = await link.waitForCount('broadcast', 2);
    expect(sent).toHaveLength(2);
    const actions = link.frames.filter((f) => f.action !== 'hello').map((f) => [f.action, f.params]);
    expect(actions).toEqual([
      ['message_to_room', { room_id: 'r1', message: 'to room' }],
      ['message_to_connection', { conn_id: 'c1', message: 'to one' }],
      ['broadcast', { message: 'to all' }],
      ['join_room', { conn_id: 'c1', room_id: 'r2' }],
      ['leave_room', { conn_id: 'c1', room_id: 'r1' }],
      ['disconnect_connection', { conn_id: 'c1', code: 4001, reason: 'bye' }],
      ['message_to_room', { room_id: 'r1', message: '{"a":1}' }],
      ['message_to_connection', { conn_id: 'c1', message: '[1,2]' }],
      ['broadcast', { message: '"quoted \\"json\\""' }],
    ]);
    for (const frame of link.frames) expect(typeof frame.request_id).toBe('string');
  });

  it('holds sends while the broker is down and sends them, in order, on reconnect', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address] });
    await app.start();
    await broker.stop();
    await until(() => app.state.brokers[0]!.status !== 'connected', 'the link to drop');
    const sends = [app.sendToRoom('r', '1'), app.sendToRoom('r', '2'), app.broadcast('3')];
    await until(() => app.state.brokers[0]!.heldSends === 3, 'held sends');
    await broker.listen();
    const link = await broker.link(1);
    await Promise.all(sends);
    const frames = await link.waitForCount('broadcast', 1);
    expect(frames).toHaveLength(1);
    expect(link.frames.map((f) => f.action)).toEqual(['hello', 'message_to_room', 'message_to_room', 'broadcast']);
    expect(link.frames.slice(1, 3).map((f) => f.params.message)).toEqual(['1', '2']);
  });

  it('rejects with send_buffer_full when the buffer is full, and send_timeout when too old', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address], maxBufferedSends: 2, sendTimeoutMs: 100 });
    await app.start();
    await broker.stop();
    await until(() => app.state.brokers[0]!.status !== 'connected', 'the link to drop');
    const first = app.sendToRoom('r', '1');
    const second = app.sendToRoom('r', '2');
    const third = app.sendToRoom('r', '3');
    const full = await third.catch((error: unknown) => error);
    expect(full).toBeInstanceOf(SendError);
    expect(full).toMatchObject({ code: 'send_buffer_full', broker: broker.address });
    const late = await Promise.allSettled([first, second]);
    for (const result of late) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason;
      expect(isBackendError(reason) && reason.code).toBe('send_timeout');
    }
  });

  it('rejects sends before start and after close with code closed', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address] });
    await expect(app.sendToRoom('r', 'x')).rejects.toMatchObject({ code: 'closed' });
    await app.start();
    await app.close();
    await expect(app.broadcast('x')).rejects.toMatchObject({ code: 'closed' });
  });

  it('holds sends while the broker stops reading, bounded, and delivers them when it reads again', async () => {
    const broker = await FakeBroker.start();
    cleanup(broker);
    const app = testBackend({ brokers: [broker.address], maxWriteBufferBytes: 64 * 1024, maxBufferedSends: 50 });
    await app.start();
    const link = await broker.link(0);
    await link.waitForAction('hello');
    link.socket.pause();
    const big = 'x'.repeat(64 * 1024);
    const sends: Promise<void>[] = [];
    const outcomes: string[] = [];
    // Write until the backend reports a full buffer: a send must fail loudly, never vanish.
    while (!outcomes.includes('send_buffer_full') && sends.length < 2000) {
      const index = sends.length;
      const send = app.sendToRoom('r', big);
      sends.push(send);
      send.then(
        () => (outcomes[index] = 'ok'),
        (error: { code: string }) => (outcomes[index] = error.code),
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(outcomes).toContain('send_buffer_full');
    expect(app.state.brokers[0]!.heldSends).toBe(50);
    link.socket.resume();
    await Promise.allSettled(sends);
    const delivered = outcomes.filter((o) => o === 'ok').length;
    await link.waitForCount('message_to_room', delivered);
    expect(outcomes.every((o) => o === 'ok' || o === 'send_buffer_full')).toBe(true);
    expect(delivered).toBeGreaterThanOrEqual(50);
  });
});
