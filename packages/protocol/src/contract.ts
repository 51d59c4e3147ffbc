// Contracts: the routes a backend serves and a client calls, each with zod schemas, shared by
// both sides so that both get inferred types and runtime validation from one definition.
import type { z } from 'zod';

/** Request/response: one input, one output. */
export interface ResponseRoute<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly kind: 'response';
  readonly input: I;
  readonly output: O;
}
/** Request/stream: one input, any number of items, under the client's credits. */
export interface StreamRoute<I extends z.ZodType = z.ZodType, T extends z.ZodType = z.ZodType> {
  readonly kind: 'stream';
  readonly input: I;
  readonly item: T;
}
/** Fire-and-forget: one input, no reply. */
export interface FireRoute<I extends z.ZodType = z.ZodType> {
  readonly kind: 'fire';
  readonly input: I;
}
export type RouteDefinition = ResponseRoute | StreamRoute | FireRoute;
export type RouteMap = Record<string, RouteDefinition>;

/** A set of routes; pass the same object to the backend router and the browser client. */
export interface Contract<R extends RouteMap = RouteMap> {
  readonly __strandsContract: true;
  readonly routes: R;
}

/** Route builders for `defineContract`. */
export const route = {
  response<I extends z.ZodType, O extends z.ZodType>(input: I, output: O): ResponseRoute<I, O> {
    return { kind: 'response', input, output };
  },
  stream<I extends z.ZodType, T extends z.ZodType>(input: I, item: T): StreamRoute<I, T> {
    return { kind: 'stream', input, item };
  },
  fire<I extends z.ZodType>(input: I): FireRoute<I> {
    return { kind: 'fire', input };
  },
};

/**
 * Declares a contract.
 * @example
 * const chat = defineContract({
 *   'chat.who': route.response(z.object({}), z.array(z.string())),
 *   'chat.feed': route.stream(z.object({ room: z.string() }), z.object({ text: z.string() })),
 * });
 */
export function defineContract<const R extends RouteMap>(routes: R): Contract<R> {
  for (const [name, def] of Object.entries(routes)) {
    if (name === '') throw new TypeError('route names must not be empty');
    if (def.kind !== 'response' && def.kind !== 'stream' && def.kind !== 'fire') {
      throw new TypeError(`route "${name}" has an unknown kind`);
    }
  }
  return { __strandsContract: true, routes };
}

/** Guard on the brand, not `instanceof`, so contracts survive two copies of this package. */
export function isContract(value: unknown): value is Contract {
  return typeof value === 'object' && value !== null && (value as Contract).__strandsContract === true;
}

type Routes<C extends Contract> = C['routes'];
/** Names of the request/response routes of a contract. */
export type ResponseRouteName<C extends Contract> = {
  [K in keyof Routes<C>]: Routes<C>[K] extends ResponseRoute ? K : never;
}[keyof Routes<C>] & string;
/** Names of the stream routes of a contract. */
export type StreamRouteName<C extends Contract> = {
  [K in keyof Routes<C>]: Routes<C>[K] extends StreamRoute ? K : never;
}[keyof Routes<C>] & string;
/** Names of the fire-and-forget routes of a contract. */
export type FireRouteName<C extends Contract> = {
  [K in keyof Routes<C>]: Routes<C>[K] extends FireRoute ? K : never;
}[keyof Routes<C>] & string;

/** What a caller passes for route K (before parsing). */
export type RouteInput<C extends Contract, K extends keyof Routes<C>> = z.input<Routes<C>[K]['input']>;
/** What a handler receives for route K (after parsing). */
export type RouteParsedInput<C extends Contract, K extends keyof Routes<C>> = z.output<Routes<C>[K]['input']>;
/** What a request/response route answers, as the caller receives it. */
export type RouteOutput<C extends Contract, K extends ResponseRouteName<C>> = z.output<
  Extract<Routes<C>[K], ResponseRoute>['output']
>;
/** One item of a stream route, as the caller receives it. */
export type RouteItem<C extends Contract, K extends StreamRouteName<C>> = z.output<
  Extract<Routes<C>[K], StreamRoute>['item']
>;
