// The route types users get from a contract type, with and without the validating entry.
import { defineContract, route } from '@strands/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { connectWithContract } from './contract.js';
import { connect } from './index.js';

const chat = defineContract({
  'chat.who': route.response(z.object({ room: z.string() }), z.array(z.string())),
  'chat.feed': route.stream(z.object({ room: z.string() }), z.object({ text: z.string() })),
  'chat.typing': route.fire(z.object({ on: z.boolean() })),
});

const pushes = defineContract({
  routes: { 'chat.who': route.response(zm.object({ room: zm.string() }), zm.array(zm.string())) },
  events: {
    'chat.message': zm.object({ from: zm.string(), text: zm.string() }),
    'chat.cleared': z.object({ at: z.number().transform((ms) => new Date(ms)) }),
  },
});

describe('typed events', () => {
  it('types listeners of contract events by their schema, beside the client events', () => {
    const client = connect<typeof pushes>('ws://x');
    client.on('chat.message', (data) => expectTypeOf(data).toEqualTypeOf<{ from: string; text: string }>());
    client.on('chat.cleared', (data) => expectTypeOf(data).toEqualTypeOf<{ at: Date }>());
    client.on('message', (data) => expectTypeOf(data).toEqualTypeOf<string | ArrayBuffer>());
    client.on('close', ({ willReconnect }) => expectTypeOf(willReconnect).toEqualTypeOf<boolean>());
    // @ts-expect-error not an event of the contract
    client.on('chat.nope', () => {});
    const checked = connectWithContract('ws://x', pushes);
    checked.on('chat.message', (data) => expectTypeOf(data).toEqualTypeOf<{ from: string; text: string }>());
    expectTypeOf(checked.request('chat.who', { room: 'a' })).resolves.toEqualTypeOf<string[]>();
  });

  it('has no contract events for a contract of routes only, and any event without a contract', () => {
    // @ts-expect-error chat has no events
    connect<typeof chat>('ws://x').on('chat.message', () => {});
    connect('ws://x').on('anything', (data) => expectTypeOf(data).toBeUnknown());
  });
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
