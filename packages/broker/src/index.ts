// @strands/broker: the Strands broker (WebSocket gateway, backend TCP server, rooms, routing, queue).
export { createBroker } from './broker.js';
export type { Broker, BrokerAddresses, BrokerParts, TlsReloadResult } from './broker.js';

export { LocalBackplane } from './core/local-backplane.js';
export type {
  Backplane,
  BackplaneEvents,
  BackplaneHealth,
  LocalClientInfo,
  LocalNode,
  MaybePromise,
  MemberInfo,
} from './core/backplane.js';
export { MemoryEventStore } from './core/memory-event-store.js';
export { ClusterBackplane } from './cluster/cluster-backplane.js';
export type { ClusterBackplaneState, ClusterBackplaneStats } from './cluster/cluster-backplane.js';
export type { ClusterMessage, ClusterResponse } from './cluster/cluster-messages.js';
export type { NodeMessage } from './cluster/node-messages.js';
export {
  DEFAULT_CLUSTER_HEARTBEAT_INTERVAL_MS,
  DEFAULT_CLUSTER_NODE_TIMEOUT_MS,
  DEFAULT_CLUSTER_REQUEST_TIMEOUT_MS,
  DEFAULT_CLUSTER_MAX_PENDING_REQUESTS,
  DEFAULT_CLUSTER_MAX_DIRECTORY_CLIENTS,
  DEFAULT_CLUSTER_MAX_RELAYED_CLIENTS,
} from './cluster/cluster-options.js';
export { ClusterDecider } from './cluster/cluster-decider.js';
export type { EventConsumer, EventOwner, ConsumerSource } from './core/consumers.js';
export type { EventDispatcher } from './core/dispatcher.js';
export type { ClusterBackplaneOptions, ClusterLogger } from './cluster/cluster-options.js';
export type { AppendOutcome, ConsumerKey, EventStore, KeptListener, StoredEvent } from './core/event-store.js';
export type { SendAnswer, SendOutcome } from './core/overflow.js';
export type { DeadLetter } from './core/dead-letters.js';
export { DEAD_LETTERS_KEPT } from './core/dispatcher.js';

export {
  resolveOptions,
  DEFAULT_WS_PORT,
  DEFAULT_TCP_PORT,
  DEFAULT_HOST,
  DEFAULT_TCP_HOST,
  DEFAULT_QUEUE_SIZE,
  DEFAULT_QUEUE_OVERFLOW,
  DEFAULT_CONNECTION_REQUEST_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_BACKEND_LINE_BYTES,
  DEFAULT_MAX_CLIENT_BUFFER_BYTES,
  DEFAULT_CLIENT_WRITE_DELAY_MS,
  DEFAULT_CLUSTER_CLIENT_WRITE_DELAY_MS,
  DEFAULT_MAX_BACKEND_BUFFER_BYTES,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_RETRY_AFTER_SECONDS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_PENDING_UPGRADES,
  DEFAULT_LOG_LEVEL,
  DEFAULT_CLUSTER_PREFIX,
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_MAX_DELIVERIES,
  DEFAULT_MAX_UNACKED_EVENTS,
  LOG_LEVELS,
  QUEUE_OVERFLOW_POLICIES,
} from './options.js';
export type { BrokerOptions, ResolvedOptions, QueueOverflowPolicy, LogLevel, ClusterOption } from './options.js';

export { OptionsError, BrokerStateError, ListenError, TlsFilesError, BROKER_ERROR_CODES, isBrokerError } from './errors.js';
export type { BrokerErrorCode } from './errors.js';

export { STRANDS_SUBPROTOCOL, STRANDS_REFUSAL_SUBPROTOCOL } from './gateway/handshake.js';
export type { Gauges as BrokerStats } from './metrics.js';
