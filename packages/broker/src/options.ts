// Every broker option, declared once with its default, and how the given ones resolve (checked in option-checks.ts).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { OptionsError } from './errors.js';
import { checkOptions, invalid } from './option-checks.js';
import type { LogLevel, QueueOverflowPolicy } from './option-values.js';

export { LOG_LEVELS, QUEUE_OVERFLOW_POLICIES, type LogLevel, type QueueOverflowPolicy } from './option-values.js';

export const DEFAULT_WS_PORT = 8080;
export const DEFAULT_TCP_PORT = 8081;
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_TCP_HOST = '127.0.0.1';
export const DEFAULT_QUEUE_SIZE = 1000;
export const DEFAULT_QUEUE_OVERFLOW: QueueOverflowPolicy = 'drop-newest';
export const DEFAULT_MAX_QUEUE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_CONNECTION_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 15_000;
export const DEFAULT_PING_INTERVAL_MS = 30_000;
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_BACKEND_LINE_BYTES = 8 * 1024 * 1024;
export const DEFAULT_MAX_CLIENT_BUFFER_BYTES = 1024 * 1024;
/** Off on one broker: a frame goes out in the event-loop turn after it was queued, the lowest latency. */
export const DEFAULT_CLIENT_WRITE_DELAY_MS = 0;
/**
 * In cluster mode: a room's messages reach each broker spread out in time, one Redis payload
 * after another, so without a wait each write to a client carries fewer of them than one
 * broker's do (measured: 3.7-5.2 frames per write against 6.5, and 1.8x one broker's CPU per
 * delivery); a millisecond lets them share writes. Only fan-out frames wait.
 */
export const DEFAULT_CLUSTER_CLIENT_WRITE_DELAY_MS = 1;
export const DEFAULT_MAX_BACKEND_BUFFER_BYTES = 64 * 1024 * 1024;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;
export const DEFAULT_RETRY_AFTER_SECONDS = 5;
export const DEFAULT_MAX_CONNECTIONS = 100_000;
export const DEFAULT_MAX_CONNECTIONS_PER_IP = 0;
export const DEFAULT_MAX_PENDING_UPGRADES = 2_048;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';
export const DEFAULT_CLUSTER_PREFIX = 'strands';
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_DELIVERIES = 5;
export const DEFAULT_MAX_UNACKED_EVENTS = 10_000;
/** A chat client sends a few messages a second, a game client 30-128 inputs a second; a flood thousands. */
export const DEFAULT_CLIENT_MESSAGES_PER_SECOND = 200;
/** Five seconds of the rate at once: a reconnecting client flushing its send buffer (the browser client keeps 100) passes. */
export const DEFAULT_CLIENT_MESSAGE_BURST = 1_000;
export const DEFAULT_CLIENT_BYTES_PER_SECOND = 1024 * 1024;
/** Four messages of the default maxMessageBytes at once. */
export const DEFAULT_CLIENT_BYTE_BURST = 4 * 1024 * 1024;
export const DEFAULT_CLIENT_OVER_LIMIT_CLOSE_MS = 10_000;
/** An HTTP client sends its request line within a loopback round trip of connecting; a PyStrands backend says nothing. */
export const DEFAULT_BACKEND_PROBATION_MS = 100;
export const DEFAULT_HISTORY_SIZE = 100;
export const DEFAULT_HISTORY_BYTES = 1024 * 1024;
export const DEFAULT_HISTORY_TTL_MS = 300_000;
export const DEFAULT_HISTORY_MAX_ROOMS = 10_000;
export const DEFAULT_MAX_RECOVERY_MESSAGES = 300;
export const DEFAULT_RESUME_WINDOW_MS = 120_000;

/** Cluster mode: several brokers sharing rooms, presence and direct delivery through Redis. */
export interface ClusterOption {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). */
  url: string;
  /** Prefix of every Redis key and channel the cluster uses, so several clusters can share one Redis. @default 'strands' */
  prefix?: string;
}

/**
 * The durable queue of client events on Redis Streams (`--queue`): events wait for and are held by
 * backends in memory as well as in Redis, so they survive a broker crash and restart. Only `url`
 * is required; the rest is checked when the broker is created.
 */
export interface QueueOption {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** Prefix of the queue's keys. @default the cluster's prefix, else 'strands' */
  prefix?: string;
  /** Partition streams (a client's events all go to one); fixed for the life of the data. @default 16 */
  partitions?: number;
  /** This broker's consumer name in the group `backends`; a restart under the same name takes its events back at once. @default 'broker' (cluster mode: the node id) */
  consumer?: string;
  /** A broker whose lease (renewed every third of it) lapsed is dead: another claims its events. @default 15000 */
  leaseMs?: number;
  /** Entries one partition stream holds, all brokers together; past it new events are kept in memory only (counted). @default 100000 */
  maxStreamLength?: number;
  /** Dead letters kept in the `<prefix>:queue:dlq` stream. @default 10000 */
  deadLettersKept?: number;
}

/** Options of `createBroker`. Every field is optional. */
export interface BrokerOptions {
  /** WebSocket port (also /healthz, /readyz and /metrics unless `metricsPort` is set); 0 picks a free one. @default 8080 */
  wsPort?: number;
  /** Backend TCP port; 0 picks a free one. @default 8081 */
  tcpPort?: number;
  /** Interface of the WebSocket side. @default '0.0.0.0' */
  host?: string;
  /** Interface of the backend side; loopback so the backend port is not exposed unless asked. @default '127.0.0.1' */
  tcpHost?: string;
  /**
   * Serve /healthz, /readyz and /metrics on this port instead of the WebSocket port (which then
   * answers them 404); 0 picks a free one. Unset: they are on the WebSocket port. @default undefined
   */
  metricsPort?: number;
  /** Interface of `metricsPort` (only with it; e.g. `127.0.0.1` to keep metrics off the network). @default the `host` option */
  metricsHost?: string;
  /** Events kept while no backend is connected; 0 disables the queue. @default 1000 */
  queueSize?: number;
  /**
   * What a full queue (`queueSize` events or `maxQueueBytes`) does with a new event: drops it,
   * drops the oldest waiting one, or refuses it and tells its sender `overloaded`. @default 'drop-newest'
   */
  queueOverflow?: QueueOverflowPolicy;
  /** Bytes of the events waiting in the queue (their backend lines), beside `queueSize`. @default 67108864 (64 MiB) */
  maxQueueBytes?: number;
  /**
   * When set, a backend must send `hello` with this token before anything it sends is acted on.
   * Required when `tcpHost` is not a loopback address. @default undefined
   */
  backendToken?: string;
  /**
   * A file holding the backend token (its first line), read at start: unlike a flag, it is not
   * visible in the process list to every local user. Not together with `backendToken`. @default undefined
   */
  backendTokenFile?: string;
  /**
   * Origins a browser may connect from (`https://app.example.com`, `https://*.example.com`,
   * `http://localhost:*`): an upgrade whose `Origin` matches none is refused 403 before a
   * backend is asked (cross-site WebSocket hijacking). Requests without `Origin` (not from a
   * browser) pass. Unset: any origin, with a warning at start when `host` is not loopback.
   * @default undefined
   */
  allowedOrigins?: string[];
  /**
   * PEM certificate (chain) file of the WebSocket port: with `tlsKey`, clients connect with
   * `wss://` (and /healthz, /readyz, /metrics there are https). Read again on SIGHUP (the CLI) or
   * `broker.reloadTls()`. @default undefined (plain ws://)
   */
  tlsCert?: string;
  /** PEM private key file of `tlsCert`. @default undefined */
  tlsKey?: string;
  /** PEM certificate file of the backend port: with `backendTlsKey`, backends connect over TLS. @default undefined (plain TCP) */
  backendTlsCert?: string;
  /** PEM private key file of `backendTlsCert`. @default undefined */
  backendTlsKey?: string;
  /**
   * PEM CA file: backends must present a client certificate it signed (mutual TLS). Only with
   * `backendTlsCert`; stands in for `backendToken` when `tcpHost` is not loopback. @default undefined
   */
  backendTlsCa?: string;
  /** Time a client has to send its upgrade request's headers (slowloris); past it the socket is cut (with TLS: also the handshake, on both ports). @default 10000 */
  handshakeTimeoutMs?: number;
  /** How long an upgrade waits for the backend's `response` before answering 504. @default 10000 */
  connectionRequestTimeoutMs?: number;
  /** Interval of `heartbeat` frames to backends (and of the stalled-backend check). @default 15000 */
  heartbeatIntervalMs?: number;
  /** Interval of WebSocket pings; a client that missed the previous pong is dropped. 0 disables. @default 30000 */
  pingIntervalMs?: number;
  /** Largest WebSocket message a client may send; larger closes it with 1009. @default 1048576 (1 MiB) */
  maxMessageBytes?: number;
  /** Longest line a backend may send; longer lines are skipped with an error reply. @default 8388608 (8 MiB) */
  maxBackendLineBytes?: number;
  /** Bytes a client may have unsent before it is closed with 1013. @default 1048576 (1 MiB) */
  maxClientBufferBytes?: number;
  /**
   * How long the broker waits, once a room's or a broadcast's frame is queued while no write to
   * clients was due, before it writes to clients: the fan-out frames that come meanwhile share
   * each client's write. In busy rooms that is fewer writes (each a syscall) per delivery, so
   * less CPU and more deliveries per second, for up to this much more latency on room messages.
   * Other frames (replies to one client, acks) never wait: their client is written in the next
   * event-loop turn, with its waiting fan-out frames before them. 0: every write in the next turn.
   * @default 0 on one broker; 1 in cluster mode (`cluster`, or a clustered `backplane`), where a
   * room's messages reach each broker spread out in time
   */
  clientWriteDelayMs?: number;
  /** Bytes a backend may have unsent before it is dropped. @default 67108864 (64 MiB) */
  maxBackendBufferBytes?: number;
  /** Bound of `stop()`: clients and backends still open after it are cut. @default 5000 */
  shutdownTimeoutMs?: number;
  /** `Retry-After` seconds of the 503 sent while no backend is connected. @default 5 */
  retryAfterSeconds?: number;
  /** Clients connected at once (upgrades waiting for a decision count too); past it: 503 with `Retry-After`. 0: no limit. @default 100000 */
  maxConnections?: number;
  /** Clients at once from one IP address; past it: 503. 0: no limit (behind a load balancer every client has its address). @default 0 */
  maxConnectionsPerIp?: number;
  /** Upgrades waiting for a backend's decision at once; past it: 503 without asking. @default 2048 */
  maxPendingUpgrades?: number;
  /** Log level of the logger the broker creates (ignored when `logger` is given). @default 'info' */
  logLevel?: LogLevel;
  /** A pino logger to use instead of creating one. @default undefined */
  logger?: Logger;
  /** Cluster mode on Redis; without it the broker loads no Redis code and serves its own clients only. @default undefined */
  cluster?: ClusterOption;
  /**
   * Where client events wait for backends: `'memory'` (this process) or Redis Streams
   * (`{ url: 'redis://…' }`, durable). @default 'memory'; in cluster mode the cluster's Redis and prefix
   */
  queue?: QueueOption | 'memory';
  /**
   * Rooms that keep history, by name pattern (`*` matches anything: `chat:*`); a backend may also
   * turn it on or off for one room (`set_room_history`). Their messages get offsets and epochs, and
   * clients that drop recover what they missed. @default [] (none)
   */
  historyRooms?: string[];
  /** Messages kept per room with history. @default 100 */
  historySize?: number;
  /** Bytes of messages kept per room with history (UTF-8 bytes of their text). @default 1048576 (1 MiB) */
  historyBytes?: number;
  /** How long a message stays in a room's history, in ms. @default 300000 */
  historyTtlMs?: number;
  /** Rooms whose history is kept at once (and rooms a backend may set apart); past it the least recently written is forgotten. @default 10000 */
  historyMaxRooms?: number;
  /** Messages one room's recovery may replay; a client that missed more reloads instead. @default 300 */
  maxRecoveryMessages?: number;
  /** How long after a drop a client may resume its session (client id and rooms) with its resume token, in ms; 0: never. @default 120000 */
  resumeWindowMs?: number;
  /**
   * Key of the resume tokens' HMAC. Every broker of a cluster needs the same one (a token from
   * any broker works on every other). @default random per broker start (tokens die with the broker)
   */
  resumeSecret?: string;
  /**
   * How long a backend that announced `ack` may leave an event unacknowledged before it goes out
   * again (to another backend where there is one), in ms. Above the slowest handler plus the time
   * events wait in a busy backend: a slow backend gets duplicates, not lost events.
   * @default 30000
   */
  ackTimeoutMs?: number;
  /** Deliveries of one event to backends that acknowledge, after which it is a dead letter (counted, logged, `broker.deadLetters()`). @default 5 */
  maxDeliveries?: number;
  /**
   * Events held for backends that acknowledge and not yet acknowledged, all backends together;
   * past it new events wait in the queue (`queueSize`, `queueOverflow`) until acknowledgements come.
   * @default 10000
   */
  maxUnackedEvents?: number;
  /**
   * Messages per second one client may sustain. Over its limits a client is not read (nothing it
   * sent is dropped: its socket is paused until its debt is paid); one that stays over for
   * `clientOverLimitCloseMs` is closed with 1008. 0: no message limit. @default 200
   */
  clientMessagesPerSecond?: number;
  /** Messages one client may send at once above `clientMessagesPerSecond` (the bucket's size). @default 1000 */
  clientMessageBurst?: number;
  /** Payload bytes per second one client may sustain; 0: no byte limit. @default 1048576 (1 MiB) */
  clientBytesPerSecond?: number;
  /** Payload bytes one client may send at once above `clientBytesPerSecond`. @default 4194304 (4 MiB) */
  clientByteBurst?: number;
  /**
   * A client still over its rate limits this long after it first went over (its buckets never
   * refilled meanwhile) is closed with 1008 `rate limit exceeded`. 0: never closed, only paused. @default 10000
   */
  clientOverLimitCloseMs?: number;
  /**
   * Without a `backendToken`, how long a backend that says nothing (a PyStrands backend never
   * speaks first) must stay silent before it gets connection requests and events; a first valid
   * frame (an SDK backend's `hello`) proves it at once, an HTTP request refuses it. 0: at once.
   * @default 100
   */
  backendProbationMs?: number;
}

/** Options after defaults were applied and values checked. */
export type ResolvedOptions = Required<
  Omit<BrokerOptions, 'backendToken' | 'backendTokenFile' | 'allowedOrigins' | 'logger' | 'cluster' | 'metricsPort' | 'metricsHost' | TlsOption>
> &
  Pick<BrokerOptions, 'backendToken' | 'allowedOrigins' | 'logger' | 'metricsPort' | 'metricsHost' | TlsOption> & { cluster: Required<ClusterOption> | undefined };

/** The TLS file options (all optional, checked in pairs). */
type TlsOption = 'tlsCert' | 'tlsKey' | 'backendTlsCert' | 'backendTlsKey' | 'backendTlsCa';

/**
 * Applies defaults and checks every value (option-checks.ts).
 * @throws OptionsError naming the option and the value that cannot work.
 */
/** `clustered`: the broker runs in cluster mode (a clustered backplane given, or `cluster`): some defaults differ. */
export function resolveOptions(options: BrokerOptions = {}, clustered = options.cluster !== undefined): ResolvedOptions {
  const resolved: ResolvedOptions = {
    wsPort: options.wsPort ?? DEFAULT_WS_PORT,
    tcpPort: options.tcpPort ?? DEFAULT_TCP_PORT,
    host: options.host ?? DEFAULT_HOST,
    tcpHost: options.tcpHost ?? DEFAULT_TCP_HOST,
    metricsPort: options.metricsPort,
    metricsHost: options.metricsPort === undefined ? options.metricsHost : (options.metricsHost ?? options.host ?? DEFAULT_HOST),
    queueSize: options.queueSize ?? DEFAULT_QUEUE_SIZE,
    queueOverflow: options.queueOverflow ?? DEFAULT_QUEUE_OVERFLOW,
    maxQueueBytes: options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES,
    backendToken: tokenOf(options),
    allowedOrigins: options.allowedOrigins,
    tlsCert: options.tlsCert,
    tlsKey: options.tlsKey,
    backendTlsCert: options.backendTlsCert,
    backendTlsKey: options.backendTlsKey,
    backendTlsCa: options.backendTlsCa,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
    connectionRequestTimeoutMs: options.connectionRequestTimeoutMs ?? DEFAULT_CONNECTION_REQUEST_TIMEOUT_MS,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxBackendLineBytes: options.maxBackendLineBytes ?? DEFAULT_MAX_BACKEND_LINE_BYTES,
    maxClientBufferBytes: options.maxClientBufferBytes ?? DEFAULT_MAX_CLIENT_BUFFER_BYTES,
    clientWriteDelayMs: options.clientWriteDelayMs ?? (clustered ? DEFAULT_CLUSTER_CLIENT_WRITE_DELAY_MS : DEFAULT_CLIENT_WRITE_DELAY_MS),
    maxBackendBufferBytes: options.maxBackendBufferBytes ?? DEFAULT_MAX_BACKEND_BUFFER_BYTES,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    retryAfterSeconds: options.retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    maxConnectionsPerIp: options.maxConnectionsPerIp ?? DEFAULT_MAX_CONNECTIONS_PER_IP,
    maxPendingUpgrades: options.maxPendingUpgrades ?? DEFAULT_MAX_PENDING_UPGRADES,
    logLevel: options.logLevel ?? DEFAULT_LOG_LEVEL,
    logger: options.logger,
    cluster: resolveCluster(options.cluster),
    queue: resolveQueue(options.queue, options.cluster),
    ackTimeoutMs: options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS,
    maxDeliveries: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES,
    maxUnackedEvents: options.maxUnackedEvents ?? DEFAULT_MAX_UNACKED_EVENTS,
    clientMessagesPerSecond: options.clientMessagesPerSecond ?? DEFAULT_CLIENT_MESSAGES_PER_SECOND,
    clientMessageBurst: options.clientMessageBurst ?? DEFAULT_CLIENT_MESSAGE_BURST,
    clientBytesPerSecond: options.clientBytesPerSecond ?? DEFAULT_CLIENT_BYTES_PER_SECOND,
    clientByteBurst: options.clientByteBurst ?? DEFAULT_CLIENT_BYTE_BURST,
    clientOverLimitCloseMs: options.clientOverLimitCloseMs ?? DEFAULT_CLIENT_OVER_LIMIT_CLOSE_MS,
    backendProbationMs: options.backendProbationMs ?? DEFAULT_BACKEND_PROBATION_MS,
    historyRooms: options.historyRooms ?? [],
    historySize: options.historySize ?? DEFAULT_HISTORY_SIZE,
    historyBytes: options.historyBytes ?? DEFAULT_HISTORY_BYTES,
    historyTtlMs: options.historyTtlMs ?? DEFAULT_HISTORY_TTL_MS,
    historyMaxRooms: options.historyMaxRooms ?? DEFAULT_HISTORY_MAX_ROOMS,
    maxRecoveryMessages: options.maxRecoveryMessages ?? DEFAULT_MAX_RECOVERY_MESSAGES,
    resumeWindowMs: options.resumeWindowMs ?? DEFAULT_RESUME_WINDOW_MS,
    resumeSecret: options.resumeSecret ?? randomBytes(32).toString('hex'),
  };
  checkOptions(resolved);
  return resolved;
}

/** The token given, or the first line of the token file. */
function tokenOf(options: BrokerOptions): string | undefined {
  const file = options.backendTokenFile;
  if (file === undefined) return options.backendToken;
  if (options.backendToken !== undefined) throw new OptionsError('invalid options: give backendToken or backendTokenFile, not both', 'backendTokenFile');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new OptionsError(`invalid option backendTokenFile: cannot read ${JSON.stringify(file)} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, 'backendTokenFile');
  }
  const token = (text.split(/\r?\n/)[0] ?? '').trim();
  if (token === '') throw new OptionsError(`invalid option backendTokenFile: ${JSON.stringify(file)} holds no token on its first line`, 'backendTokenFile');
  return token;
}

/** 'memory', or the Redis queue (cluster mode: on the cluster's Redis unless told otherwise); the rest is checked by the queue. */
function resolveQueue(queue: QueueOption | 'memory' | undefined, cluster: ClusterOption | undefined): QueueOption | 'memory' {
  if (queue === 'memory') return queue;
  if (queue === undefined) return cluster === undefined ? 'memory' : { url: cluster.url, prefix: cluster.prefix ?? DEFAULT_CLUSTER_PREFIX };
  if (typeof queue !== 'object' || queue === null || typeof queue.url !== 'string' || !/^rediss?:\/\/[^/]/.test(queue.url)) {
    // Named queue.url for an object, so the CLI reports the flag or file key that gave it.
    const object = typeof queue === 'object' && queue !== null;
    throw invalid(object ? 'queue.url' : 'queue', object ? queue.url : queue, "'memory' or a redis:// URL such as redis://127.0.0.1:6379/0");
  }
  return { prefix: cluster?.prefix ?? DEFAULT_CLUSTER_PREFIX, ...queue };
}

function resolveCluster(cluster: ClusterOption | undefined): Required<ClusterOption> | undefined {
  if (cluster === undefined) return undefined;
  if (typeof cluster !== 'object' || cluster === null) throw invalid('cluster', cluster, '{ url, prefix? }');
  const { url } = cluster;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') || parsed.hostname === '') {
    throw invalid('cluster.url', url, 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0');
  }
  const prefix = cluster.prefix ?? DEFAULT_CLUSTER_PREFIX;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(prefix)) {
    throw invalid('cluster.prefix', prefix, '1-64 letters, digits or _ . : -');
  }
  return { url, prefix };
}
