// Errors of the Redis link, each with a stable `code`: callers decide on the code, never on a client library's message.

/** Stable error codes of the Redis link. */
export const REDIS_LINK_ERROR_CODES = {
  /** The connection is not up (not yet connected, reconnecting) or was lost while the command was in flight. */
  redis_unavailable: 'redis_unavailable',
  /** No reply within `commandTimeoutMs`: the server is stuck or the connection went silent. */
  redis_timeout: 'redis_timeout',
  /** Redis answered with an error (`WRONGTYPE`, `OOM`, `BUSY`, a script error); `reply` holds its first word. */
  redis_reply_error: 'redis_reply_error',
  /** The link was closed with `quit()`. */
  redis_closed: 'redis_closed',
} as const;
export type RedisLinkErrorCode = keyof typeof REDIS_LINK_ERROR_CODES;

/** A Redis command did not succeed; `code` says why, `command` names it, `cause` is the library's error. */
export class RedisLinkError extends Error {
  override readonly name = 'RedisLinkError' as const;
  /** For `redis_reply_error`: the error word Redis replied with (`NOSCRIPT`, `WRONGTYPE`, `ERR`). */
  readonly reply: string | undefined;
  constructor(
    message: string,
    readonly code: RedisLinkErrorCode,
    readonly command: string,
    options?: { cause?: unknown; reply?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reply = options?.reply;
  }
}

/** Guard by name rather than `instanceof`, which fails across two copies of this package. */
export function isRedisLinkError(value: unknown): value is RedisLinkError {
  return value instanceof Error && value.name === 'RedisLinkError';
}
