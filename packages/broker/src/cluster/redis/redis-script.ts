// A Lua script known by its SHA1, so a call sends EVALSHA (a few bytes) and the source only after a NOSCRIPT.
import { createHash } from 'node:crypto';

/** A Lua script with the SHA1 Redis files it under; make one with {@link defineRedisScript}. */
export interface RedisScript {
  /** A short name for errors and logs (`publish_hist`). */
  readonly name: string;
  readonly source: string;
  /** Lower-case hex SHA1 of `source`, the name EVALSHA takes. */
  readonly sha: string;
}

/**
 * Defines a script once, at module load; the SHA is computed here, so no SCRIPT LOAD round trip is
 * needed before the first call (a NOSCRIPT reply makes the link send the source once with EVAL).
 * @example
 * const incrTo = defineRedisScript('incr_to', "return redis.call('INCRBY', KEYS[1], ARGV[1])");
 * await link.evalsha(incrTo, ['counter'], [5]);
 */
export function defineRedisScript(name: string, source: string): RedisScript {
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}
