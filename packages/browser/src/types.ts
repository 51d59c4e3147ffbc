// Shapes shared by the client's files: the WebSocket it drives and the route typing it exposes.
import type {
  Contract,
  EventData,
  EventName,
  FireRouteName,
  ResponseRouteName,
  RouteInput,
  RouteItem,
  RouteOutput,
  StreamRouteName,
} from '@strands/protocol';

/** What `send` accepts: text or binary. */
export type SendData = string | ArrayBuffer | ArrayBufferView | Blob;

/**
 * The part of the WebSocket API the client uses. The browser's `WebSocket` and the `ws`
 * package both fit. Handlers take `never` so both libraries' event types are accepted.
 */
export interface WebSocketLike {
  readonly readyState: number;
  readonly protocol: string;
  binaryType: string;
  send(data: SendData): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

/** A WebSocket class: `globalThis.WebSocket`, or `WebSocket` from the `ws` package. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** Where the client is: `closed` is final (after `close()`, a rejection, or giving up). */
export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

// Without a contract (or with the wide default) routes are plain strings and payloads unknown.
type IsWide<C extends Contract> = string extends keyof C['routes'] ? true : false;

/** Route names usable with `request` for contract C. */
export type RequestRoute<C extends Contract> = IsWide<C> extends true ? string : ResponseRouteName<C>;
/** Route names usable with `stream` for contract C. */
export type StreamRoute<C extends Contract> = IsWide<C> extends true ? string : StreamRouteName<C>;
/** Route names usable with `fire` for contract C. */
export type FireRoute<C extends Contract> = IsWide<C> extends true ? string : FireRouteName<C>;
/** What route K takes as input. */
export type InputOf<C extends Contract, K extends string> =
  IsWide<C> extends true ? unknown : K extends keyof C['routes'] ? RouteInput<C, K> : never;
/** What request route K resolves to. */
export type OutputOf<C extends Contract, K extends string> =
  IsWide<C> extends true ? unknown : K extends ResponseRouteName<C> ? RouteOutput<C, K> : never;
/** One item of stream route K. */
export type ItemOf<C extends Contract, K extends string> =
  IsWide<C> extends true ? unknown : K extends StreamRouteName<C> ? RouteItem<C, K> : never;

// Without a contract (or with the wide default) event names are plain strings and their data unknown.
type IsWideEvents<C extends Contract> = string extends keyof C['events'] ? true : false;
/** Event names the backend may push under contract C (`client.on(name, ...)`). */
export type EventOf<C extends Contract> = IsWideEvents<C> extends true ? string : EventName<C>;
/** What a listener of event K receives. */
export type EventDataOf<C extends Contract, K extends string> =
  IsWideEvents<C> extends true ? unknown : K extends EventName<C> ? EventData<C, K> : never;
/** The contract's events as an event map, beside the client's own. */
export type ContractEvents<C extends Contract> = { [K in EventOf<C>]: EventDataOf<C, K> };
