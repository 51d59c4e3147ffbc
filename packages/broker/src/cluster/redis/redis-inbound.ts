// The read path of the Redis transport: payloads from the subscriber split into messages and handed on.
import type { AttachFence } from './attach-fence.js';
import type { ConnectionDirectory } from './connection-directory.js';
import type { PublishLagHistogram } from './publish-lag.js';
import { decodeRecords } from './records.js';

/** What the read path needs of its backplane. */
export interface InboundHost {
  readonly nodeId: string;
  /** This node's inbox channel. */
  readonly inbox: string;
  readonly fence: AttachFence;
  readonly directory: ConnectionDirectory;
  readonly lag: PublishLagHistogram;
  readonly counters: { messagesIn: number; staleAttaches: number };
  /** A message for every node (or this one's membership requests); `undefined` is counted as malformed. */
  onMessage(message: Record<string, unknown> | undefined): void;
  /** A message for this node only: true when the routing took it as a reply to one of its own requests. */
  routingReply(message: Record<string, unknown>): boolean;
  /** Any other message for this node only. */
  onResponse(message: Record<string, unknown>): void;
}

/**
 * Decodes what the subscriber delivers and hands each message to the backplane, never awaiting
 * (Redis drops slow pub/sub readers). This node's own messages are skipped (its room echo without
 * a parse), `attached` messages older than the local connection are dropped, and every node's
 * `attached` / `detached` keeps the directory cache true.
 */
export class RedisInbound {
  /** The base class builds room messages as { type, from, ... }: this node's own echo starts so. */
  private readonly ownRoomPrefix: string;

  constructor(private readonly host: InboundHost) {
    this.ownRoomPrefix = `{"type":"room","from":${JSON.stringify(host.nodeId)},`;
  }

  receive(channel: string, payload: string): void {
    // A payload holds one node's records only: this node's own room echo is skipped whole.
    if (payload.startsWith(this.ownRoomPrefix)) return;
    for (const message of decodeRecords(payload)) this.one(channel, message);
  }

  private one(channel: string, message: Record<string, unknown> | undefined): void {
    const host = this.host;
    if (message === undefined) return host.onMessage(undefined);
    if (message.from === host.nodeId) return;
    host.counters.messagesIn++;
    if (typeof message.t === 'number') host.lag.observe(message.t, Date.now());
    if (channel === host.inbox) return this.inbox(message);
    if (host.fence.isStale(message)) {
      host.counters.staleAttaches++;
      return;
    }
    // Every node hears where a client just connected: a cached entry for it would now be wrong.
    if (message.type === 'attached' && typeof message.clientId === 'string' && typeof message.from === 'string') {
      host.directory.remember(message.clientId, message.from);
    } else if (message.type === 'detached' && typeof message.clientId === 'string') {
      host.directory.forget(message.clientId);
    }
    host.onMessage(message);
  }

  /** This node's inbox: requests addressed to it, replies to its node requests, and the base class' node messages. */
  private inbox(message: Record<string, unknown>): void {
    const host = this.host;
    const type = message.type;
    if (type === 'direct' || type === 'join' || type === 'leave' || type === 'disconnect') return host.onMessage(message);
    if (host.routingReply(message)) return;
    host.onResponse(message);
  }
}
