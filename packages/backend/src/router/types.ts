// Handler types of the router, inferred from a contract's Standard Schema validators.
import type {
  Contract,
  FireRouteName,
  ResponseRoute,
  ResponseRouteName,
  RouteParsedInput,
  StandardSchemaV1,
  StreamRoute,
  StreamRouteName,
} from '@strands/protocol';
import type { ClientContext } from '../client.js';

type Routes<C extends Contract> = C['routes'];

/** What every route handler receives besides its input. */
export interface RouteContext {
  /** The calling client. */
  readonly client: ClientContext;
  /** The route name. */
  readonly route: string;
  /** Aborted when the client disconnects, cancels the stream, or the backend closes. */
  readonly signal: AbortSignal;
}

/** What a response handler returns for route K: the output schema's input (it is validated). */
export type ResponseHandlerOutput<C extends Contract, K extends ResponseRouteName<C>> = StandardSchemaV1.InferInput<
  Extract<Routes<C>[K], ResponseRoute>['output']
>;
/** What a stream handler yields for route K: the item schema's input (each item is validated). */
export type StreamHandlerItem<C extends Contract, K extends StreamRouteName<C>> = StandardSchemaV1.InferInput<
  Extract<Routes<C>[K], StreamRoute>['item']
>;

export type ResponseHandler<C extends Contract, K extends ResponseRouteName<C>> = (
  input: RouteParsedInput<C, K>,
  context: RouteContext,
) => ResponseHandlerOutput<C, K> | Promise<ResponseHandlerOutput<C, K>>;

/** A stream handler: usually an `async function*`; it is pulled only as the client grants credits. */
export type StreamHandler<C extends Contract, K extends StreamRouteName<C>> = (
  input: RouteParsedInput<C, K>,
  context: RouteContext,
) => AsyncIterable<StreamHandlerItem<C, K>>;

export type FireHandler<C extends Contract, K extends FireRouteName<C>> = (
  input: RouteParsedInput<C, K>,
  context: RouteContext,
) => void | Promise<void>;
