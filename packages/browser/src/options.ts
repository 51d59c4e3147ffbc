// Options of `connect`, declared once: defaults, units, and the checks that reject nonsense.
import { STRANDS_REFUSAL_SUBPROTOCOL, STRANDS_SUBPROTOCOL } from './close-codes.js';
import type { ConfirmLayer } from './confirm-layer.js';
import type { SessionLayer } from './session.js';
import type { WebSocketConstructor } from './types.js';

export interface ConnectOptions {
  /** The WebSocket class to use (pass `WebSocket` from `ws` in Node 20). @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /**
   * Subprotocols to offer. With `strands.v1` the broker reports rejections as close codes
   * 4000 + HTTP status, which browsers can read; pass `[]` for a broker that does not know it
   * (the PyStrands Go broker), at the price of rejections looking like network failures.
   * @default ['strands.v1']
   */
  protocols?: string[];
  /** Reconnect after a connection drops or fails (never after a rejection). @default true */
  reconnect?: boolean;
  /** Consecutive failed attempts after which the client gives up (`Infinity`: never). @default Infinity */
  maxReconnectAttempts?: number;
  /** Cap of the first backoff window; doubles with each failed attempt. @default 500 */
  initialBackoffMs?: number;
  /** Largest backoff window. @default 30000 */
  maxBackoffMs?: number;
  /** Sends held while disconnected; further sends fail with `buffer_full`. @default 100 */
  maxBufferedMessages?: number;
  /** Default time a `request` may take, buffering included (`Infinity`: no limit). @default 30000 */
  requestTimeoutMs?: number;
  /** Items a stream may have in flight (its credit window). @default 16 */
  streamCredits?: number;
  /**
   * A new connection counts as accepted at its first message, or once it stayed open this long.
   * Until then a rejection re-sends (or fails) what was written on it, and backoff keeps growing.
   * @default 1000
   */
  confirmAfterMs?: number;
  /**
   * A session with a Strands broker (`strands.v1` only), from `recovery()` of
   * `@strands/browser/recovery`: the client keeps its client id and rooms across reconnects
   * (resume token), and in rooms with history gets what it missed while away (`recovered`) or is
   * told it cannot (`recovery_failed`). @default undefined (no session)
   */
  session?: SessionLayer | undefined;
  /**
   * Confirmed sends, from `confirmedSends()` of `@strands/browser/confirm`: `send(data, { confirm:
   * true })` then settles on the broker's answer, and the `refused` event reports refusals no
   * promise does. @default undefined (a confirmed send rejects with a TypeError)
   */
  confirms?: ConfirmLayer | undefined;
}

export const DEFAULT_PROTOCOLS: readonly string[] = [STRANDS_SUBPROTOCOL, STRANDS_REFUSAL_SUBPROTOCOL];
export const DEFAULT_RECONNECT = true;
export const DEFAULT_MAX_RECONNECT_ATTEMPTS = Infinity;
export const DEFAULT_INITIAL_BACKOFF_MS = 500;
export const DEFAULT_MAX_BACKOFF_MS = 30_000;
export const DEFAULT_MAX_BUFFERED_MESSAGES = 100;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_STREAM_CREDITS = 16;
export const DEFAULT_CONFIRM_AFTER_MS = 1000;

export type ResolvedOptions = Required<Omit<ConnectOptions, 'session' | 'confirms'>> & Pick<ConnectOptions, 'session' | 'confirms'>;

function check(ok: boolean, message: string): void {
  if (!ok) throw new TypeError(`@strands/browser: ${message}`);
}

/** Merges options with the defaults; throws a TypeError naming the first impossible value. */
export function resolveOptions(options: ConnectOptions = {}): ResolvedOptions {
  const o: ResolvedOptions = {
    WebSocket: options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket!,
    protocols: options.protocols ?? [...DEFAULT_PROTOCOLS],
    reconnect: options.reconnect ?? DEFAULT_RECONNECT,
    maxReconnectAttempts: options.maxReconnectAttempts ?? DEFAULT_MAX_RECONNECT_ATTEMPTS,
    initialBackoffMs: options.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS,
    maxBackoffMs: options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS,
    maxBufferedMessages: options.maxBufferedMessages ?? DEFAULT_MAX_BUFFERED_MESSAGES,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    streamCredits: options.streamCredits ?? DEFAULT_STREAM_CREDITS,
    confirmAfterMs: options.confirmAfterMs ?? DEFAULT_CONFIRM_AFTER_MS,
    session: options.session,
    confirms: options.confirms,
  };
  check(typeof o.WebSocket === 'function', 'no WebSocket implementation; pass options.WebSocket (e.g. from "ws")');
  check(o.maxReconnectAttempts >= 0, 'maxReconnectAttempts must be >= 0');
  check(o.initialBackoffMs > 0 && o.initialBackoffMs <= o.maxBackoffMs, 'need 0 < initialBackoffMs <= maxBackoffMs');
  check(Number.isInteger(o.maxBufferedMessages) && o.maxBufferedMessages >= 0, 'maxBufferedMessages must be an integer >= 0');
  check(o.requestTimeoutMs > 0, 'requestTimeoutMs must be > 0');
  check(Number.isInteger(o.streamCredits) && o.streamCredits > 0, 'streamCredits must be an integer > 0');
  check(o.confirmAfterMs >= 0, 'confirmAfterMs must be >= 0');
  return o;
}
