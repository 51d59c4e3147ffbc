// What a RedisBackplane reports for metrics: the link's health, cross-node traffic, presence, the directory, reaping.
import type { BackplaneMetric } from '../../metric-samples.js';
import type { DirectoryCounters } from './connection-directory.js';
import type { ReaperCounters } from './node-reaper.js';
import type { PresenceCounters } from './presence.js';
import type { PublishLag } from './publish-lag.js';
import type { RedisLinkStats } from './redis-link.js';

/**
 * `RedisBackplane.redisStats()`, next to the base class' `stats()`. Counters count since start;
 * the others are the state now. Names read as metrics: `linkUp` a gauge, `publishLag` a histogram.
 */
export interface RedisBackplaneStats extends RedisLinkStats, PresenceCounters, DirectoryCounters, ReaperCounters {
  /** 1 while both Redis connections are up and subscribed, else 0. */
  linkUp: 0 | 1;
  /** `subscriberReconnects + commandReconnects` (probe restarts included in the former). */
  reconnects: number;
  /** Messages published to other nodes (room, broadcast, heartbeats, direct, requests, replies). */
  messagesOut: number;
  /** Messages received from other nodes (this node's own echoes not counted). */
  messagesIn: number;
  /**
   * Messages that could not cross to other nodes: refused while Redis was away, lost in flight,
   * over `maxWaitingPublishes`, or direct messages whose node could not be looked up.
   */
  publishFailures: number;
  /** Of `publishFailures`, the PUBLISHes lost after they were sent (the connection dropped under them). */
  lostPublishes: number;
  /** SUBSCRIBE / UNSUBSCRIBE of room channels that failed (retried by the link on reconnect). */
  subscribeFailures: number;
  /** `attached` messages dropped because they announced a connection older than the local one. */
  staleAttaches: number;
  /** Direct messages to a client no directory entry names (no broker holds it): dropped. */
  directUnknown: number;
  /** Direct messages published to a node's inbox nobody listened on (that node is dead): dropped. */
  directDropped: number;
  /** Rooms with local members, whose channels this node listens to. */
  rooms: number;
  /** Clients connected to this node, as presence knows them. */
  localClients: number;
  /** Their memberships (client, room), each one presence entry in Redis. */
  memberships: number;
  /** Connection directory entries cached now. */
  cachedConnections: number;
  /** Join / leave / disconnect requests sent to one node and not answered yet. */
  nodeRequests: number;
  /** Publishes waiting behind a directory lookup. */
  waitingPublishes: number;
  /** Lag of the messages received from other nodes: publish time stamped by the sender vs receive time. */
  publishLag: PublishLag;
}

/** The samples /metrics shows of a RedisBackplane: the link, cross-node traffic, publish lag (seconds). */
export function redisMetricSamples(r: RedisBackplaneStats): BackplaneMetric[] {
  const lag = r.publishLag;
  return [
    { kind: 'gauge', name: 'strands_cluster_redis_link_up', help: '1 while both Redis connections are up and subscribed.', value: r.linkUp },
    { kind: 'counter', name: 'strands_cluster_redis_reconnects_total', help: 'Redis connections re-established after a loss.', value: r.reconnects },
    { kind: 'counter', name: 'strands_cluster_redis_probe_restarts_total', help: 'Subscriber connections rebuilt because a probe went unanswered.', value: r.probeRestarts },
    { kind: 'counter', name: 'strands_cluster_messages_out_total', help: 'Messages published to other brokers.', value: r.messagesOut },
    { kind: 'counter', name: 'strands_cluster_messages_in_total', help: 'Messages received from other brokers.', value: r.messagesIn },
    { kind: 'counter', name: 'strands_cluster_publish_failures_total', help: 'Messages that could not cross to other brokers (Redis away, lost in flight, over the bound).', value: r.publishFailures },
    {
      kind: 'histogram',
      name: 'strands_cluster_publish_lag_seconds',
      help: 'Publish-to-receive time of messages from other brokers (includes clock skew between machines).',
      buckets: lag.bucketsMs.map((ms) => ms / 1000),
      cumulative: lag.le,
      count: lag.samples,
      sum: lag.sumMs / 1000,
    },
  ];
}
