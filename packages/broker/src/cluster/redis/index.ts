// The Redis transport of cluster mode: the RedisBackplane, the RedisLink port under it, its ioredis implementation, their errors.
export { commands, type RedisCommand } from './commands.js';
export { REDIS_LINK_ERROR_CODES, RedisLinkError, isRedisLinkError, type RedisLinkErrorCode } from './errors.js';
export { createIoredisLink } from './ioredis-link.js';
export { clusterChannels, clusterKeys, type ClusterChannels, type ClusterKeys } from './keys.js';
export {
  DEFAULT_REDIS_COMMAND_TIMEOUT_MS,
  DEFAULT_REDIS_CONNECT_TIMEOUT_MS,
  DEFAULT_REDIS_CONNECTION_NAME,
  DEFAULT_REDIS_KEEP_ALIVE_MS,
  DEFAULT_REDIS_PROBE_ANSWER_TIMEOUT_MS,
  DEFAULT_REDIS_PROBE_SILENCE_MS,
  DEFAULT_REDIS_RECONNECT_BASE_DELAY_MS,
  DEFAULT_REDIS_RECONNECT_MAX_DELAY_MS,
  DEFAULT_REDIS_SUBSCRIBE_BATCH_SIZE,
  resolveRedisLinkOptions,
  type RedisLinkOptions,
  type ResolvedRedisLinkOptions,
} from './link-options.js';
export type {
  RedisArg,
  RedisConnectionRole,
  RedisLink,
  RedisLinkEvents,
  RedisLinkState,
  RedisLinkStats,
  RedisMessageHandler,
  RedisPipeline,
  RedisPipelineResult,
  RedisReply,
  RedisSetOptions,
  RedisStreamEntry,
  ResubscribeCause,
} from './redis-link.js';
export { RedisBackplane } from './redis-backplane.js';
export type { RedisBackplaneStats } from './redis-backplane-stats.js';
export {
  DEFAULT_DIRECTORY_CACHE_MS,
  DEFAULT_MAX_CACHED_CONNECTIONS,
  DEFAULT_MAX_WAITING_PUBLISHES,
  DEFAULT_NODE_BEAT_INTERVAL_MS,
  DEFAULT_NODE_REAP_AFTER_MS,
  DEFAULT_REAP_LOCK_MS,
  DEFAULT_REDIS_PREFIX,
  type RedisBackplaneOptions,
} from './redis-backplane-options.js';
export { PUBLISH_LAG_BUCKETS_MS, type PublishLag } from './publish-lag.js';
export { defineRedisScript, type RedisScript } from './redis-script.js';
