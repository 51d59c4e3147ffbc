// ClusterBackplane over Redis (cluster-notes "Keys and channels"): messages on pub/sub channels, and the
// cluster's state in Redis keys: presence for room_members, the connection directory for direct
// delivery and node-addressed requests, the node registry whose survivors reap a crashed node's entries.
import { ClusterBackplane } from '../cluster-backplane.js';
import type { BackplaneEvents, LocalClientInfo, LocalNode, MaybePromise, MemberInfo } from '../../core/backplane.js';
import type { HistoryLimits, SharedHistoryStore } from '../../core/history-store.js';
import type { ClusterMessage } from '../cluster-messages.js';
import { RateLimitedLog } from '../../logger.js';
import type { BackplaneMetric } from '../../metric-samples.js';
import { AttachFence } from './attach-fence.js';
import type { ConnectionDirectory } from './connection-directory.js';
import type { DirectoryRouting } from './directory-routing.js';
import { RedisLinkError } from './errors.js';
import { createIoredisLink } from './ioredis-link.js';
import { clusterChannels, clusterKeys, type ClusterChannels, type ClusterKeys } from './keys.js';
import type { RedisLinkOptions } from './link-options.js';
import type { LinkWatch } from './link-watch.js';
import { MembershipTrackingNode } from './membership-tracking-node.js';
import type { NodeReaper } from './node-reaper.js';
import { withLivePeers, type RedisPresence } from './presence.js';
import { PublishLagHistogram } from './publish-lag.js';
import { resolveRedisBackplaneOptions, type RedisBackplaneOptions } from './redis-backplane-options.js';
import { redisMetricSamples, type RedisBackplaneStats } from './redis-backplane-stats.js';
import type { RedisInbound } from './redis-inbound.js';
import type { RedisLink } from './redis-link.js';
import type { RedisOutbound } from './redis-outbound.js';
import { createRedisParts, type TransportCounters } from './redis-parts.js';
import { encodeDirect, stamp } from './records.js';
import type { RedisRoomHistory } from './redis-room-history.js';
import type { RoomSubscriptions } from './room-subscriptions.js';

/** How long a stop waits for publishes held behind lookups before it drops them. */
const STOP_DRAIN_MS = 1_000;

/**
 * Carries cluster messages on Redis channels and keeps the cluster's state in Redis keys:
 * - room messages on the room's own channel, which a node subscribes only while it has local
 *   members there (`roomOpened` / `roomClosed`, coalesced per tick, batched by the link);
 * - heartbeats, broadcasts, `attached` on the broadcast channel;
 * - direct messages and join / leave / disconnect of a remote client on the inbox of the node the
 *   connection directory names (`<prefix>:conn:<clientId>`, cached a few seconds), replies on the
 *   asking node's inbox; a client no entry names is not found, without asking anyone;
 * - `room_members` from presence (`<prefix>:{room:<id>}:pres`), written on every local membership
 *   change, shown for this node and its live peers only;
 * - a beat into `<prefix>:nodes`, this node's lease on all it wrote (nothing is refreshed per
 *   connection); a survivor takes a silent node's reap lock and removes its entries; a graceful
 *   stop removes this node's own.
 * The link's probe and reconnects keep the subscriptions alive; its state is the broker's health.
 * Once it is up again after a resubscribe, the broker is told (`missedRoomMessages`): what was
 * published meanwhile never arrived, and the broker reads it from the rooms' history streams.
 * @example
 * const backplane = new RedisBackplane({ url: 'redis://127.0.0.1:6379' });
 * const broker = createBroker({ backplane });
 */
export class RedisBackplane extends ClusterBackplane {
  readonly channels: ClusterChannels;
  readonly keys: ClusterKeys;
  private readonly url: string;
  private readonly linkOptions: Omit<RedisLinkOptions, 'url' | 'probeChannel'>;
  private readonly connectLink: (options: RedisLinkOptions) => Promise<RedisLink>;
  private readonly rooms: RoomSubscriptions;
  private readonly presence: RedisPresence;
  private readonly directory: ConnectionDirectory;
  private readonly routing: DirectoryRouting;
  private readonly reaper: NodeReaper;
  private readonly outbound: RedisOutbound;
  private readonly inbound: RedisInbound;
  private readonly watch: LinkWatch;
  private readonly history: RedisRoomHistory;
  private link: RedisLink | undefined;
  private localNode: LocalNode | undefined;
  private boundEvents: BackplaneEvents | undefined;
  private knownPeers = new Set<string>();
  private readonly counters: TransportCounters = {
    lostPublishes: 0,
    publishFailures: 0,
    subscribeFailures: 0,
    staleAttaches: 0,
    messagesIn: 0,
    messagesOut: 0,
  };
  private readonly lag = new PublishLagHistogram();
  private readonly fence = new AttachFence();
  private readonly failureLog = new RateLimitedLog(5_000);
  /** This node's id as JSON, spelled once for the direct records sent per reply. */
  private readonly nodeIdJson: string;

  constructor(options: RedisBackplaneOptions) {
    super(options);
    const resolved = resolveRedisBackplaneOptions(options);
    this.nodeIdJson = JSON.stringify(this.nodeId);
    this.url = options.url;
    this.linkOptions = options.link ?? {};
    this.connectLink = options.connect ?? createIoredisLink;
    this.channels = clusterChannels(resolved.prefix, this.nodeId);
    this.keys = clusterKeys(resolved.prefix);
    const parts = createRedisParts(
      {
        nodeId: this.nodeId,
        channels: this.channels,
        keys: this.keys,
        counters: this.counters,
        lag: this.lag,
        fence: this.fence,
        requestTimeoutMs: this.options.requestTimeoutMs,
        maxPendingRequests: this.options.maxPendingRequests,
        link: () => this.link,
        running: () => this.state === 'running',
        peers: () => this.peers(),
        onMessage: (message) => this.onMessage(message),
        onResponse: (message) => this.onResponse(message),
        setHealth: (health) => this.setHealth(health),
        failed: (error) => this.failed(error),
        reaped: (node, entries) => this.options.logger?.info({ node: this.nodeId, peer: node, entries }, 'silent node reaped from Redis'),
        tick: () => this.peersChanged(),
        missed: () => this.boundEvents?.missedRoomMessages?.(),
        unavailable,
      },
      resolved,
    );
    this.rooms = parts.rooms;
    this.presence = parts.presence;
    this.directory = parts.directory;
    this.reaper = parts.reaper;
    this.routing = parts.routing;
    this.outbound = parts.outbound;
    this.inbound = parts.inbound;
    this.watch = parts.watch;
    this.history = parts.history;
  }

  /** Rooms' history in Redis streams, shared by every broker (appended to with `toRoomInHistory`, one script per message). */
  get sharedHistory(): SharedHistoryStore {
    return this.history;
  }

  toRoomInHistory(roomId: string, message: string, binary: boolean, limits: HistoryLimits): void {
    this.history.publish(this.clients, roomId, message, binary, limits);
  }

  /** Once the room's channel (opened by a local join this task) is subscribed. */
  roomListening(_roomId: string): Promise<void> {
    return this.rooms.listening();
  }

  /** Hands the base class the broker's clients wrapped, so every successful join and leave reaches presence. */
  override bind(local: LocalNode, events: BackplaneEvents): void {
    const tracked = new MembershipTrackingNode(local, this.presence);
    super.bind(tracked, events);
    this.localNode = tracked;
    this.boundEvents = events;
  }

  override clientAttached(client: LocalClientInfo): void {
    this.fence.attached(client.clientId);
    this.presence.attached(client.clientId, client.roomId, client.metadata);
    this.directory.forget(client.clientId);
    super.clientAttached(client);
  }

  override clientDetached(client: LocalClientInfo): void {
    this.fence.detached(client.clientId);
    this.presence.detached(client.clientId);
    super.clientDetached(client);
  }

  /** A room got its first local member: listen to its channel. */
  roomOpened(roomId: string): void {
    this.rooms.opened(roomId);
  }

  /** A room lost its last local member: stop listening. */
  roomClosed(roomId: string): void {
    this.rooms.closed(roomId);
  }

  /** Local at once; otherwise published to the inbox of the node the directory names (dropped when none does). */
  override toConnection(clientId: string, message: string, binary: boolean): void {
    const local = this.clients;
    if (local.has(clientId)) {
      local.toConnection(clientId, message, binary);
      return;
    }
    if (this.state !== 'running' || this.link === undefined) return;
    if (!this.watch.publishable) {
      this.counters.publishFailures++;
      return;
    }
    this.routing.deliver(clientId, encodeDirect(this.nodeIdJson, clientId, message, binary, Date.now()));
  }

  /** At once when the client is local; otherwise asks the one node the directory names; false when none does. */
  override join(clientId: string, roomId: string): MaybePromise<boolean> {
    if (this.clients.join(clientId, roomId)) return true;
    return this.routing.ask(clientId, 'join', (requestId) => ({ type: 'join', from: this.nodeId, requestId, clientId, room: roomId }));
  }

  override leave(clientId: string, roomId: string): MaybePromise<boolean> {
    if (this.clients.leave(clientId, roomId)) return true;
    return this.routing.ask(clientId, 'leave', (requestId) => ({ type: 'leave', from: this.nodeId, requestId, clientId, room: roomId }));
  }

  override disconnect(clientId: string, code: number, reason: string): MaybePromise<boolean> {
    if (this.clients.disconnect(clientId, code, reason)) return true;
    return this.routing.ask(clientId, 'disconnect', (requestId) => ({ type: 'disconnect', from: this.nodeId, requestId, clientId, code, reason }));
  }

  /**
   * From presence in Redis: this node's members as it knows them, plus the entries of its live
   * peers (a lost node's clients are gone for the cluster, reaped or not). Rejects while Redis is
   * unreachable (the broker answers `unavailable`): a scatter-gather could not do better, it
   * travels through the same Redis.
   */
  override members(roomId: string): MaybePromise<MemberInfo[]> {
    if (this.state !== 'running' || this.link === undefined) return this.clients.members(roomId);
    if (!this.watch.publishable) return Promise.reject(unavailable('room_members'));
    return this.presence.read(roomId).then((entries) => withLivePeers(this.clients.members(roomId), entries, this.nodeId, this.peers()));
  }

  /** The base samples plus the Redis link's, cross-node traffic and publish lag. */
  override metrics(): BackplaneMetric[] {
    return [...super.metrics(), ...redisMetricSamples(this.redisStats())];
  }

  /** The link's counters and this transport's; zeros before `start`. See {@link RedisBackplaneStats}. */
  redisStats(): RedisBackplaneStats {
    const link = this.link?.stats() ?? { subscriberReconnects: 0, commandReconnects: 0, probesSent: 0, probeRestarts: 0, channels: 0 };
    return {
      ...link,
      linkUp: this.link?.state === 'up' ? 1 : 0,
      reconnects: link.subscriberReconnects + link.commandReconnects,
      ...this.counters,
      rooms: this.rooms.size,
      localClients: this.presence.local.size,
      memberships: this.presence.local.memberships,
      ...this.presence.counters,
      ...this.directory.counters,
      cachedConnections: this.directory.size,
      ...this.reaper.counters,
      ...this.routing.counters,
      nodeRequests: this.routing.pending,
      waitingPublishes: this.outbound.waiting,
      publishLag: this.lag.snapshot(),
    };
  }

  protected override async openTransport(): Promise<void> {
    const link = await this.connectLink({ ...this.linkOptions, url: this.url, probeChannel: this.channels.probe });
    this.link = link;
    link.onMessage((channel, payload) => this.inbound.receive(channel, payload));
    this.watch.watch(link);
    try {
      await link.subscribe([this.channels.broadcast, this.channels.inbox]);
      // Subscribed first: a setting made meanwhile is heard, if not read.
      await this.history.loadSettings(link);
    } catch (error) {
      await this.closeTransport();
      throw error;
    }
    this.watch.opened(link);
    this.rooms.attach(link);
    this.presence.attach(link);
    this.reaper.start();
  }

  /** After the goodbye: this node's presence, directory entries and registry entry removed, then the link closed. */
  protected override async closeTransport(): Promise<void> {
    const link = this.link;
    this.reaper.stop();
    // The goodbye may wait behind a directory lookup: let it out (a lookup ends within the command timeout).
    await this.outbound.drain(STOP_DRAIN_MS);
    this.routing.close();
    await this.presence.removeAll();
    this.presence.detach();
    this.link = undefined;
    this.watch.stop();
    this.rooms.detach();
    await link?.quit();
  }

  protected doPublish(message: ClusterMessage): void {
    if (!this.watch.publishable || this.link === undefined) {
      this.counters.publishFailures++;
      // Thrown, not queued: the base class counts it, and a request that cannot be sent ends at once.
      throw unavailable('publish');
    }
    const channel = message.type === 'room' ? this.channels.room(message.room) : this.channels.broadcast;
    this.outbound.send(channel, stamp(message.type === 'attached' ? { ...message, at: this.fence.stamp(message.clientId) } : message));
  }

  /** Replies (and whatever else the base class addresses to one node) go to that node's inbox. */
  protected doPublishResponse(toNodeId: string, response: object): void {
    if (!this.watch.publishable || this.link === undefined) {
      this.counters.publishFailures++;
      throw unavailable('publish');
    }
    this.outbound.send(this.channels.inboxOf(toNodeId), stamp(response));
  }

  private get clients(): LocalNode {
    const local = this.localNode;
    if (local === undefined) throw new RedisLinkError('RedisBackplane used before bind()', 'redis_unavailable', 'bind');
    return local;
  }

  /** Once a beat: requests to a node given up stop waiting, cached entries naming it go. */
  private peersChanged(): void {
    const now = new Set(this.peers());
    for (const nodeId of this.knownPeers) {
      if (now.has(nodeId)) continue;
      this.routing.nodeGone(nodeId);
    }
    this.knownPeers = now;
  }

  private failed(error: unknown): void {
    const logger = this.options.logger;
    if (logger === undefined) return;
    this.failureLog.hit((suppressed) =>
      logger.warn({ node: this.nodeId, err: (error as Error)?.message ?? String(error), suppressedSinceLastLog: suppressed }, 'Redis cluster state not written or read'),
    );
  }
}

function unavailable(command: string): RedisLinkError {
  return new RedisLinkError(`${command}: Redis unavailable`, 'redis_unavailable', command);
}
