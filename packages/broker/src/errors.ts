// Errors the broker throws, each with a stable `code` documented in the README.

/** Stable error codes of @strands/broker. */
export const BROKER_ERROR_CODES = {
  /** An option has a value that cannot work (a port out of range, a negative size). */
  invalid_option: 'invalid_option',
  /** `start()` called twice, or after `stop()`. */
  invalid_state: 'invalid_state',
  /** A port could not be bound (in use, no permission, unknown host). */
  listen_failed: 'listen_failed',
  /** A TLS certificate, key or CA file cannot be read or used (at start: exit 2; on SIGHUP: logged, the old one kept). */
  tls_files_invalid: 'tls_files_invalid',
} as const;
export type BrokerErrorCode = keyof typeof BROKER_ERROR_CODES;

/** An option value that cannot work; `option` names it. */
export class OptionsError extends Error {
  override readonly name = 'OptionsError' as const;
  readonly code = BROKER_ERROR_CODES.invalid_option;
  constructor(
    message: string,
    readonly option: string,
  ) {
    super(message);
  }
}

/** A lifecycle call made at the wrong time. */
export class BrokerStateError extends Error {
  override readonly name = 'BrokerStateError' as const;
  readonly code = BROKER_ERROR_CODES.invalid_state;
}

/** A listening socket could not be opened; `cause` holds the system error. */
export class ListenError extends Error {
  override readonly name = 'ListenError' as const;
  readonly code = BROKER_ERROR_CODES.listen_failed;
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
  }
}

/** A TLS file cannot be read, is not PEM, or the key does not match the certificate; `option` names it. */
export class TlsFilesError extends Error {
  override readonly name = 'TlsFilesError' as const;
  readonly code = BROKER_ERROR_CODES.tls_files_invalid;
  constructor(
    message: string,
    readonly option: string,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Guard by name rather than `instanceof`, which fails across two copies of this package. */
export function isBrokerError(value: unknown): value is OptionsError | BrokerStateError | ListenError | TlsFilesError {
  return (
    value instanceof Error &&
    (value.name === 'OptionsError' || value.name === 'BrokerStateError' || value.name === 'ListenError' || value.name === 'TlsFilesError')
  );
}
