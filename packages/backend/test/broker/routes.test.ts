// Reactive routes end to end: a raw ws client speaking envelopes, the real broker, the SDK router.
import { describe, expect, it } from 'vitest';
import { RouteError, STREAM_LIMIT_CODE, createRouter, type BackendOptions, type StrandsBackend } from '../../src/index.js';
import { testContract } from '../support/contract.js';
import { until } from '../support/fake-broker.js';
import { TestClient, brokerWithBackend } from '../support/real-broker.js';

interface Reply {
  strands: string;
  id: string;
  data?: unknown;
  code?: string;
  message?: string;
}

async function setup(options: BackendOptions = {}) {
  const { addresses, backend } = await brokerWithBackend(options);
  const produced = { count: 0, forever: 0, foreverFinally: 0, notes: [] as string[], plain: [] as string[], aborts: [] as unknown[] };
  const errors: Error[] = [];
  backend.onError((error) => {
    errors.push(error);
  });
  backend.onMessage((message) => {
    produced.plain.push(message.message);
  });
  let nextId = 0;
  const router = createRouter(testContract)
    .response('chat.send', async ({ text }, { client }) => ({ id: ++nextId, echo: `${client.clientId}: ${text}` }))
    .response('chat.fail', ({ kind }) => {
      if (kind === 'refuse') throw new RouteError('not today', { code: 'handler_error' });
      throw new Error('database exploded');
    })
    .response('chat.bad', () => ({ ok: false }) as unknown as { ok: true })
    .fire('chat.note', ({ note }) => {
      produced.notes.push(note);
    })
    // Never settle; they record why their signal was aborted.
    .response('slow', (_input, { signal }) => {
      signal.addEventListener('abort', () => produced.aborts.push(signal.reason));
      return new Promise<never>(() => {});
    })
    .fire('slow.note', (_input, { signal }) => {
      signal.addEventListener('abort', () => produced.aborts.push(signal.reason));
      return new Promise<never>(() => {});
    })
    .stream('count', async function* ({ to }) {
      for (let n = 1; n <= to; n += 1) {
        produced.count += 1;
        yield { n };
      }
    })
    .stream('forever', async function* (_input, { signal }) {
      try {
        for (let n = 0; !signal.aborted; n += 1) {
          produced.forever += 1;
          yield n;
        }
      } finally {
        produced.foreverFinally += 1;
      }
    });
  backend.use(router);
  const client = await TestClient.open(`${addresses.wsUrl}/routes`);
  const replies = (id: string): Reply[] => (client.json() as Reply[]).filter((r) => r.id === id);
  const waitReplies = async (id: string, count: number): Promise<Reply[]> => {
    await until(() => replies(id).length >= count, `${count} replies to ${id}`);
    return replies(id);
  };
  const send = (envelope: object) => client.send(JSON.stringify(envelope));
  return { backend: backend as StrandsBackend, router, client, produced, errors, send, replies, waitReplies };
}

describe('reactive routes', () => {
  it('request-response: typed answer to the caller only', async () => {
    const { send, waitReplies, client } = await setup();
    send({ strands: 'request', id: 'r1', route: 'chat.send', data: { text: 'hi' } });
    const [reply] = await waitReplies('r1', 1);
    expect(reply!.strands).toBe('response');
    expect(reply!.data).toMatchObject({ id: 1, echo: expect.stringMatching(/: hi$/) });
    expect(client.received).toHaveLength(1);
  });

  it('answers invalid input, unknown routes, handler errors and invalid output with typed errors', async () => {
    const { send, waitReplies, errors, produced } = await setup();
    send({ strands: 'request', id: 'bad-input', route: 'chat.send', data: { text: '' } });
    send({ strands: 'request', id: 'no-route', route: 'nope', data: {} });
    send({ strands: 'request', id: 'unserved', route: 'unserved', data: {} });
    send({ strands: 'request', id: 'wrong-kind', route: 'count', data: { to: 1 } });
    send({ strands: 'request', id: 'crash', route: 'chat.fail', data: { kind: 'crash' } });
    send({ strands: 'request', id: 'refuse', route: 'chat.fail', data: { kind: 'refuse' } });
    send({ strands: 'request', id: 'bad-output', route: 'chat.bad', data: {} });
    send({ strands: 'request', id: 'malformed', route: 5 });
    const code = async (id: string) => {
      const [reply] = await waitReplies(id, 1);
      expect(reply!.strands).toBe('error');
      return [reply!.code, reply!.message];
    };
    expect((await code('bad-input'))[0]).toBe('invalid_input');
    expect((await code('no-route'))[0]).toBe('unknown_route');
    expect((await code('unserved'))[0]).toBe('unknown_route');
    expect((await code('wrong-kind'))[0]).toBe('unknown_route');
    expect(await code('crash')).toEqual(['handler_error', 'internal error']);
    expect(await code('refuse')).toEqual(['handler_error', 'not today']);
    expect((await code('bad-output'))[0]).toBe('invalid_output');
    expect((await code('malformed'))[0]).toBe('invalid_input');
    await until(() => errors.length === 2, 'two reported errors');
    expect(errors.map((e) => (e.cause as Error).message ?? e.message).join()).toContain('database exploded');
    expect(produced.plain).toEqual([]);
  });

  it('fire-and-forget runs the handler and sends nothing; plain messages still reach onMessage', async () => {
    const { send, client, produced } = await setup();
    send({ strands: 'fire', route: 'chat.note', data: { note: 'n1' } });
    client.send('just text');
    await until(() => produced.notes.length === 1 && produced.plain.length === 1);
    expect(produced.notes).toEqual(['n1']);
    expect(produced.plain).toEqual(['just text']);
    expect(client.received).toEqual([]);
  });

  it('streams only as many items as the client granted, then completes', async () => {
    const { send, waitReplies, replies, produced } = await setup();
    send({ strands: 'stream', id: 's1', route: 'count', data: { to: 5 }, n: 2 });
    const first = await waitReplies('s1', 2);
    expect(first.map((r) => r.data)).toEqual([{ n: 1 }, { n: 2 }]);
    // The producer runs at most one item past the credits: a stalled client costs no memory.
    await until(() => produced.count === 3);
    send({ strands: 'request_n', id: 's1', n: 10 });
    const all = await waitReplies('s1', 6);
    expect(all.map((r) => r.strands)).toEqual(['next', 'next', 'next', 'next', 'next', 'complete']);
    expect(all.slice(0, 5).map((r) => (r.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5]);
    expect(replies('s1')).toHaveLength(6);
  });

  it('a producer waits at its yield while the client grants nothing', async () => {
    const { send, waitReplies, produced, router } = await setup();
    send({ strands: 'stream', id: 'slow', route: 'forever', data: {}, n: 3 });
    await waitReplies('slow', 3);
    // The stream is open and waiting; the generator is parked one item past the three granted.
    await until(() => produced.forever === 4, 'the look-ahead item');
    expect(router.openStreams).toBe(1);
    send({ strands: 'request_n', id: 'slow', n: 2 });
    await waitReplies('slow', 5);
    await until(() => produced.forever === 6, 'the next look-ahead item');
    expect(produced.forever).toBe(6);
  });

  it('cancel stops the producer (its finally runs) and sends nothing more', async () => {
    const { send, waitReplies, replies, produced, router } = await setup();
    send({ strands: 'stream', id: 'f1', route: 'forever', data: {}, n: 3 });
    await waitReplies('f1', 3);
    send({ strands: 'cancel', id: 'f1' });
    await until(() => produced.foreverFinally === 1, 'the producer to stop');
    expect(router.openStreams).toBe(0);
    send({ strands: 'request_n', id: 'f1', n: 5 });
    send({ strands: 'request', id: 'after', route: 'chat.send', data: { text: 'x' } });
    await waitReplies('after', 1);
    expect(replies('f1')).toHaveLength(3);
  });

  it('a client that disconnects cancels its streams', async () => {
    const { send, waitReplies, produced, router, client } = await setup();
    send({ strands: 'stream', id: 'a', route: 'forever', data: {}, n: 1 });
    send({ strands: 'stream', id: 'b', route: 'forever', data: {}, n: 1 });
    await waitReplies('a', 1);
    await waitReplies('b', 1);
    expect(router.openStreams).toBe(2);
    await client.close();
    await until(() => produced.foreverFinally === 2, 'both producers to stop');
    expect(router.openStreams).toBe(0);
  });

  it('stream input is validated, and a stream with zero credits waits for request_n', async () => {
    const { send, waitReplies, replies } = await setup();
    send({ strands: 'stream', id: 'bad', route: 'count', data: { to: -1 }, n: 1 });
    const [error] = await waitReplies('bad', 1);
    expect(error).toMatchObject({ strands: 'error', code: 'invalid_input' });
    send({ strands: 'stream', id: 'zero', route: 'count', data: { to: 1 }, n: 0 });
    send({ strands: 'request', id: 'marker', route: 'chat.send', data: { text: 'm' } });
    await waitReplies('marker', 1);
    expect(replies('zero')).toEqual([]);
    send({ strands: 'request_n', id: 'zero', n: 1 });
    const items = await waitReplies('zero', 2);
    expect(items.map((r) => r.strands)).toEqual(['next', 'complete']);
  });

  it('a response handler that never settles gets a timeout reply, and the client is served again', async () => {
    const { send, waitReplies, errors, produced } = await setup({ routeTimeoutMs: 50 });
    send({ strands: 'request', id: 'stuck', route: 'slow', data: {} });
    send({ strands: 'fire', route: 'slow.note', data: {} });
    // Queued behind the stuck calls in this client's lane: it runs only once they are abandoned.
    send({ strands: 'request', id: 'next', route: 'chat.send', data: { text: 'still there?' } });
    const [timedOut] = await waitReplies('stuck', 1);
    expect(timedOut).toMatchObject({ strands: 'error', code: 'timeout', message: expect.stringContaining('50 ms') });
    const [answer] = await waitReplies('next', 1);
    expect(answer!.strands).toBe('response');
    expect(produced.aborts).toEqual(['timeout', 'timeout']);
    await until(() => errors.length === 2, 'two reported timeouts');
    for (const error of errors) expect(error).toMatchObject({ name: 'HandlerError', code: 'handler_timeout', event: 'route' });
  });

  it('refuses streams past maxStreamsPerClient with a typed error, and accepts again once one ends', async () => {
    const { send, waitReplies, replies, produced, router } = await setup({ maxStreamsPerClient: 2 });
    send({ strands: 'stream', id: 'a', route: 'forever', data: {}, n: 1 });
    send({ strands: 'stream', id: 'b', route: 'forever', data: {}, n: 1 });
    send({ strands: 'stream', id: 'c', route: 'forever', data: {}, n: 1 });
    const [refused] = await waitReplies('c', 1);
    expect(refused).toMatchObject({ strands: 'error', code: STREAM_LIMIT_CODE, message: expect.stringMatching(/too many open streams/) });
    await waitReplies('a', 1);
    await waitReplies('b', 1);
    expect(router.openStreams).toBe(2);
    send({ strands: 'cancel', id: 'a' });
    await until(() => produced.foreverFinally === 1, 'stream a to end');
    send({ strands: 'stream', id: 'd', route: 'forever', data: {}, n: 1 });
    const [item] = await waitReplies('d', 1);
    expect(item).toMatchObject({ strands: 'next', data: expect.any(Number) });
    expect(replies('c')).toHaveLength(1);
  });
});
