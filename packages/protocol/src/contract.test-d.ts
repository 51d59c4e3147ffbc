// Type-level expectations of contracts: what users get inferred on both sides, from zod and zod/mini.
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import {
  defineContract,
  route,
  type EventData,
  type EventInput,
  type EventName,
  type FireRouteName,
  type ResponseRouteName,
  type RouteInput,
  type RouteItem,
  type RouteOutput,
  type RouteParsedInput,
  type StandardSchemaV1,
  type StreamRouteName,
} from './index.js';

const contract = defineContract({
  'chat.who': route.response(z.object({ room: z.string() }), z.array(z.string())),
  'chat.feed': route.stream(z.object({ since: z.number().default(0) }), z.object({ text: z.string() })),
  'chat.typing': route.fire(z.object({ on: z.boolean() })),
});
type C = typeof contract;

const mini = defineContract({
  routes: {
    'chat.who': route.response(zm.object({ room: zm.string() }), zm.array(zm.string())),
    'chat.feed': route.stream(zm.object({ since: zm._default(zm.number(), 0) }), zm.object({ text: zm.string() })),
  },
  events: {
    'chat.message': zm.object({ from: zm.string(), text: zm.string(), at: zm.optional(zm.number()) }),
    'chat.cleared': z.object({ at: z.string().transform((s) => new Date(s)) }),
  },
});
type M = typeof mini;

/** A hand-written Standard Schema: no library at all. */
const hand: StandardSchemaV1<string, number> = {
  '~standard': { version: 1, vendor: 'hand', validate: (v) => (typeof v === 'string' ? { value: v.length } : { issues: [{ message: 'not a string' }] }) },
};
const handContract = defineContract({ routes: { len: route.response(hand, hand) }, events: { len: hand } });

describe('contract types', () => {
  it('splits routes by kind', () => {
    expectTypeOf<ResponseRouteName<C>>().toEqualTypeOf<'chat.who'>();
    expectTypeOf<StreamRouteName<C>>().toEqualTypeOf<'chat.feed'>();
    expectTypeOf<FireRouteName<C>>().toEqualTypeOf<'chat.typing'>();
    expectTypeOf<EventName<C>>().toEqualTypeOf<never>();
  });

  it('infers inputs, outputs and items', () => {
    expectTypeOf<RouteInput<C, 'chat.who'>>().toEqualTypeOf<{ room: string }>();
    expectTypeOf<RouteOutput<C, 'chat.who'>>().toEqualTypeOf<string[]>();
    expectTypeOf<RouteItem<C, 'chat.feed'>>().toEqualTypeOf<{ text: string }>();
  });

  it('distinguishes what a caller passes from what a handler receives', () => {
    expectTypeOf<RouteInput<C, 'chat.feed'>>().toEqualTypeOf<{ since?: number | undefined }>();
    expectTypeOf<RouteParsedInput<C, 'chat.feed'>>().toEqualTypeOf<{ since: number }>();
  });

  it('infers the same from zod/mini schemas, in the object form with events', () => {
    expectTypeOf<ResponseRouteName<M>>().toEqualTypeOf<'chat.who'>();
    expectTypeOf<RouteInput<M, 'chat.who'>>().toEqualTypeOf<{ room: string }>();
    expectTypeOf<RouteOutput<M, 'chat.who'>>().toEqualTypeOf<string[]>();
    expectTypeOf<RouteInput<M, 'chat.feed'>>().toEqualTypeOf<{ since?: number | undefined }>();
    expectTypeOf<RouteParsedInput<M, 'chat.feed'>>().toEqualTypeOf<{ since: number }>();
    expectTypeOf<EventName<M>>().toEqualTypeOf<'chat.message' | 'chat.cleared'>();
    expectTypeOf<EventData<M, 'chat.message'>>().toEqualTypeOf<{ from: string; text: string; at?: number | undefined }>();
    expectTypeOf<EventInput<M, 'chat.cleared'>>().toEqualTypeOf<{ at: string }>();
    expectTypeOf<EventData<M, 'chat.cleared'>>().toEqualTypeOf<{ at: Date }>();
  });

  it('infers from a hand-written Standard Schema', () => {
    expectTypeOf<RouteInput<typeof handContract, 'len'>>().toEqualTypeOf<string>();
    expectTypeOf<RouteOutput<typeof handContract, 'len'>>().toEqualTypeOf<number>();
    expectTypeOf<EventData<typeof handContract, 'len'>>().toEqualTypeOf<number>();
  });

  it('refuses what is not a schema', () => {
    // @ts-expect-error a plain object is no Standard Schema
    route.fire({ parse: () => 1 });
  });
});
