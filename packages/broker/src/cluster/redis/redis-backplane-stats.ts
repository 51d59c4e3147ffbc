// What a RedisBackplane reports for metrics: the link's health, cross-node traffic, presence, the directory, reaping.
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
