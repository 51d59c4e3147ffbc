// Type-level expectations of contracts: what users get inferred on both sides.
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  defineContract,
  route,
  type FireRouteName,
  type ResponseRouteName,
  type RouteInput,
  type RouteItem,
  type RouteOutput,
  type RouteParsedInput,
  type StreamRouteName,
} from './index.js';

const contract = defineContract({
  'chat.who': route.response(z.object({ room: z.string() }), z.array(z.string())),
  'chat.feed': route.stream(z.object({ since: z.number().default(0) }), z.object({ text: z.string() })),
  'chat.typing': route.fire(z.object({ on: z.boolean() })),
});
type C = typeof contract;

describe('contract types', () => {
  it('splits routes by kind', () => {
    expectTypeOf<ResponseRouteName<C>>().toEqualTypeOf<'chat.who'>();
    expectTypeOf<StreamRouteName<C>>().toEqualTypeOf<'chat.feed'>();
    expectTypeOf<FireRouteName<C>>().toEqualTypeOf<'chat.typing'>();
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
});
