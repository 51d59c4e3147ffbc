// Options of the Redis Streams event queue, declared once with their defaults, and the one check of them.
import { OptionsError } from '../../errors.js';

export const DEFAULT_QUEUE_PREFIX = 'strands';
export const DEFAULT_QUEUE_PARTITIONS = 16;
export const DEFAULT_QUEUE_GROUP = 'backends';
export const DEFAULT_QUEUE_CONSUMER = 'broker';
export const DEFAULT_QUEUE_LEASE_MS = 15_000;
export const DEFAULT_QUEUE_MAX_STREAM_LENGTH = 100_000;
export const DEFAULT_QUEUE_DEAD_LETTERS_KEPT = 10_000;
/** Entries per enqueue script call and per reclaim read (Lua's stack takes a few thousand arguments). */
export const QUEUE_BATCH = 500;

/** Where the durable queue lives and how it is shared; only `url` is required. */
export interface RedisQueueOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** Prefix of the queue's keys (cluster mode: the cluster's prefix). @default 'strands' */
  prefix?: string;
  /** Partition streams; a client's events all go to one (fnv1a of its id). Fixed for the life of the data. @default 16 */
  partitions?: number;
  /** The consumer group every broker reads through. @default 'backends' */
  group?: string;
  /**
   * This broker's consumer in the group: the entries it holds are its pending entries. A restart
   * under the same name takes its own back at once; a new name takes them once the old name's lease
   * lapsed. @default 'broker' (cluster mode: the node id)
   */
  consumer?: string;
  /** A consumer whose lease (renewed every third of it) lapsed is dead: another broker claims its entries. @default 15000 */
  leaseMs?: number;
  /** Entries one partition stream may hold, all brokers together; past it new events are kept in memory only, counted. @default 100000 */
  maxStreamLength?: number;
  /** Dead letters kept in the DLQ stream (`<prefix>:queue:dlq`, trimmed approximately). @default 10000 */
  deadLettersKept?: number;
}

export type ResolvedRedisQueueOptions = Required<RedisQueueOptions>;

export function resolveRedisQueueOptions(options: RedisQueueOptions): ResolvedRedisQueueOptions {
  if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
    throw new OptionsError(`invalid option queue.url: ${JSON.stringify(options.url)} (expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0)`, 'queue.url');
  }
  const resolved: ResolvedRedisQueueOptions = {
    url: options.url,
    prefix: options.prefix ?? DEFAULT_QUEUE_PREFIX,
    partitions: options.partitions ?? DEFAULT_QUEUE_PARTITIONS,
    group: options.group ?? DEFAULT_QUEUE_GROUP,
    consumer: options.consumer ?? DEFAULT_QUEUE_CONSUMER,
    leaseMs: options.leaseMs ?? DEFAULT_QUEUE_LEASE_MS,
    maxStreamLength: options.maxStreamLength ?? DEFAULT_QUEUE_MAX_STREAM_LENGTH,
    deadLettersKept: options.deadLettersKept ?? DEFAULT_QUEUE_DEAD_LETTERS_KEPT,
  };
  for (const name of ['partitions', 'leaseMs', 'maxStreamLength', 'deadLettersKept'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) throw new OptionsError(`invalid option queue.${name}: ${String(value)} (expected a positive integer)`, `queue.${name}`);
  }
  if (resolved.partitions > 1024) throw new OptionsError(`invalid option queue.partitions: ${resolved.partitions} (at most 1024)`, 'queue.partitions');
  for (const name of ['prefix', 'group', 'consumer'] as const) {
    const value = resolved[name];
    if (typeof value !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(value)) {
      throw new OptionsError(`invalid option queue.${name}: ${JSON.stringify(value)} (expected 1-64 letters, digits or _ . : -)`, `queue.${name}`);
    }
  }
  return resolved;
}
