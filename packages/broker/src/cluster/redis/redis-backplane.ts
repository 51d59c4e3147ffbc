// ClusterBackplane over Redis (cluster-notes "Keys and channels"): messages on pub/sub channels, and the
// cluster's state in Redis keys: presence for room_members, the connection directory for direct
// delivery and node-addressed requests, the node registry whose survivors reap a crashed node's entries.
import { ClusterBackplane } from '../cluster-backplane.js';
import type { BackplaneEvents, LocalClientInfo, LocalNode, MaybePromise, MemberInfo } from '../../core/backplane.js';
import type { ClusterMessage } from '../cluster-messages.js';
import { RateLimitedLog } from '../../logger.js';
import type { BackplaneMetric } from '../../metric-samples.js';
import { AttachFence } from './attach-fence.js';
import { ConnectionDirectory } from './connection-directory.js';
import { DirectoryRouting } from './directory-routing.js';
import { RedisLinkError } from './errors.js';
import { createIoredisLink } from './ioredis-link.js';
import { clusterChannels, clusterKeys, type ClusterChannels, type ClusterKeys } from './keys.js';
import type { RedisLinkOptions } from './link-options.js';
import { MembershipTrackingNode } from './membership-tracking-node.js';
import { NodeReaper } from './node-reaper.js';
import { OrderedPublisher } from './ordered-publisher.js';
import { RedisPresence } from './presence.js';
import { PublishBatcher } from './publish-batcher.js';
import { PublishLagHistogram } from './publish-lag.js';
import type { RedisLink } from './redis-link.js';
import { resolveRedisBackplaneOptions, type RedisBackplaneOptions } from './redis-backplane-options.js';
import { redisMetricSamples, type RedisBackplaneStats } from './redis-backplane-stats.js';
import { decodeRecords, stamp } from './records.js';
import { RoomSubscriptions } from './room-subscriptions.js';

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
  private readonly out: OrderedPublisher;
  private readonly batcher: PublishBatcher;
  private link: RedisLink | undefined;
  private localNode: LocalNode | undefined;
  private unlisten: Array<() => void> = [];
  /** Whether publishing can work now; false from a lost command connection until the link is up again. */
  private publishable = false;
  /** A connection was lost since the last `up`: Redis may have lost data, so presence is re-written. */
  private wasDown = false;
  private knownPeers = new Set<string>();
  private readonly ownRoomPrefix: string;
  private readonly counters = {
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

  constructor(options: RedisBackplaneOptions) {
    super(options);
    const resolved = resolveRedisBackplaneOptions(options);
    this.url = options.url;
    this.linkOptions = options.link ?? {};
    this.connectLink = options.connect ?? createIoredisLink;
    this.channels = clusterChannels(resolved.prefix, this.nodeId);
    this.keys = clusterKeys(resolved.prefix);
    this.rooms = new RoomSubscriptions(this.channels.room, () => {
      this.counters.subscribeFailures++;
    });
    const failed = (error: unknown) => this.failed(error);
    this.presence = new RedisPresence({ nodeId: this.nodeId, keys: this.keys }, failed);
    this.directory = new ConnectionDirectory(this.keys, resolved.directoryCacheMs, resolved.maxCachedConnections);
    this.reaper = new NodeReaper(
      {
        nodeId: this.nodeId,
        keys: this.keys,
        beatIntervalMs: resolved.nodeBeatIntervalMs,
        reapAfterMs: resolved.nodeReapAfterMs,
        reapLockMs: resolved.reapLockMs,
      },
      {
        link: () => this.link,
        reregistered: () => this.presence.refreshAll(),
        tick: () => {
          this.presence.repair();
          this.peersChanged();
        },
        failed,
        reaped: (node, entries) => this.options.logger?.info({ node: this.nodeId, peer: node, entries }, 'silent node reaped from Redis'),
      },
    );
    this.batcher = new PublishBatcher({
      publish: (channel, payload) => (this.link === undefined ? Promise.reject(unavailable('publish')) : this.link.publish(channel, payload)),
      failed: (records) => {
        this.counters.lostPublishes += records;
        this.counters.publishFailures += records;
      },
    });
    this.out = new OrderedPublisher((channel, payload, receivers) => this.publishOut(channel, payload, receivers), resolved.maxWaitingPublishes, () => {
      this.counters.publishFailures++;
    });
    this.routing = new DirectoryRouting(
      {
        nodeId: this.nodeId,
        channels: this.channels,
        link: () => (this.state === 'running' ? this.link : undefined),
        publishable: () => this.publishable,
        peers: () => this.peers(),
        publishFailed: (error) => {
          this.counters.publishFailures++;
          this.failed(error);
        },
      },
      this.directory,
      this.out,
      this.options.requestTimeoutMs,
      this.options.maxPendingRequests,
    );
    // The base class builds room messages as { type, from, ... }: this node's own echo starts so.
    this.ownRoomPrefix = `{"type":"room","from":${JSON.stringify(this.nodeId)},`;
  }

  /** Hands the base class the broker's clients wrapped, so every successful join and leave reaches presence. */
  override bind(local: LocalNode, events: BackplaneEvents): void {
    const tracked = new MembershipTrackingNode(local, this.presence);
    super.bind(tracked, events);
    this.localNode = tracked;
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
    if (!this.publishable) {
      this.counters.publishFailures++;
      return;
    }
    this.routing.deliver(clientId, stamp({ type: 'direct', from: this.nodeId, clientId, message, binary }));
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
    if (!this.publishable) return Promise.reject(unavailable('room_members'));
    return this.presence.read(roomId).then((entries) => {
      const members = this.clients.members(roomId);
      const ids = new Set(members.map((m) => m.clientId));
      const live = new Set(this.peers());
      for (const entry of entries) {
        if (entry.node === this.nodeId || !live.has(entry.node) || ids.has(entry.clientId)) continue;
        ids.add(entry.clientId);
        members.push({ clientId: entry.clientId, metadata: entry.metadata });
      }
      return members;
    });
  }

  /** The link's counters and this transport's; zeros before `start`. See {@link RedisBackplaneStats}. */
  /** The base samples plus the Redis link's, cross-node traffic and publish lag. */
  override metrics(): BackplaneMetric[] {
    return [...super.metrics(), ...redisMetricSamples(this.redisStats())];
  }

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
      waitingPublishes: this.out.waiting,
      publishLag: this.lag.snapshot(),
    };
  }

  protected override async openTransport(): Promise<void> {
    const link = await this.connectLink({ ...this.linkOptions, url: this.url, probeChannel: this.channels.probe });
    this.link = link;
    link.onMessage((channel, payload) => this.receiveFrom(channel, payload));
    this.unlisten = [
      link.on('up', () => {
        this.publishable = true;
        this.setHealth({ up: true });
        if (!this.wasDown) return;
        // Redis may have restarted empty: write this node's presence and registry entry again now.
        this.wasDown = false;
        this.presence.refreshAll();
        this.reaper.beat();
      }),
      link.on('down', ({ role, reason }) => {
        if (role === 'command') this.publishable = false;
        this.wasDown = true;
        this.setHealth({ up: false, reason: `Redis ${role} connection lost: ${reason}` });
      }),
    ];
    try {
      await link.subscribe([this.channels.broadcast, this.channels.inbox]);
    } catch (error) {
      await this.closeTransport();
      throw error;
    }
    this.publishable = link.state === 'up';
    this.rooms.attach(link);
    this.presence.attach(link);
    this.reaper.start();
  }

  /** After the goodbye: this node's presence, directory entries and registry entry removed, then the link closed. */
  protected override async closeTransport(): Promise<void> {
    const link = this.link;
    this.reaper.stop();
    // The goodbye may wait behind a directory lookup: let it out (a lookup ends within the command timeout).
    const idle = this.out.idle();
    await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, STOP_DRAIN_MS).unref())]);
    this.out.clear();
    this.batcher.flush();
    this.routing.close();
    await this.presence.removeAll();
    this.presence.detach();
    this.link = undefined;
    this.publishable = false;
    this.rooms.detach();
    for (const off of this.unlisten) off();
    this.unlisten = [];
    await link?.quit();
  }

  protected doPublish(message: ClusterMessage): void {
    if (!this.publishable || this.link === undefined) {
      this.counters.publishFailures++;
      // Thrown, not queued: the base class counts it, and a request that cannot be sent ends at once.
      throw unavailable('publish');
    }
    const channel = message.type === 'room' ? this.channels.room(message.room) : this.channels.broadcast;
    this.out.send(channel, stamp(message.type === 'attached' ? { ...message, at: this.fence.stamp(message.clientId) } : message));
  }

  /** Replies (and whatever else the base class addresses to one node) go to that node's inbox. */
  protected doPublishResponse(toNodeId: string, response: object): void {
    if (!this.publishable || this.link === undefined) {
      this.counters.publishFailures++;
      throw unavailable('publish');
    }
    this.out.send(this.channels.inboxOf(toNodeId), stamp(response));
  }

  private get clients(): LocalNode {
    const local = this.localNode;
    if (local === undefined) throw new RedisLinkError('RedisBackplane used before bind()', 'redis_unavailable', 'bind');
    return local;
  }

  /** Every publish of this node, in order: presence changes first, so a reply never overtakes the change it reports. */
  private publishOut(channel: string, payload: string, receivers?: (count: number) => void): void {
    this.presence.flush();
    const link = this.link;
    if (link === undefined) {
      this.counters.publishFailures++;
      return;
    }
    this.counters.messagesOut++;
    this.batcher.add(channel, payload, receivers);
  }

  /** The subscriber's read path: decode and hand over, never await (Redis drops slow pub/sub readers). */
  private receiveFrom(channel: string, payload: string): void {
    // This node's own room message, echoed because it listens to the room too: skip the parse.
    if (payload.startsWith(this.ownRoomPrefix)) return;
    for (const message of decodeRecords(payload)) this.receive(channel, message);
  }

  private receive(channel: string, message: Record<string, unknown> | undefined): void {
    if (message === undefined) return this.onMessage(undefined); // counted as malformed by the base class
    if (message.from === this.nodeId) return;
    this.counters.messagesIn++;
    if (typeof message.t === 'number') this.lag.observe(message.t, Date.now());
    if (channel === this.channels.inbox) return this.receiveInbox(message);
    if (this.fence.isStale(message)) {
      this.counters.staleAttaches++;
      return;
    }
    // Every node hears where a client just connected: a cached entry for it would now be wrong.
    if (message.type === 'attached' && typeof message.clientId === 'string' && typeof message.from === 'string') {
      this.directory.remember(message.clientId, message.from);
    } else if (message.type === 'detached' && typeof message.clientId === 'string') {
      this.directory.forget(message.clientId);
    }
    this.onMessage(message);
  }

  /** This node's inbox: requests addressed to it, replies to its node requests, and the base class' node messages. */
  private receiveInbox(message: Record<string, unknown>): void {
    const type = message.type;
    if (type === 'direct' || type === 'join' || type === 'leave' || type === 'disconnect') return this.onMessage(message);
    if (this.state === 'running' && this.routing.reply(message)) return;
    this.onResponse(message);
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
