// Options of the Redis backplane, declared once with their defaults, and the one check of them.
import { OptionsError } from '../../errors.js';
import type { ClusterBackplaneOptions } from '../cluster-options.js';
import type { RedisLinkOptions } from './link-options.js';
import type { RedisLink } from './redis-link.js';

export const DEFAULT_REDIS_PREFIX = 'strands';

/** Options of a `RedisBackplane`: the cluster's, plus where Redis is. */
export interface RedisBackplaneOptions extends ClusterBackplaneOptions {
  /** `redis://host:port` of the cluster's Redis. */
  url: string;
  /** Prefix of every channel and key; clusters sharing one Redis need different ones. @default 'strands' */
  prefix?: string;
  /** Link settings (probe, timeouts, reconnect delays); `url` and the probe channel come from here. @default {} */
  link?: Omit<RedisLinkOptions, 'url' | 'probeChannel'>;
  /** Opens the link: the seam for another client library. @default createIoredisLink */
  connect?: (options: RedisLinkOptions) => Promise<RedisLink>;
}

/** Checks what the cluster options do not (those are checked by ClusterBackplane). */
export function checkRedisBackplaneOptions(options: RedisBackplaneOptions): { prefix: string } {
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  if (typeof prefix !== 'string' || prefix === '' || /[\s{}]/.test(prefix)) {
    throw new OptionsError(`prefix must be a non-empty string without spaces or braces, got ${JSON.stringify(prefix)}`, 'prefix');
  }
  if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
    throw new OptionsError(`url must start with redis:// or rediss://, got ${JSON.stringify(options.url)}`, 'url');
  }
  return { prefix };
}
