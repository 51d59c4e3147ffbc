// @strands/browser: a small, typed Strands client for browsers (and Node with an injected WebSocket).
export { connect, StrandsClient } from './client.js';
export type { ClientEvents, RequestOptions, SendOptions } from './client.js';
export type { ConfirmLayer, Refusal } from './confirm-layer.js';
export {
  resolveOptions,
  DEFAULT_PROTOCOLS,
  DEFAULT_RECONNECT,
  DEFAULT_MAX_RECONNECT_ATTEMPTS,
  DEFAULT_INITIAL_BACKOFF_MS,
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_MAX_BUFFERED_MESSAGES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_STREAM_CREDITS,
  DEFAULT_CONFIRM_AFTER_MS,
} from './options.js';
export type { SessionEvents, SessionLayer, SessionOutcome, RecoveryFailure } from './session.js';
export type { ConnectOptions, ResolvedOptions } from './options.js';
export { StrandsClientError, RejectedError, RemoteError, isStrandsClientError, CLIENT_ERROR_CODES } from './errors.js';
export type { ClientErrorCode } from './errors.js';
export { backoffDelayMs } from './backoff.js';
export { STRANDS_SUBPROTOCOL, STRANDS_REFUSAL_SUBPROTOCOL, finalCloseError } from './close-codes.js';
export type { Unsubscribe } from './emitter.js';
export type {
  SendData,
  WebSocketLike,
  WebSocketConstructor,
  ClientState,
  RequestRoute,
  StreamRoute,
  FireRoute,
  InputOf,
  OutputOf,
  ItemOf,
  EventOf,
  EventDataOf,
  ContractEvents,
} from './types.js';
