// The durable event queue on Redis Streams: a store the broker loads only when `queue` (or cluster mode) asks for it.
import type { BackplaneHealth } from '../../core/backplane.js';
import type { EventStore } from '../../core/event-store.js';
import type { QueueOverflowPolicy } from '../../options.js';
import { createIoredisLink } from '../redis/ioredis-link.js';
import { LinkWatch } from '../redis/link-watch.js';
import type { RedisLink } from '../redis/redis-link.js';
import { resolveRedisQueueOptions, type RedisQueueOptions } from './queue-options.js';
import { QueueRecovery, type QueueLogger } from './queue-recovery.js';
import { RedisEventStore, type RedisQueueCounters } from './redis-event-store.js';

export { DEFAULT_QUEUE_LEASE_MS, DEFAULT_QUEUE_PARTITIONS, resolveRedisQueueOptions, type RedisQueueOptions } from './queue-options.js';
export { partitionOf, queueKeys } from './queue-keys.js';
export { RedisEventStore, type RedisQueueCounters } from './redis-event-store.js';

/** A Redis event store and what runs it. */
export interface RedisQueue<O extends { readonly id: string }> {
  readonly store: RedisEventStore<O>;
  readonly counters: RedisQueueCounters;
  /** Connects, takes this consumer's earlier entries back and starts the lease and reclaim loop. */
  open(): Promise<void>;
  /** Waits for the writes given so far, stops the loop, gives up the lease, closes the link. */
  close(): Promise<void>;
  /**
   * Whether its Redis link is up (down before `open` and after `close`): while down, events are
   * kept in memory only, and the broker's /readyz answers 503 with this reason.
   */
  health(): BackplaneHealth;
}

/** Settings of one queue beside its Redis options: the broker's bound and policy, the owners of claimed events. */
export interface RedisQueueParts<O> {
  capacity: number;
  overflow: QueueOverflowPolicy;
  /** Bound on the bytes of the waiting lines. @default no bound */
  maxBytes?: number;
  ownerOf(clientId: string): O;
  logger: QueueLogger;
  /** A link to use instead of one of its own (tests). @default a new ioredis link to `url` */
  link?: RedisLink;
}

/**
 * The store is usable at once (it answers from memory; writes go out once the link is up); `open`
 * connects. Checks the options at once (an OptionsError).
 */
export function createRedisQueue<O extends { readonly id: string }>(options: RedisQueueOptions, parts: RedisQueueParts<O>): RedisQueue<O> {
  const resolved = resolveRedisQueueOptions(options);
  let link = parts.link;
  let recovery: QueueRecovery<O> | undefined;
  let health: BackplaneHealth = { up: false, reason: 'durable queue: Redis not connected yet' };
  const down = (reason: string): BackplaneHealth => ({ up: false, reason: `durable queue: ${reason}` });
  const watch = new LinkWatch({ health: (h) => (health = h.up ? h : down(h.reason ?? 'Redis link down')), recovered: () => undefined, missed: () => undefined });
  const { logger } = parts;
  const store = new RedisEventStore<O>(resolved, parts.capacity, parts.overflow, parts.ownerOf, {
    memoryOnly: (count, why) => logger.warn({ events: count, why }, 'event queue: events kept in memory only (not durable)'),
    failed: (what, error) => logger.warn({ what, err: (error as Error).message }, 'event queue: a Redis write failed; the entry comes back after a restart'),
  }, parts.maxBytes);
  return {
    store,
    counters: store.counters,
    async open() {
      link ??= await createIoredisLink({ url: resolved.url, connectionName: `strands-queue-${resolved.consumer}` });
      const ready = link;
      watch.watch(ready);
      // The link may be up already (its first `up` came before the watch).
      health = ready.state === 'up' ? { up: true } : down(`Redis link ${ready.state}`);
      recovery = new QueueRecovery(store, ready, resolved, logger);
      await recovery.open(() => store.attach(ready));
    },
    async close() {
      await store.settled();
      await recovery?.close(true);
      watch.stop();
      health = down('closed');
      if (parts.link === undefined) await link?.quit();
    },
    health: () => health,
  };
}

export type { EventStore };
