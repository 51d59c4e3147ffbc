// The route types users get from a contract type, with and without the validating entry.
import { defineContract, route } from '@strands/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { connectWithContract } from './contract.js';
import { connect } from './index.js';

const chat = defineContract({
  'chat.who': route.response(z.object({ room: z.string() }), z.array(z.string())),
  'chat.feed': route.stream(z.object({ room: z.string() }), z.object({ text: z.string() })),
  'chat.typing': route.fire(z.object({ on: z.boolean() })),
});

describe('typed routes', () => {
  it('infers outputs and items from the contract type', () => {
    const client = connect<typeof chat>('ws://x');
    expectTypeOf(client.request('chat.who', { room: 'a' })).resolves.toEqualTypeOf<string[]>();
    expectTypeOf(client.stream('chat.feed', { room: 'a' })).toEqualTypeOf<AsyncIterable<{ text: string }>>();
    expectTypeOf(client.fire('chat.typing', { on: true })).resolves.toEqualTypeOf<void>();
    expectTypeOf(client.request).parameter(0).toEqualTypeOf<'chat.who'>();
    expectTypeOf(client.stream).parameter(0).toEqualTypeOf<'chat.feed'>();
  });

  it('keeps the same types on the validating client', () => {
    const client = connectWithContract('ws://x', chat);
    expectTypeOf(client.request('chat.who', { room: 'a' })).resolves.toEqualTypeOf<string[]>();
  });

  it('accepts any route with unknown payloads without a contract', () => {
    const client = connect('ws://x');
    expectTypeOf(client.request('anything', 1)).resolves.toBeUnknown();
    expectTypeOf(client.stream('feed', null)).toEqualTypeOf<AsyncIterable<unknown>>();
  });
});
