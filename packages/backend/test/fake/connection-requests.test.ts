// Connection requests against a frame-level fake broker: what handlers see, what the broker gets.
import { describe, expect, it } from 'vitest';
import { isBackendError, type HandlerError } from '../../src/index.js';
import { cleanup, testBackend } from '../support/backend.js';
import { FakeBroker, frames } from '../support/fake-broker.js';

async function setup(options: Parameters<typeof testBackend>[0] = {}) {
  const broker = await FakeBroker.start();
  cleanup(broker);
  const backend = testBackend({ brokers: [broker.address], ...options });
  await backend.start();
  const link = await broker.link(0);
  return { broker, backend, link };
}

describe('connection requests', () => {
  it('says hello first, with name, protocol version, token, and the ack capability only when asked to acknowledge', async () => {
    const { link } = await setup({ name: 'orders', token: 's3cret' });
    const first = await link.waitFor(() => true);
    expect(first.action).toBe('hello');
    expect(first.params).toEqual({ name: 'orders', protocol_version: 1, token: 's3cret' });
    const acking = await setup({ name: 'orders', acknowledge: true });
    const hello = await acking.link.waitFor(() => true);
    expect(hello.params).toEqual({ name: 'orders', protocol_version: 1, capabilities: ['ack'] });
  });

  it('shows headers, url, query and address, and sends what the handler set', async () => {
    const { backend, link } = await setup();
    const seen: Record<string, unknown> = {};
    backend.onConnectionRequest((request) => {
      seen.raw = request.headers;
      seen.auth = request.header('authorization');
      seen.all = request.headerValues('X-MULTI');
      seen.missing = request.header('nope');
      seen.url = request.url;
      seen.path = request.path;
      seen.query = request.query;
      seen.remote = request.remoteAddress;
      request.clientId = 'alice';
      request.roomId = 'lobby';
      request.metadata = { role: 'admin' };
      return true;
    });
    const frame = frames.connectionRequest('/ws/lobby?token=abc&x=1&x=2', { Authorization: ['Bearer t'], 'X-Multi': ['a', 'b'] });
    link.send(frame);
    const response = await link.waitForAction('response');
    expect(response.request_id).toBe(frame.request_id);
    expect(response.params).toEqual({ accepted: true, client_id: 'alice', room_id: 'lobby', metadata: { role: 'admin' } });
    expect(seen).toEqual({
      raw: { Authorization: ['Bearer t'], 'X-Multi': ['a', 'b'] },
      auth: 'Bearer t',
      all: ['a', 'b'],
      missing: undefined,
      url: '/ws/lobby?token=abc&x=1&x=2',
      path: '/ws/lobby',
      query: { token: ['abc'], x: ['1', '2'] },
      remote: '10.0.0.1:5555',
    });
  });

  it("prefers the broker's parsed query", async () => {
    const { backend, link } = await setup();
    let query: unknown;
    backend.onConnectionRequest((request) => {
      query = request.query;
    });
    link.send(frames.connectionRequest('/chat', {}, { query: { room: ['r1'] } }));
    await link.waitForAction('response');
    expect(query).toEqual({ room: ['r1'] });
  });

  it('accepts by default with a fresh UUID and the path as room', async () => {
    const { link } = await setup();
    link.send(frames.connectionRequest('/ws/room1?a=b'));
    const response = await link.waitForAction('response');
    expect(response.params.accepted).toBe(true);
    expect(response.params.client_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.params.room_id).toBe('/ws/room1');
    expect(response.params.metadata).toEqual({});
  });

  it('rejects with false (403) or with a status and reason', async () => {
    const { backend, link } = await setup();
    backend.onConnectionRequest(async (request) => {
      await new Promise((resolve) => setImmediate(resolve));
      if (request.url === '/no') return false;
      return { accept: false, status: 401, reason: 'bad token' };
    });
    const no = frames.connectionRequest('/no');
    const unauthorized = frames.connectionRequest('/who');
    link.send(no);
    link.send(unauthorized);
    const first = await link.waitForAction('response', (f) => f.request_id === no.request_id);
    const second = await link.waitForAction('response', (f) => f.request_id === unauthorized.request_id);
    expect(first.params).toEqual({ accepted: false, status: 403 });
    expect(second.params).toEqual({ accepted: false, status: 401, reason: 'bad token' });
  });

  it('a decision object can accept and set the context', async () => {
    const { backend, link } = await setup();
    backend.onConnectionRequest(() => ({ accept: true, clientId: 'c9', roomId: 'r9', metadata: { n: 9 } }));
    link.send(frames.connectionRequest('/x'));
    const response = await link.waitForAction('response');
    expect(response.params).toEqual({ accepted: true, client_id: 'c9', room_id: 'r9', metadata: { n: 9 } });
  });

  it('a handler that throws rejects the client (500) and reaches onError; the link survives', async () => {
    const { backend, link } = await setup();
    const errors: HandlerError[] = [];
    backend.onError((error) => {
      errors.push(error as HandlerError);
    });
    backend.onConnectionRequest((request) => {
      if (request.url === '/boom') throw new Error('boom');
      return true;
    });
    link.send(frames.connectionRequest('/boom'));
    const rejected = await link.waitForAction('response');
    expect(rejected.params).toEqual({ accepted: false, status: 500, reason: 'connection handler failed' });
    expect(errors).toHaveLength(1);
    expect(isBackendError(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ name: 'HandlerError', code: 'handler_error', event: 'connection_request' });
    expect((errors[0]!.cause as Error).message).toBe('boom');
    link.send(frames.connectionRequest('/fine'));
    const accepted = await link.waitForAction('response', (f) => f.params.accepted === true);
    expect(accepted.params.room_id).toBe('/fine');
  });

  it('a handler that times out rejects the client (504)', async () => {
    const { backend, link } = await setup({ connectionRequestTimeoutMs: 50 });
    const errors: Error[] = [];
    backend.onError((error) => {
      errors.push(error);
    });
    backend.onConnectionRequest(() => new Promise<boolean>(() => {}));
    link.send(frames.connectionRequest('/slow'));
    const response = await link.waitForAction('response');
    expect(response.params).toEqual({ accepted: false, status: 504, reason: 'connection handler timed out' });
    expect(errors[0]).toMatchObject({ code: 'handler_timeout' });
  });

  it('an invalid rejection status is a handler error', async () => {
    const { backend, link } = await setup();
    backend.onConnectionRequest(() => ({ accept: false, status: 200 }));
    link.send(frames.connectionRequest('/x'));
    const response = await link.waitForAction('response');
    expect(response.params).toMatchObject({ accepted: false, status: 500 });
  });
});
