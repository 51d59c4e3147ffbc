// The broker's choice of queue: Redis Streams when the options ask for it (or cluster mode does), with its metric samples.
import type { EventOwner } from '../../core/consumers.js';
import type { BackplaneMetric } from '../../metric-samples.js';
import type { ResolvedOptions } from '../../options.js';
import { createRedisQueue, type RedisQueue } from './index.js';
import type { QueueLogger } from './queue-recovery.js';

/** A broker's Redis queue and its samples for /metrics. */
export interface BrokerQueue extends RedisQueue<EventOwner> {
  metrics(): BackplaneMetric[];
}

/**
 * The Redis queue the options name (`queue: { url }`, the default in cluster mode, where the
 * consumer is the node id), or undefined for the in-memory one. Loads no Redis client until `open`.
 */
export function createBrokerQueue(options: ResolvedOptions, nodeId: string, logger: QueueLogger): BrokerQueue | undefined {
  const queue = options.queue;
  if (queue === 'memory') return undefined;
  const consumer = queue.consumer ?? (options.cluster === undefined ? undefined : nodeId);
  const redis = createRedisQueue<EventOwner>(
    { ...queue, ...(consumer === undefined ? {} : { consumer }) },
    { capacity: options.queueSize, overflow: options.queueOverflow, maxBytes: options.maxQueueBytes, ownerOf: (id) => ({ id, affinity: undefined }), logger },
  );
  const { counters, store } = redis;
  const sample = (name: string, help: string, value: number, kind: 'counter' | 'gauge' = 'counter'): BackplaneMetric => ({ kind, name, help, value });
  return {
    ...redis,
    metrics: () => [
      sample('strands_queue_memory_only_total', 'Client events kept in memory only (Redis unreachable or the stream full): not durable', counters.memoryOnly),
      sample('strands_queue_recovered_total', 'Queued events of an earlier run of this broker taken back from Redis at start', counters.recovered),
      sample('strands_queue_reclaimed_total', 'Queued events claimed from brokers whose lease lapsed', counters.reclaimed),
      sample('strands_queue_dlq_total', 'Dead letters written to the DLQ stream', counters.deadLettered),
      sample('strands_queue_failed_writes_total', 'Acknowledgements and dead letters Redis did not take (those events come back after a restart)', counters.failedWrites),
      sample('strands_queue_held_events', 'Events this broker holds for backends (waiting or sent, not yet done)', store.kept, 'gauge'),
    ],
  };
}
