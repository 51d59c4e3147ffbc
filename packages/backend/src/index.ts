// @strands/backend: the SDK application backends write against (Strands and PyStrands brokers).
export { StrandsBackend, createBackend } from './backend.js';
export type {
  BrokerEvent,
  BrokerEventHandler,
  ConnectEvent,
  ConnectHandler,
  ConnectionRequestHandler,
  DisconnectHandler,
  ErrorHandler,
  MessageHandler,
} from './backend.js';
export type { BackendStatus, BrokerState } from './core.js';
export type { BrokerLinkStatus } from './broker-link.js';
export { IncomingMessage } from './client.js';
export type { ClientContext, Disconnection, EventDelivery } from './client.js';
export { ConnectionRequest } from './connection-request.js';
export type { ConnectionDecision } from './connection-request.js';
export type { EventStream } from './event-stream.js';
export type { HistoryMessage, RoomHistoryOptions, RoomHistoryPage } from './room-history.js';

export { Router, createRouter, STREAM_LIMIT_CODE } from './router/router.js';
export type { RouterLike, RouterHost } from './router/router.js';
export type {
  FireHandler,
  ResponseHandler,
  ResponseHandlerOutput,
  RouteContext,
  StreamHandler,
  StreamHandlerItem,
} from './router/types.js';

export {
  BACKEND_ERROR_CODES,
  BackendError,
  BrokerError,
  HandlerError,
  OptionsError,
  RouteError,
  SendError,
  TlsError,
  isBackendError,
  isRouteError,
} from './errors.js';
export type { BackendErrorCode, HandlerEvent } from './errors.js';

export { createConsoleLogger } from './logger.js';
export type { BackendLogger, LogLevel } from './logger.js';

export {
  resolveOptions,
  DEFAULT_BROKERS,
  DEFAULT_NAME,
  DEFAULT_RECONNECT_INITIAL_DELAY_MS,
  DEFAULT_RECONNECT_MAX_DELAY_MS,
  DEFAULT_RECONNECT_MULTIPLIER,
  DEFAULT_RECONNECT_JITTER,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_BROKER_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_QUEUED_EVENTS,
  DEFAULT_STREAM_BUFFER_SIZE,
  DEFAULT_MAX_BUFFERED_SENDS,
  DEFAULT_SEND_TIMEOUT_MS,
  DEFAULT_MAX_WRITE_BUFFER_BYTES,
  DEFAULT_CONNECTION_REQUEST_TIMEOUT_MS,
  DEFAULT_MAX_CONCURRENT_CONNECTION_REQUESTS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_ROUTE_TIMEOUT_MS,
  DEFAULT_MAX_STREAMS_PER_CLIENT,
  DEFAULT_LOG_LEVEL,
  DEFAULT_DEDUPE_WINDOW,
} from './options.js';
export type { BackendOptions, ResolvedOptions, BrokerAddress, BrokerTlsOptions } from './options.js';
export { reconnectDelayMs } from './backoff.js';
