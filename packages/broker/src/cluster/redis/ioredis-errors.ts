// ioredis' errors turned into RedisLinkError codes: the only place that reads the library's error names and messages.
import { isRedisLinkError, RedisLinkError } from './errors.js';

/** Maps what an ioredis command rejected with; `closed` says whether the link was quit. */
export function fromIoredisError(error: unknown, command: string, closed: boolean): RedisLinkError {
  if (isRedisLinkError(error)) return error;
  const cause = error instanceof Error ? error : new Error(String(error));
  if (cause.name === 'ReplyError') {
    const reply = cause.message.split(' ', 1)[0] ?? 'ERR';
    return new RedisLinkError(`${command}: ${cause.message}`, 'redis_reply_error', command, { cause, reply });
  }
  if (cause.message === 'Command timed out') {
    return new RedisLinkError(`${command}: no reply in time`, 'redis_timeout', command, { cause });
  }
  if (closed) return closedError(command);
  // MaxRetriesPerRequestError (lost in flight), "Stream isn't writeable…" (no offline queue),
  // "Connection is closed." and socket errors: all mean the connection is not there.
  return new RedisLinkError(`${command}: Redis unavailable (${cause.message})`, 'redis_unavailable', command, { cause });
}

/** The command connection is not up: refused before it reaches ioredis. */
export function unavailableError(command: string, lastError: string | undefined): RedisLinkError {
  return new RedisLinkError(
    `${command}: Redis unavailable${lastError ? ` (${lastError})` : ''}`,
    'redis_unavailable',
    command,
  );
}

export function closedError(command: string): RedisLinkError {
  return new RedisLinkError(`${command}: the Redis link is closed`, 'redis_closed', command);
}

/** True for the reply Redis gives EVALSHA with an unknown SHA (after a restart or SCRIPT FLUSH). */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.name === 'ReplyError' && error.message.startsWith('NOSCRIPT');
}
