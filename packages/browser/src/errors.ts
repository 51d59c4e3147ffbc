// Typed errors of the browser client: a stable `code` to branch on, and `cause` kept.
import { closeMeaning, rejectionStatus, type ReceivedRouteErrorCode } from '@strands/protocol/wire';

/** Stable error codes; documented in the package README. */
export const CLIENT_ERROR_CODES = [
  'rejected',
  'replaced',
  'server_closed',
  'buffer_full',
  'overloaded',
  'no_backend',
  'timeout',
  'disconnected',
  'closed',
  'remote_error',
  'invalid_input',
  'invalid_output',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** Every error the client reports (sends, requests, streams, the connection itself). */
export class StrandsClientError extends Error {
  override readonly name: 'StrandsClientError' | 'RejectedError' | 'RemoteError' = 'StrandsClientError';
  /** Brand for {@link isStrandsClientError}, which must work across two copies of this package. */
  readonly strandsClientError = true;

  constructor(
    readonly code: ClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The backend (or broker) refused this client: code `rejected`, or `replaced` when a newer
 * connection took over the same client id. The client never reconnects after it.
 */
export class RejectedError extends StrandsClientError {
  override readonly name = 'RejectedError' as const;

  constructor(
    /** The WebSocket close code (4000 + HTTP status, 4900 replaced, or 1008). */
    readonly closeCode: number,
    /** The backend's reason, as the broker passed it on. */
    readonly reason: string,
  ) {
    super(closeMeaning(closeCode) === 'replaced' ? 'replaced' : 'rejected', `connection rejected (${closeCode})${reason ? `: ${reason}` : ''}`);
  }

  /** The HTTP status the broker would have answered (`closeCode - 4000` for 4400-4599); undefined for 4900 and 1008. */
  get status(): number | undefined {
    return rejectionStatus(this.closeCode);
  }
}

/** The backend answered a request or stream with an error envelope. */
export class RemoteError extends StrandsClientError {
  override readonly name = 'RemoteError' as const;

  constructor(
    /** The backend's route error code (`handler_error`, `unknown_route`, ...; a newer backend may send others). */
    readonly remoteCode: ReceivedRouteErrorCode,
    message: string,
  ) {
    super('remote_error', message);
  }
}

/** Guard on the brand rather than `instanceof`, so it holds across bundles. */
export function isStrandsClientError(value: unknown): value is StrandsClientError {
  return typeof value === 'object' && value !== null && (value as StrandsClientError).strandsClientError === true;
}
