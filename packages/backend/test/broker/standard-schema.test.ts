// Routes whose schemas are not zod classic: zod/mini, an async zod schema and a hand-written
// Standard Schema, validated through `~standard.validate` (a raw ws client, the real broker).
import { defineContract, route, type StandardSchemaV1 } from '@strands/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { createRouter } from '../../src/index.js';
import { until } from '../support/fake-broker.js';
import { TestClient, brokerWithBackend } from '../support/real-broker.js';

/** A positive integer, by hand: no schema library at all. */
const positive: StandardSchemaV1<number> = {
  '~standard': {
    version: 1,
    vendor: 'test',
    validate: (v) => (Number.isSafeInteger(v) && (v as number) > 0 ? { value: v as number } : { issues: [{ message: 'must be a positive integer', path: [{ key: 'n' }] }] }),
  },
};

const contract = defineContract({
  routes: {
    'mini.add': route.response(zm.object({ a: zm.number(), b: zm.number() }), zm.number()),
    'mini.bad': route.response(zm.object({}), zm.string()),
    'async.name': route.response(z.object({ name: z.string().refine(async (s) => s !== 'taken', 'taken') }), z.object({ ok: z.boolean() })),
    'hand.count': route.stream(zm.object({ to: zm.number() }), positive),
  },
});

interface Reply {
  strands: string;
  id: string;
  data?: unknown;
  code?: string;
  message?: string;
}

async function setup() {
  const { addresses, backend } = await brokerWithBackend();
  const errors: Error[] = [];
  backend.onError((error) => void errors.push(error));
  backend.use(
    createRouter(contract)
      .response('mini.add', ({ a, b }) => a + b)
      .response('mini.bad', () => 42 as unknown as string)
      .response('async.name', () => ({ ok: true }))
      .stream('hand.count', async function* ({ to }) {
        for (let n = to; n >= 0; n -= 1) yield n; // ends with 0: not positive
      }),
  );
  const client = await TestClient.open(`${addresses.wsUrl}/schemas`);
  const replies = async (id: string, count = 1): Promise<Reply[]> => {
    await until(() => (client.json() as Reply[]).filter((r) => r.id === id).length >= count, `${count} replies to ${id}`);
    return (client.json() as Reply[]).filter((r) => r.id === id);
  };
  return { client, errors, replies, send: (e: object) => client.send(JSON.stringify(e)) };
}

describe('routes with any Standard Schema', () => {
  it('zod/mini: validates the input and the output', async () => {
    const { send, replies, errors } = await setup();
    send({ strands: 'request', id: 'ok', route: 'mini.add', data: { a: 2, b: 3 } });
    expect(await replies('ok')).toEqual([{ strands: 'response', id: 'ok', data: 5 }]);
    send({ strands: 'request', id: 'in', route: 'mini.add', data: { a: 2, b: 'x' } });
    expect(await replies('in')).toEqual([{ strands: 'error', id: 'in', code: 'invalid_input', message: expect.stringMatching(/^b: /) }]);
    send({ strands: 'request', id: 'out', route: 'mini.bad', data: {} });
    expect((await replies('out'))[0]).toMatchObject({ code: 'invalid_output' });
    await until(() => errors.length === 1, 'the invalid output reported');
    expect(errors[0]!.cause).toMatchObject({ name: 'SchemaIssues', issues: [expect.objectContaining({ message: expect.any(String) })] });
  });

  it('an async schema: its promise is awaited before the handler runs', async () => {
    const { send, replies } = await setup();
    send({ strands: 'request', id: 'free', route: 'async.name', data: { name: 'ada' } });
    send({ strands: 'request', id: 'taken', route: 'async.name', data: { name: 'taken' } });
    expect(await replies('free')).toEqual([{ strands: 'response', id: 'free', data: { ok: true } }]);
    expect(await replies('taken')).toEqual([{ strands: 'error', id: 'taken', code: 'invalid_input', message: 'name: taken' }]);
  });

  it('a hand-written schema checks stream items', async () => {
    const { send, replies } = await setup();
    send({ strands: 'stream', id: 's', route: 'hand.count', data: { to: 2 }, n: 10 });
    expect(await replies('s', 3)).toEqual([
      { strands: 'next', id: 's', data: 2 },
      { strands: 'next', id: 's', data: 1 },
      { strands: 'error', id: 's', code: 'invalid_output', message: 'the stream produced an invalid item' },
    ]);
    send({ strands: 'stream', id: 'bad', route: 'hand.count', data: { to: 'x' }, n: 1 });
    expect(await replies('bad')).toEqual([{ strands: 'error', id: 'bad', code: 'invalid_input', message: expect.stringMatching(/^to: /) }]);
  });
});
