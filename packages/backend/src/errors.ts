// Typed errors of @strands/backend, each with a stable `code` documented in the README.
import type { RouteErrorCode } from '@strands/protocol';

/** Every error code this package uses. */
export const BACKEND_ERROR_CODES = {
  /** An option has a value that cannot work (`resolveOptions()`, `createBackend()`); `option` names it. */
  invalid_option: 'invalid_option',
  /** A router was given a handler for a route the contract lacks, or of the wrong kind. */
  invalid_route: 'invalid_route',
  /** `router.sendEvent` named an event the contract lacks, or its data failed the event's schema. */
  invalid_event: 'invalid_event',
  /** A send could not be held: the per-broker buffer of waiting sends is full. */
  send_buffer_full: 'send_buffer_full',
  /** A send waited longer than `sendTimeoutMs` for a broker to take it. */
  send_timeout: 'send_timeout',
  /** The broker link dropped after the frame was handed to its socket; it may not have arrived. */
  connection_lost: 'connection_lost',
  /** The backend is closed (or closed before the send went out). */
  closed: 'closed',
  /**
   * The TLS handshake with a broker failed: its certificate did not verify (`reason` says why,
   * e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`), it refused our client
   * certificate, or it does not speak TLS. Logged; the link keeps retrying with backoff.
   */
  tls_failed: 'tls_failed',
  /** A broker answered `hello` with `accepted: false` (e.g. a wrong token); that broker is given up. */
  hello_rejected: 'hello_rejected',
  /** A broker answered a frame with `error_reply`. */
  broker_error: 'broker_error',
  /** A broker did not answer a request (e.g. `roomMembers`) in time; PyStrands brokers never do. */
  request_timeout: 'request_timeout',
  /** An application handler threw or rejected. */
  handler_error: 'handler_error',
  /** A connection-request handler did not decide within `connectionRequestTimeoutMs`, or a route handler within `routeTimeoutMs`. */
  handler_timeout: 'handler_timeout',
} as const;
export type BackendErrorCode = keyof typeof BACKEND_ERROR_CODES;

/** Base of this package's errors; check with `isBackendError`, not `instanceof`. */
export class BackendError extends Error {
  override readonly name: 'BackendError' | 'OptionsError' | 'SendError' | 'BrokerError' | 'HandlerError' | 'TlsError' = 'BackendError';
  readonly code: BackendErrorCode;

  constructor(code: BackendErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** An option value that cannot work, thrown before anything connects; `option` names it. */
export class OptionsError extends BackendError {
  override readonly name = 'OptionsError' as const;
  /** The option at fault, as spelled in `BackendOptions` (e.g. `reconnectJitter`). */
  readonly option: string;

  constructor(message: string, option: string) {
    super('invalid_option', message);
    this.option = option;
  }
}

/** A send (or `roomMembers`) did not reach a broker. */
export class SendError extends BackendError {
  override readonly name = 'SendError' as const;
  /** The broker the send was meant for, as `host:port`. */
  readonly broker: string;

  constructor(code: 'send_buffer_full' | 'send_timeout' | 'connection_lost' | 'closed' | 'request_timeout', message: string, broker: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.broker = broker;
  }
}

/** A broker refused something: our `hello`, or one frame (`error_reply`, with the broker's own code). */
export class BrokerError extends BackendError {
  override readonly name = 'BrokerError' as const;
  readonly broker: string;
  /** The broker's reason code (`error_reply` code), where it gave one. */
  readonly brokerCode: string | undefined;

  constructor(code: 'hello_rejected' | 'broker_error', message: string, broker: string, brokerCode?: string) {
    super(code, message);
    this.broker = broker;
    this.brokerCode = brokerCode;
  }
}

/** A TLS handshake with a broker failed; `reason` is OpenSSL's or Node's code, the original error the `cause`. */
export class TlsError extends BackendError {
  override readonly name = 'TlsError' as const;
  readonly broker: string;
  /** Why, as a code: `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`, `ERR_SSL_WRONG_VERSION_NUMBER`, ... */
  readonly reason: string;

  constructor(message: string, broker: string, reason: string, options?: { cause?: unknown }) {
    super('tls_failed', message, options);
    this.broker = broker;
    this.reason = reason;
  }
}

/** What the SDK was doing when an application handler failed. */
export type HandlerEvent = 'connection_request' | 'connect' | 'message' | 'disconnect' | 'route';

/** An application handler threw, rejected or timed out; the original error is the `cause`. */
export class HandlerError extends BackendError {
  override readonly name = 'HandlerError' as const;
  readonly event: HandlerEvent;
  /** The client concerned, where known. */
  readonly clientId: string | undefined;

  constructor(code: 'handler_error' | 'handler_timeout', event: HandlerEvent, clientId: string | undefined, options?: { cause?: unknown }) {
    const detail = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(code, `${event} handler ${code === 'handler_timeout' ? 'timed out' : 'failed'}${detail}`, options);
    this.event = event;
    this.clientId = clientId;
  }
}

/** Guard by name rather than `instanceof`, which fails across two copies of this package. */
export function isBackendError(value: unknown): value is BackendError {
  return (
    value instanceof Error &&
    (value.name === 'BackendError' ||
      value.name === 'OptionsError' ||
      value.name === 'SendError' ||
      value.name === 'BrokerError' ||
      value.name === 'HandlerError' ||
      value.name === 'TlsError') &&
    typeof (value as BackendError).code === 'string'
  );
}

/**
 * Thrown by a route handler to answer the client with this message (other errors reach the client
 * as a generic "internal error", so internals do not leak).
 */
export class RouteError extends Error {
  override readonly name = 'RouteError' as const;
  readonly code: RouteErrorCode;

  constructor(message: string, options?: { code?: RouteErrorCode; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code ?? 'handler_error';
  }
}

/** Guard for RouteError by name. */
export function isRouteError(value: unknown): value is RouteError {
  return value instanceof Error && value.name === 'RouteError' && typeof (value as RouteError).code === 'string';
}
