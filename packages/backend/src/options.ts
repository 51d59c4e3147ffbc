// Every option of @strands/backend, declared once with its default, and the one place they are checked.
import { DEFAULT_MAX_LINE_BYTES } from '@strands/protocol';
import { OptionsError } from './errors.js';
import type { BackendLogger, LogLevel } from './logger.js';

/** Options of `createBackend()` / `new StrandsBackend()`. */
export interface BackendOptions {
  /**
   * Brokers to serve, as `host:port` (a bare port means 127.0.0.1). With several brokers the
   * backend serves all of them: each client's sends go to the broker it came from.
   * `tls://host:port` connects to that broker over TLS (with the `tls` settings, else the
   * system's CAs); `tcp://host:port` is plain TCP even when `tls` is set.
   * @default ['127.0.0.1:8081']
   */
  brokers?: string | readonly string[];
  /**
   * TLS to the brokers (a Strands broker started with `--backend-tls-cert`): `true` or settings
   * for every broker address without a `tcp://` prefix. Unset: plain TCP, except `tls://` addresses.
   * @default undefined (plain TCP, as PyStrands brokers speak)
   */
  tls?: boolean | BrokerTlsOptions;
  /** Name sent in `hello`. @default DEFAULT_NAME ('strands-backend') */
  name?: string;
  /** Token sent in `hello`, for brokers started with a backend token. @default undefined */
  token?: string;
  /** First reconnect delay after a lost or failed connection, in ms. @default 1000 */
  reconnectInitialDelayMs?: number;
  /** Largest reconnect delay, in ms. @default 30000 */
  reconnectMaxDelayMs?: number;
  /** Factor applied to the delay after each failed attempt. @default 2 */
  reconnectMultiplier?: number;
  /** Random share taken off each delay (0: none, 1: anywhere in [0, delay]). @default 0.2 */
  reconnectJitter?: number;
  /** Give up a TCP connect attempt after this long, in ms. @default 10000 */
  connectTimeoutMs?: number;
  /**
   * Drop and reconnect a broker link that sent nothing (not even a heartbeat) for this long, in ms.
   * Brokers send heartbeats every 15 s; 0 disables the check.
   * @default 60000
   */
  brokerIdleTimeoutMs?: number;
  /** Handlers running at once, across clients (one client's events always run one at a time). @default 64 */
  maxConcurrency?: number;
  /** Events received but not yet started past which the SDK stops reading from brokers. @default 1000 */
  maxQueuedEvents?: number;
  /** Items each `messages()`/`connections()`/`disconnections()` iterable buffers before reading pauses. @default 256 */
  streamBufferSize?: number;
  /** Sends held per broker while it is disconnected or not reading; past it sends reject. @default 10000 */
  maxBufferedSends?: number;
  /** A held send rejects after waiting this long, in ms. @default 30000 */
  sendTimeoutMs?: number;
  /** Bytes queued in a broker socket past which new sends are held (and reading pauses). @default 4 MiB */
  maxWriteBufferBytes?: number;
  /**
   * A connection-request handler that takes longer rejects the client (504), in ms, counted from
   * the request's arrival (time waiting for a place in the lane included). @default 8000
   */
  connectionRequestTimeoutMs?: number;
  /**
   * Connection-request handlers running at once; later requests wait in arrival order. They run
   * in a lane of their own, apart from `maxConcurrency`: a slow `onConnectionRequest` never holds
   * up the events of clients already connected. @default 64
   */
  maxConcurrentConnectionRequests?: number;
  /** How long `roomMembers()` waits for the broker's reply, in ms. @default 10000 */
  requestTimeoutMs?: number;
  /**
   * A response or fire-and-forget route handler that takes longer is abandoned: its `signal` is
   * aborted, the client gets a `timeout` error envelope, and the client's next events run, in ms.
   * Below the browser client's own 30 s request timeout, so the client learns why.
   * @default 25000
   */
  routeTimeoutMs?: number;
  /**
   * Route streams one client may have open at once; a stream past it is refused with a
   * `limit_exceeded` error envelope (`STREAM_LIMIT_CODE`; each open stream holds a producer and
   * one item of look-ahead).
   * @default 32
   */
  maxStreamsPerClient?: number;
  /** Longest frame accepted from a broker, in bytes. @default DEFAULT_MAX_LINE_BYTES (4 MiB) */
  maxLineBytes?: number;
  /**
   * Announce `ack` in `hello`: a Strands broker then holds each client event until its handler
   * settles and redelivers what a dead or silent backend did not acknowledge (at least once).
   * Off, events are at most once (delivered once written), as with PyStrands brokers.
   * @default false (ACKNOWLEDGE_DEFAULT)
   */
  acknowledge?: boolean;
  /**
   * Event ids handled lately, remembered so that a redelivery of one (a Strands broker redelivers
   * what it did not see acknowledged) is skipped instead of handled again; 0 disables.
   * @default 10000
   */
  dedupeWindow?: number;
  /** Level of the built-in console logger; ignored when `logger` is given. @default 'warn' */
  logLevel?: LogLevel;
  /** A logger with pino's call shape (`logger.warn(obj, msg)`), e.g. a pino instance. @default console logger */
  logger?: BackendLogger;
}

/** TLS settings of the broker links (PEM text, as `tls.connect` takes it: read files with `readFileSync`). */
export interface BrokerTlsOptions {
  /** CAs to trust instead of the system's (e.g. your own CA's certificate). @default the system's CAs */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate (chain), for brokers that require one (`--backend-tls-ca`). @default none */
  cert?: string | Buffer;
  /** Private key of `cert`. @default none */
  key?: string | Buffer;
  /** Name the broker's certificate must carry (and SNI). @default the broker address's host */
  servername?: string;
  /** Refuse a broker whose certificate does not verify. Turn off only for a test. @default true */
  rejectUnauthorized?: boolean;
}

export const DEFAULT_BROKERS: readonly string[] = ['127.0.0.1:8081'];
export const DEFAULT_NAME = 'strands-backend';
/**
 * Whether `acknowledge` is on when not given: off for now. Acknowledging every event costs the
 * echo round trip 1.14x the instructions (callgrind: SDK 19.1M -> 21.7M, broker 50.1M -> 57.1M per
 * 1,000; before the SDK's ack path was cut, 1.7x the CPU): above the 10% issue 12 allows, so it
 * stays opt-in until the broker's per-event tracking is cheaper too.
 */
export const ACKNOWLEDGE_DEFAULT = false;
export const DEFAULT_RECONNECT_INITIAL_DELAY_MS = 1000;
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 30_000;
export const DEFAULT_RECONNECT_MULTIPLIER = 2;
export const DEFAULT_RECONNECT_JITTER = 0.2;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_BROKER_IDLE_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_CONCURRENCY = 64;
export const DEFAULT_MAX_QUEUED_EVENTS = 1000;
export const DEFAULT_STREAM_BUFFER_SIZE = 256;
export const DEFAULT_MAX_BUFFERED_SENDS = 10_000;
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_WRITE_BUFFER_BYTES = 4 * 1024 * 1024;
export const DEFAULT_CONNECTION_REQUEST_TIMEOUT_MS = 8000;
export const DEFAULT_MAX_CONCURRENT_CONNECTION_REQUESTS = 64;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
export const DEFAULT_ROUTE_TIMEOUT_MS = 25_000;
export const DEFAULT_MAX_STREAMS_PER_CLIENT = 32;
export const DEFAULT_LOG_LEVEL: LogLevel = 'warn';
export const DEFAULT_DEDUPE_WINDOW = 10_000;

/** A broker address, split. */
export interface BrokerAddress {
  host: string;
  port: number;
  /** `host:port`, as used in states and events (as given, with a `tls://` or `tcp://` prefix). */
  address: string;
  /** TLS settings of this link; undefined: plain TCP. */
  tls?: BrokerTlsOptions;
}

/** Options with every default applied and every value checked. */
export interface ResolvedOptions extends Required<Omit<BackendOptions, 'brokers' | 'token' | 'logger' | 'tls'>> {
  brokers: BrokerAddress[];
  token: string | undefined;
  logger: BackendLogger | undefined;
}

/**
 * Merges defaults into `options` and checks every value.
 * @throws OptionsError (code `invalid_option`) naming the option for an impossible value.
 */
export function resolveOptions(options: BackendOptions = {}): ResolvedOptions {
  const list = options.brokers === undefined ? DEFAULT_BROKERS : typeof options.brokers === 'string' ? [options.brokers] : options.brokers;
  if (list.length === 0) throw new OptionsError('brokers: give at least one broker address', 'brokers');
  const resolved: ResolvedOptions = {
    brokers: [...new Set(list)].map((text) => withTls(parseBrokerAddress(text), text, options.tls)),
    name: options.name ?? DEFAULT_NAME,
    token: options.token,
    reconnectInitialDelayMs: options.reconnectInitialDelayMs ?? DEFAULT_RECONNECT_INITIAL_DELAY_MS,
    reconnectMaxDelayMs: options.reconnectMaxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS,
    reconnectMultiplier: options.reconnectMultiplier ?? DEFAULT_RECONNECT_MULTIPLIER,
    reconnectJitter: options.reconnectJitter ?? DEFAULT_RECONNECT_JITTER,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    brokerIdleTimeoutMs: options.brokerIdleTimeoutMs ?? DEFAULT_BROKER_IDLE_TIMEOUT_MS,
    maxConcurrency: options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
    maxQueuedEvents: options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS,
    streamBufferSize: options.streamBufferSize ?? DEFAULT_STREAM_BUFFER_SIZE,
    maxBufferedSends: options.maxBufferedSends ?? DEFAULT_MAX_BUFFERED_SENDS,
    sendTimeoutMs: options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
    maxWriteBufferBytes: options.maxWriteBufferBytes ?? DEFAULT_MAX_WRITE_BUFFER_BYTES,
    connectionRequestTimeoutMs: options.connectionRequestTimeoutMs ?? DEFAULT_CONNECTION_REQUEST_TIMEOUT_MS,
    maxConcurrentConnectionRequests: options.maxConcurrentConnectionRequests ?? DEFAULT_MAX_CONCURRENT_CONNECTION_REQUESTS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    routeTimeoutMs: options.routeTimeoutMs ?? DEFAULT_ROUTE_TIMEOUT_MS,
    maxStreamsPerClient: options.maxStreamsPerClient ?? DEFAULT_MAX_STREAMS_PER_CLIENT,
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    dedupeWindow: options.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW,
    acknowledge: options.acknowledge ?? ACKNOWLEDGE_DEFAULT,
    logLevel: options.logLevel ?? DEFAULT_LOG_LEVEL,
    logger: options.logger,
  };
  positive('reconnectInitialDelayMs', resolved.reconnectInitialDelayMs);
  positive('reconnectMaxDelayMs', resolved.reconnectMaxDelayMs);
  if (resolved.reconnectMaxDelayMs < resolved.reconnectInitialDelayMs) {
    throw new OptionsError('reconnectMaxDelayMs must be at least reconnectInitialDelayMs', 'reconnectMaxDelayMs');
  }
  if (!(resolved.reconnectMultiplier >= 1)) throw new OptionsError('reconnectMultiplier must be >= 1', 'reconnectMultiplier');
  if (!(resolved.reconnectJitter >= 0 && resolved.reconnectJitter <= 1)) {
    throw new OptionsError('reconnectJitter must be between 0 and 1', 'reconnectJitter');
  }
  positive('connectTimeoutMs', resolved.connectTimeoutMs);
  if (!(resolved.brokerIdleTimeoutMs >= 0)) throw new OptionsError('brokerIdleTimeoutMs must be >= 0 (0 disables)', 'brokerIdleTimeoutMs');
  positiveInteger('maxConcurrency', resolved.maxConcurrency);
  positiveInteger('maxQueuedEvents', resolved.maxQueuedEvents);
  positiveInteger('streamBufferSize', resolved.streamBufferSize);
  positiveInteger('maxBufferedSends', resolved.maxBufferedSends);
  positive('sendTimeoutMs', resolved.sendTimeoutMs);
  positive('maxWriteBufferBytes', resolved.maxWriteBufferBytes);
  positive('connectionRequestTimeoutMs', resolved.connectionRequestTimeoutMs);
  positiveInteger('maxConcurrentConnectionRequests', resolved.maxConcurrentConnectionRequests);
  positive('requestTimeoutMs', resolved.requestTimeoutMs);
  positive('routeTimeoutMs', resolved.routeTimeoutMs);
  positiveInteger('maxStreamsPerClient', resolved.maxStreamsPerClient);
  positive('maxLineBytes', resolved.maxLineBytes);
  if (!Number.isInteger(resolved.dedupeWindow) || resolved.dedupeWindow < 0) {
    throw new OptionsError(`dedupeWindow must be an integer >= 0 (got ${resolved.dedupeWindow})`, 'dedupeWindow');
  }
  return resolved;
}

/** Reads `host:port`, `[v6]:port` or a bare port (optionally after `tls://` or `tcp://`); throws an OptionsError for `brokers` otherwise. */
export function parseBrokerAddress(text: string): BrokerAddress {
  const bare = text.replace(/^(tls|tcp):\/\//, '');
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(bare) ?? /^()()(\d+)$/.exec(bare);
  const port = match ? Number(match[3]) : NaN;
  if (!match || !(port > 0 && port < 65536)) {
    throw new OptionsError(`brokers: "${text}" is not a "host:port" address`, 'brokers');
  }
  const host = match[1] || match[2] || '127.0.0.1';
  return { host, port, address: text };
}

/** The TLS settings an address gets: its prefix first, then the `tls` option. */
function withTls(address: BrokerAddress, text: string, tls: BackendOptions['tls']): BrokerAddress {
  if (tls !== undefined && typeof tls !== 'boolean' && (typeof tls !== 'object' || tls === null)) {
    throw new OptionsError('tls must be true, false or { ca, cert, key, servername, rejectUnauthorized }', 'tls');
  }
  if (typeof tls === 'object' && (tls.cert === undefined) !== (tls.key === undefined)) {
    throw new OptionsError('tls: cert and key go together', 'tls');
  }
  const settings = typeof tls === 'object' ? tls : {};
  if (text.startsWith('tcp://')) return address;
  if (text.startsWith('tls://') || (tls !== undefined && tls !== false)) return { ...address, tls: settings };
  return address;
}

function positive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new OptionsError(`${name} must be a positive number (got ${value})`, name);
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new OptionsError(`${name} must be a positive integer (got ${value})`, name);
}
