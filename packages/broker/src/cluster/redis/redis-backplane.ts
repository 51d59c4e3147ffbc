// ClusterBackplane over Redis pub/sub: pure transport (cluster-notes "Keys and channels"); all cluster behaviour is in the base class.
import { ClusterBackplane } from '../cluster-backplane.js';
import type { LocalClientInfo } from '../../core/backplane.js';
import type { ClusterMessage, ClusterResponse } from '../cluster-messages.js';
import { AttachFence } from './attach-fence.js';
import { RedisLinkError } from './errors.js';
import { createIoredisLink } from './ioredis-link.js';
import { clusterChannels, type ClusterChannels } from './keys.js';
import type { RedisLinkOptions } from './link-options.js';
import type { RedisLink, RedisLinkStats } from './redis-link.js';
import { checkRedisBackplaneOptions, type RedisBackplaneOptions } from './redis-backplane-options.js';
import { RoomSubscriptions } from './room-subscriptions.js';

/** The transport's own counters, next to the base class' `stats()`. */
export interface RedisBackplaneStats extends RedisLinkStats {
  /** PUBLISHes Redis did not take after they were sent (the connection dropped under them). */
  lostPublishes: number;
  /** SUBSCRIBE / UNSUBSCRIBE of room channels that failed (retried by the link on reconnect). */
  subscribeFailures: number;
  /** Rooms with local members, whose channels this node listens to. */
  rooms: number;
  /** `attached` messages dropped because they announced a connection older than the local one. */
  staleAttaches: number;
}

/**
 * Carries cluster messages on Redis channels:
 * - room messages on the room's own channel, which a node subscribes only while it has local
 *   members there (`roomOpened` / `roomClosed`, coalesced per tick, batched by the link);
 * - everything else for every node (heartbeats, broadcasts, requests) on the broadcast channel;
 * - replies on the asking node's inbox channel.
 * The link's probe and reconnects keep the subscriptions alive; its state is the broker's health.
 * @example
 * const backplane = new RedisBackplane({ url: 'redis://127.0.0.1:6379' });
 * const broker = createBroker({ backplane });
 */
export class RedisBackplane extends ClusterBackplane {
  readonly channels: ClusterChannels;
  private readonly url: string;
  private readonly linkOptions: Omit<RedisLinkOptions, 'url' | 'probeChannel'>;
  private readonly connectLink: (options: RedisLinkOptions) => Promise<RedisLink>;
  private readonly rooms: RoomSubscriptions;
  private link: RedisLink | undefined;
  private unlisten: Array<() => void> = [];
  /** Whether publishing can work now; false from a lost command connection until the link is up again. */
  private publishable = false;
  private readonly ownRoomPrefix: string;
  private readonly counters = { lostPublishes: 0, subscribeFailures: 0, staleAttaches: 0 };
  private readonly fence = new AttachFence();

  constructor(options: RedisBackplaneOptions) {
    super(options);
    const { prefix } = checkRedisBackplaneOptions(options);
    this.url = options.url;
    this.linkOptions = options.link ?? {};
    this.connectLink = options.connect ?? createIoredisLink;
    this.channels = clusterChannels(prefix, this.nodeId);
    this.rooms = new RoomSubscriptions(this.channels.room, () => {
      this.counters.subscribeFailures++;
    });
    // The base class builds room messages as { type, from, ... }: this node's own echo starts so.
    this.ownRoomPrefix = `{"type":"room","from":${JSON.stringify(this.nodeId)},`;
  }

  override clientAttached(client: LocalClientInfo): void {
    this.fence.attached(client.clientId);
    super.clientAttached(client);
  }

  override clientDetached(client: LocalClientInfo): void {
    this.fence.detached(client.clientId);
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

  /** The link's counters and this transport's; zeros before `start`. */
  redisStats(): RedisBackplaneStats {
    const link = this.link?.stats() ?? { subscriberReconnects: 0, commandReconnects: 0, probesSent: 0, probeRestarts: 0, channels: 0 };
    return { ...link, ...this.counters, rooms: this.rooms.size };
  }

  protected override async openTransport(): Promise<void> {
    const link = await this.connectLink({ ...this.linkOptions, url: this.url, probeChannel: this.channels.probe });
    this.link = link;
    link.onMessage((channel, payload) => this.receiveFrom(channel, payload));
    this.unlisten = [
      link.on('up', () => {
        this.publishable = true;
        this.setHealth({ up: true });
      }),
      link.on('down', ({ role, reason }) => {
        if (role === 'command') this.publishable = false;
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
  }

  protected override async closeTransport(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    this.publishable = false;
    this.rooms.detach();
    for (const off of this.unlisten) off();
    this.unlisten = [];
    await link?.quit();
  }

  protected doPublish(message: ClusterMessage): void {
    if (message.type === 'attached') {
      this.publishTo(this.channels.broadcast, JSON.stringify({ ...message, at: this.fence.stamp(message.clientId) }));
      return;
    }
    this.publishTo(message.type === 'room' ? this.channels.room(message.room) : this.channels.broadcast, JSON.stringify(message));
  }

  protected doPublishResponse(toNodeId: string, response: ClusterResponse): void {
    this.publishTo(this.channels.inboxOf(toNodeId), JSON.stringify(response));
  }

  private publishTo(channel: string, payload: string): void {
    const link = this.link;
    // Thrown, not queued: the base class counts it, and a request that cannot be sent ends at once
    // instead of waiting out its timeout.
    if (link === undefined || !this.publishable) {
      throw new RedisLinkError('publish: Redis unavailable', 'redis_unavailable', 'publish');
    }
    link.publish(channel, payload).catch(() => {
      this.counters.lostPublishes++;
    });
  }

  /** The subscriber's read path: decode and hand over, never await (Redis drops slow pub/sub readers). */
  private receiveFrom(channel: string, payload: string): void {
    if (channel === this.channels.inbox) {
      this.onResponse(decode(payload));
      return;
    }
    // This node's own room message, echoed because it listens to the room too: skip the parse.
    if (payload.startsWith(this.ownRoomPrefix)) return;
    const message = decode(payload);
    if (this.fence.isStale(message)) {
      this.counters.staleAttaches++;
      return;
    }
    this.onMessage(message);
  }
}

/** JSON or `undefined`, which the base class counts as malformed. */
function decode(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    return undefined;
  }
}
