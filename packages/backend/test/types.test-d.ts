// Type-level expectations: what the router infers from a shared contract.
import { defineContract, route, type RouteItem, type RouteOutput, type RouteParsedInput } from '@strands/protocol';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createRouter, type ClientContext, type RouteContext, type StreamHandlerItem } from '../src/index.js';

const contract = defineContract({
  'chat.send': route.response(z.object({ text: z.string(), at: z.string().transform((s) => new Date(s)) }), z.object({ id: z.number() })),
  'chat.feed': route.stream(z.object({ room: z.string() }), z.object({ text: z.string() })),
  'chat.typing': route.fire(z.object({ on: z.boolean() })),
});
type C = typeof contract;

describe('router types', () => {
  it('gives handlers the parsed input and the context', () => {
    createRouter(contract).response('chat.send', (input, context) => {
      expectTypeOf(input).toEqualTypeOf<{ text: string; at: Date }>();
      expectTypeOf(context).toEqualTypeOf<RouteContext>();
      expectTypeOf(context.client).toEqualTypeOf<ClientContext>();
      expectTypeOf(context.signal).toEqualTypeOf<AbortSignal>();
      return { id: 1 };
    });
    expectTypeOf<RouteParsedInput<C, 'chat.send'>>().toEqualTypeOf<{ text: string; at: Date }>();
  });

  it('checks response outputs and stream items against the contract', () => {
    const router = createRouter(contract);
    // @ts-expect-error: the output must be { id: number }
    router.response('chat.send', () => ({ id: 'one' }));
    router.response('chat.send', async () => ({ id: 2 }));
    router.stream('chat.feed', async function* (input) {
      expectTypeOf(input).toEqualTypeOf<{ room: string }>();
      yield { text: 'hi' };
    });
    // @ts-expect-error: items must be { text: string }
    router.stream('chat.feed', async function* () {
      yield { text: 5 };
    });
    router.fire('chat.typing', (input) => {
      expectTypeOf(input).toEqualTypeOf<{ on: boolean }>();
    });
    expectTypeOf<StreamHandlerItem<C, 'chat.feed'>>().toEqualTypeOf<{ text: string }>();
    expectTypeOf<RouteOutput<C, 'chat.send'>>().toEqualTypeOf<{ id: number }>();
    expectTypeOf<RouteItem<C, 'chat.feed'>>().toEqualTypeOf<{ text: string }>();
  });

  it('accepts only route names of the right kind', () => {
    const router = createRouter(contract);
    // @ts-expect-error: chat.feed is a stream route
    router.response('chat.feed', () => ({ id: 1 }));
    // @ts-expect-error: not a route of the contract
    router.fire('chat.nope', () => {});
    // @ts-expect-error: chat.send is a response route
    router.stream('chat.send', async function* () {});
    expectTypeOf(router.response).parameter(0).toEqualTypeOf<'chat.send'>();
    expectTypeOf(router.stream).parameter(0).toEqualTypeOf<'chat.feed'>();
    expectTypeOf(router.fire).parameter(0).toEqualTypeOf<'chat.typing'>();
  });

  it('types the events a router pushes by the contract', () => {
    const pushes = defineContract({
      routes: {},
      events: { 'chat.message': z.object({ from: z.string(), at: z.date().transform((d) => d.getTime()) }) },
    });
    const router = createRouter(pushes);
    expectTypeOf(router.sendEvent('lobby', 'chat.message', { from: 'ada', at: new Date() })).resolves.toEqualTypeOf<void>();
    expectTypeOf(router.sendEventToConnection).parameter(1).toEqualTypeOf<'chat.message'>();
    // @ts-expect-error at is a Date (the schema's input)
    void router.sendEvent('lobby', 'chat.message', { from: 'ada', at: 1 });
    // @ts-expect-error not an event of the contract
    void router.sendEvent('lobby', 'chat.nope', {});
    // @ts-expect-error a contract of routes only has no events
    void createRouter(contract).sendEvent('lobby', 'chat.message', {});
  });
});
