// The parts a RedisBackplane is made of, built and wired to each other in one place.
import type { BackplaneHealth } from '../../core/backplane.js';
import type { AttachFence } from './attach-fence.js';
import { ConnectionDirectory } from './connection-directory.js';
import { DirectoryRouting } from './directory-routing.js';
import type { ClusterChannels, ClusterKeys } from './keys.js';
import { LinkWatch } from './link-watch.js';
import { NodeReaper } from './node-reaper.js';
import { RedisPresence } from './presence.js';
import type { PublishLagHistogram } from './publish-lag.js';
import type { ResolvedRedisBackplaneOptions } from './redis-backplane-options.js';
import { RedisInbound } from './redis-inbound.js';
import type { RedisLink } from './redis-link.js';
import { RedisOutbound } from './redis-outbound.js';
import { RedisRoomHistory } from './redis-room-history.js';
import { RoomSubscriptions } from './room-subscriptions.js';

/** What the transport itself counts (the parts count the rest). */
export interface TransportCounters {
  lostPublishes: number;
  publishFailures: number;
  subscribeFailures: number;
  staleAttaches: number;
  messagesIn: number;
  messagesOut: number;
}

/** What the parts need of their backplane. */
export interface PartsHost {
  readonly nodeId: string;
  readonly channels: ClusterChannels;
  readonly keys: ClusterKeys;
  readonly counters: TransportCounters;
  readonly lag: PublishLagHistogram;
  readonly fence: AttachFence;
  readonly requestTimeoutMs: number;
  readonly maxPendingRequests: number;
  /** The link while the transport is open. */
  link(): RedisLink | undefined;
  /** Whether the backplane is running (requests are only routed then). */
  running(): boolean;
  peers(): string[];
  onMessage(message: Record<string, unknown> | undefined): void;
  onResponse(message: Record<string, unknown>): void;
  setHealth(health: BackplaneHealth): void;
  /** Redis refused a write or read of the cluster's state (logged, rate limited). */
  failed(error: unknown): void;
  /** This node reaped a silent one. */
  reaped(nodeId: string, entries: number): void;
  /** Once a beat: the backplane's own periodic work. */
  tick(): void;
  /** Room messages published while the subscriber connection was away never arrived. */
  missed(): void;
  unavailable(command: string): Error;
}

export interface RedisParts {
  rooms: RoomSubscriptions;
  presence: RedisPresence;
  directory: ConnectionDirectory;
  reaper: NodeReaper;
  routing: DirectoryRouting;
  outbound: RedisOutbound;
  inbound: RedisInbound;
  watch: LinkWatch;
  history: RedisRoomHistory;
}

export function createRedisParts(host: PartsHost, resolved: ResolvedRedisBackplaneOptions): RedisParts {
  const { nodeId, channels, keys, counters } = host;
  const failed = (error: unknown) => host.failed(error);
  const rooms = new RoomSubscriptions(channels.room, () => {
    counters.subscribeFailures++;
  });
  const presence = new RedisPresence({ nodeId, keys }, failed);
  const directory = new ConnectionDirectory(keys, resolved.directoryCacheMs, resolved.maxCachedConnections);
  const reaper = new NodeReaper(
    { nodeId, keys, beatIntervalMs: resolved.nodeBeatIntervalMs, reapAfterMs: resolved.nodeReapAfterMs, reapLockMs: resolved.reapLockMs },
    {
      link: () => host.link(),
      reregistered: () => presence.refreshAll(),
      tick: () => {
        presence.repair();
        host.tick();
      },
      failed,
      reaped: (node, entries) => host.reaped(node, entries),
    },
  );
  const outbound = new RedisOutbound(
    { link: () => host.link(), beforePublish: () => presence.flush(), counters, unavailable: () => host.unavailable('publish') },
    resolved.maxWaitingPublishes,
  );
  const watch = new LinkWatch({
    health: (health) => host.setHealth(health),
    // Redis may have restarted empty: write this node's presence and registry entry again now.
    recovered: () => {
      presence.refreshAll();
      reaper.beat();
    },
    missed: () => host.missed(),
  });
  const routing = new DirectoryRouting(
    {
      nodeId,
      channels,
      link: () => (host.running() ? host.link() : undefined),
      publishable: () => watch.publishable,
      peers: () => host.peers(),
      publishFailed: (error) => {
        counters.publishFailures++;
        host.failed(error);
      },
    },
    directory,
    outbound.out,
    host.requestTimeoutMs,
    host.maxPendingRequests,
  );
  const inbound = new RedisInbound({
    nodeId,
    inbox: channels.inbox,
    fence: host.fence,
    directory,
    lag: host.lag,
    counters,
    onMessage: (message) => host.onMessage(message),
    routingReply: (message) => host.running() && routing.reply(message),
    onResponse: (message) => host.onResponse(message),
  });
  const history = new RedisRoomHistory({
    nodeId,
    prefix: resolved.prefix,
    link: () => (host.running() && watch.publishable ? host.link() : undefined),
    channelOf: channels.room,
    counters,
    failed,
    unavailable: (command) => host.unavailable(command),
  });
  return { rooms, presence, directory, reaper, routing, outbound, inbound, watch, history };
}
