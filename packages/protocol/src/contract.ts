// Contracts: the routes a backend serves and a client calls, and the events a backend pushes, each
// with Standard Schema validators (zod, zod/mini, valibot, arktype...), shared by both sides so that
// both get inferred types and runtime validation from one definition. No schema library is loaded here.
import type { StandardSchemaV1 } from './standard-schema.js';
import { RESERVED_EVENT_NAMES } from './wire/envelope-types.js';

export { RESERVED_EVENT_NAMES };

/** Any Standard Schema validator. */
export type Schema = StandardSchemaV1;

/** Request/response: one input, one output. */
export interface ResponseRoute<I extends Schema = Schema, O extends Schema = Schema> {
  readonly kind: 'response';
  readonly input: I;
  readonly output: O;
}
/** Request/stream: one input, any number of items, under the client's credits. */
export interface StreamRoute<I extends Schema = Schema, T extends Schema = Schema> {
  readonly kind: 'stream';
  readonly input: I;
  readonly item: T;
}
/** Fire-and-forget: one input, no reply. */
export interface FireRoute<I extends Schema = Schema> {
  readonly kind: 'fire';
  readonly input: I;
}
export type RouteDefinition = ResponseRoute | StreamRoute | FireRoute;
export type RouteMap = Record<string, RouteDefinition>;
/** Server -> client events: name -> the schema of its data. */
export type EventMap = Record<string, Schema>;
/** What a contract without events has. */
export type NoEvents = Record<never, never>;

/** A set of routes and events; pass the same object to the backend router and the browser client. */
export interface Contract<R extends RouteMap = RouteMap, E extends EventMap = EventMap> {
  readonly __strandsContract: true;
  readonly routes: R;
  readonly events: E;
}

/** Route builders for `defineContract`. */
export const route = {
  response<I extends Schema, O extends Schema>(input: I, output: O): ResponseRoute<I, O> {
    return { kind: 'response', input, output };
  },
  stream<I extends Schema, T extends Schema>(input: I, item: T): StreamRoute<I, T> {
    return { kind: 'stream', input, item };
  },
  fire<I extends Schema>(input: I): FireRoute<I> {
    return { kind: 'fire', input };
  },
};

/** The object form of `defineContract`: routes and server -> client events. */
export interface ContractSpec<R extends RouteMap, E extends EventMap> {
  readonly routes?: R;
  readonly events?: E;
}

function isRouteDefinition(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string';
}

/**
 * Declares a contract: `defineContract({ routes, events })`, or `defineContract(routes)` for routes only.
 * Schemas are any Standard Schema validators (zod, `zod/mini`, valibot, arktype, ...).
 * @example
 * const chat = defineContract({
 *   routes: {
 *     'chat.who': route.response(z.object({}), z.array(z.string())),
 *     'chat.feed': route.stream(z.object({ room: z.string() }), z.object({ text: z.string() })),
 *   },
 *   events: { 'chat.message': z.object({ from: z.string(), text: z.string() }) },
 * });
 */
export function defineContract<const R extends RouteMap = NoRoutes, const E extends EventMap = NoEvents>(spec: ContractSpec<R, E>): Contract<R, E>;
export function defineContract<const R extends RouteMap>(routes: R): Contract<R, NoEvents>;
export function defineContract(spec: RouteMap | ContractSpec<RouteMap, EventMap>): Contract {
  // The object form has only `routes` and `events` keys, neither of them a route.
  const keys = Object.keys(spec);
  const objectForm = keys.length > 0 && keys.every((k) => (k === 'routes' || k === 'events') && !isRouteDefinition((spec as Record<string, unknown>)[k]));
  const routes = (objectForm ? ((spec as ContractSpec<RouteMap, EventMap>).routes ?? {}) : spec) as RouteMap;
  const events = (objectForm ? ((spec as ContractSpec<RouteMap, EventMap>).events ?? {}) : {}) as EventMap;
  for (const [name, def] of Object.entries(routes)) {
    if (name === '') throw new TypeError('route names must not be empty');
    if (def.kind !== 'response' && def.kind !== 'stream' && def.kind !== 'fire') {
      throw new TypeError(`route "${name}" has an unknown kind`);
    }
  }
  for (const [name, schema] of Object.entries(events)) {
    if (name === '') throw new TypeError('event names must not be empty');
    if (RESERVED_EVENT_NAMES.includes(name)) throw new TypeError(`event name "${name}" is reserved (a client event)`);
    if (typeof (schema as Partial<Schema> | null)?.['~standard']?.validate !== 'function') {
      throw new TypeError(`event "${name}" needs a Standard Schema (zod, valibot, ...)`);
    }
  }
  return { __strandsContract: true, routes, events };
}
type NoRoutes = Record<never, never>;

/** Guard on the brand, not `instanceof`, so contracts survive two copies of this package. */
export function isContract(value: unknown): value is Contract {
  return typeof value === 'object' && value !== null && (value as Contract).__strandsContract === true;
}

type Routes<C extends Contract> = C['routes'];
type Events<C extends Contract> = C['events'];
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
/** Names of the server -> client events of a contract. */
export type EventName<C extends Contract> = keyof Events<C> & string;

/** What a caller passes for route K (before parsing). */
export type RouteInput<C extends Contract, K extends keyof Routes<C>> = StandardSchemaV1.InferInput<Routes<C>[K]['input']>;
/** What a handler receives for route K (after parsing). */
export type RouteParsedInput<C extends Contract, K extends keyof Routes<C>> = StandardSchemaV1.InferOutput<Routes<C>[K]['input']>;
/** What a request/response route answers, as the caller receives it. */
export type RouteOutput<C extends Contract, K extends ResponseRouteName<C>> = StandardSchemaV1.InferOutput<
  Extract<Routes<C>[K], ResponseRoute>['output']
>;
/** One item of a stream route, as the caller receives it. */
export type RouteItem<C extends Contract, K extends StreamRouteName<C>> = StandardSchemaV1.InferOutput<
  Extract<Routes<C>[K], StreamRoute>['item']
>;
/** What the backend passes for event K (before parsing). */
export type EventInput<C extends Contract, K extends EventName<C>> = StandardSchemaV1.InferInput<Events<C>[K]>;
/** What a client receives for event K (after parsing). */
export type EventData<C extends Contract, K extends EventName<C>> = StandardSchemaV1.InferOutput<Events<C>[K]>;
