// Options of the Redis backplane, declared once with their defaults, and the one check of them.
import { OptionsError } from '../../errors.js';
import type { ClusterBackplaneOptions } from '../cluster-options.js';
import type { RedisLinkOptions } from './link-options.js';
import type { RedisLink } from './redis-link.js';

export const DEFAULT_REDIS_PREFIX = 'strands';
export const DEFAULT_NODE_BEAT_INTERVAL_MS = 3_000;
export const DEFAULT_NODE_REAP_AFTER_MS = 7_000;
export const DEFAULT_REAP_LOCK_MS = 30_000;
export const DEFAULT_DIRECTORY_CACHE_MS = 3_000;
export const DEFAULT_MAX_CACHED_CONNECTIONS = 10_000;
export const DEFAULT_MAX_WAITING_PUBLISHES = 10_000;

/** Options of a `RedisBackplane`: the cluster's, plus where Redis is and how its state is kept. */
export interface RedisBackplaneOptions extends ClusterBackplaneOptions {
  /** `redis://host:port` of the cluster's Redis. */
  url: string;
  /** Prefix of every channel and key; clusters sharing one Redis need different ones. @default 'strands' */
  prefix?: string;
  /** Link settings (probe, timeouts, reconnect delays); `url` and the probe channel come from here. @default {} */
  link?: Omit<RedisLinkOptions, 'url' | 'probeChannel'>;
  /** Opens the link: the seam for another client library. @default createIoredisLink */
  connect?: (options: RedisLinkOptions) => Promise<RedisLink>;
  /**
   * How often this node beats into the node registry and looks for silent nodes to reap. The beat
   * is the node's lease on its presence and connection directory entries, which are never
   * refreshed one by one: they go when a survivor reaps the node. @default 3000
   */
  nodeBeatIntervalMs?: number;
  /** A node whose last beat is older than this is reaped (its presence and directory entries removed); must exceed `nodeBeatIntervalMs`. @default 7000 */
  nodeReapAfterMs?: number;
  /** Lifetime of the lock a reaper takes on a silent node: at most one reaper per node in that time. @default 30000 */
  reapLockMs?: number;
  /** How long a looked-up connection directory entry is trusted locally before it is read again. @default 3000 */
  directoryCacheMs?: number;
  /** Directory entries cached at most; past it the oldest goes. @default 10000 */
  maxCachedConnections?: number;
  /**
   * Publishes held in order behind direct messages whose node is being looked up; past it a
   * publish is dropped and counted (`publishFailures`). @default 10000
   */
  maxWaitingPublishes?: number;
}

export interface ResolvedRedisBackplaneOptions {
  prefix: string;
  nodeBeatIntervalMs: number;
  nodeReapAfterMs: number;
  reapLockMs: number;
  directoryCacheMs: number;
  maxCachedConnections: number;
  maxWaitingPublishes: number;
}

/** Fills defaults and checks what the cluster options do not (those are checked by ClusterBackplane). */
export function resolveRedisBackplaneOptions(options: RedisBackplaneOptions): ResolvedRedisBackplaneOptions {
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  if (typeof prefix !== 'string' || prefix === '' || /[\s{}]/.test(prefix)) {
    throw new OptionsError(`prefix must be a non-empty string without spaces or braces, got ${JSON.stringify(prefix)}`, 'prefix');
  }
  if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
    throw new OptionsError(`url must start with redis:// or rediss://, got ${JSON.stringify(options.url)}`, 'url');
  }
  const resolved: ResolvedRedisBackplaneOptions = {
    prefix,
    nodeBeatIntervalMs: options.nodeBeatIntervalMs ?? DEFAULT_NODE_BEAT_INTERVAL_MS,
    nodeReapAfterMs: options.nodeReapAfterMs ?? DEFAULT_NODE_REAP_AFTER_MS,
    reapLockMs: options.reapLockMs ?? DEFAULT_REAP_LOCK_MS,
    directoryCacheMs: options.directoryCacheMs ?? DEFAULT_DIRECTORY_CACHE_MS,
    maxCachedConnections: options.maxCachedConnections ?? DEFAULT_MAX_CACHED_CONNECTIONS,
    maxWaitingPublishes: options.maxWaitingPublishes ?? DEFAULT_MAX_WAITING_PUBLISHES,
  };
  for (const name of Object.keys(resolved) as (keyof ResolvedRedisBackplaneOptions)[]) {
    if (name === 'prefix') continue;
    const value = resolved[name];
    if (!Number.isInteger(value) || value <= 0) throw new OptionsError(`${name} must be a positive integer, got ${String(value)}`, name);
  }
  if (resolved.nodeReapAfterMs <= resolved.nodeBeatIntervalMs) {
    throw new OptionsError('nodeReapAfterMs must exceed nodeBeatIntervalMs, or live nodes are reaped', 'nodeReapAfterMs');
  }
  return resolved;
}
