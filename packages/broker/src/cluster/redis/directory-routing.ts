// Where a command for a remote client goes: the one node the connection directory names, on its
// inbox (cluster-notes "Direct to connection"), in this node's publish order; never every node.
import type { MaybePromise } from '../../core/backplane.js';
import { isClusterResponse, type DisconnectRequest, type JoinRequest, type LeaveRequest } from '../cluster-messages.js';
import { AnyDone, RequestTable } from '../requests.js';
import type { ConnectionDirectory } from './connection-directory.js';
import { RedisLinkError } from './errors.js';
import type { ClusterChannels } from './keys.js';
import type { OrderedPublisher } from './ordered-publisher.js';
import type { RedisLink } from './redis-link.js';
import { stamp } from './records.js';

/** A membership command for a client on another node. */
export type NodeRequest = JoinRequest | LeaveRequest | DisconnectRequest;

/** What the routing needs of its backplane. */
export interface RoutingHost {
  readonly nodeId: string;
  readonly channels: ClusterChannels;
  /** The link while the backplane runs and can publish; undefined otherwise. */
  link(): RedisLink | undefined;
  /** False while the command connection is lost. */
  publishable(): boolean;
  /** The live peers (a node given up is never asked). */
  peers(): string[];
  /** A direct message that could not be sent (its lookup failed). */
  publishFailed(error: unknown): void;
}

/** What the routing counts, for `redisStats()`. */
export interface RoutingCounters {
  /** Direct messages to a client no directory entry names (no broker holds it): dropped. */
  directUnknown: number;
  /** Direct messages published to an inbox nobody listened on (that node is dead): dropped. */
  directDropped: number;
}

/** How a message goes out: in a place reserved in the order, or at once; `skip` when it need not go. */
interface Via {
  send(channel: string, payload: string, receivers: (count: number) => void): void;
  skip(): void;
}

/**
 * Direct messages and join / leave / disconnect for clients of other nodes. The node is read from
 * the directory (cached a few seconds); while a lookup is under way the message holds its place in
 * `out`, so everything this node publishes later waits behind it. A client no entry names is not
 * found without asking anyone; a request goes to one node and waits for that node alone.
 */
export class DirectoryRouting {
  readonly counters: RoutingCounters = { directUnknown: 0, directDropped: 0 };
  private readonly requests: RequestTable;
  /** Ids of this table's requests start with it, so their replies are told apart from the base class'. */
  private readonly prefix: string;

  constructor(
    private readonly host: RoutingHost,
    private readonly directory: ConnectionDirectory,
    private readonly out: OrderedPublisher,
    requestTimeoutMs: number,
    maxPendingRequests: number,
  ) {
    this.prefix = `${host.nodeId}:node`;
    this.requests = new RequestTable(this.prefix, requestTimeoutMs, maxPendingRequests, () => undefined);
  }

  /** Requests waiting for their node's answer. */
  get pending(): number {
    return this.requests.size;
  }

  /** Publishes a stamped direct message to the inbox of the node holding `clientId`; dropped (and counted) when none does. */
  deliver(clientId: string, payload: string): void {
    const { host, directory, out } = this;
    const link = host.link();
    if (link === undefined) return;
    const gone = (receivers: number) => {
      if (receivers > 0) return;
      // Nobody listens on that inbox: the node is dead, and its entry must not be trusted again.
      directory.forget(clientId);
      this.counters.directDropped++;
    };
    const cached = directory.cached(clientId);
    if (cached !== undefined) {
      if (cached !== host.nodeId) return out.send(host.channels.inboxOf(cached), payload, gone);
      // An entry naming this node for a client it does not have is stale (the client just left).
      directory.forget(clientId);
      this.counters.directUnknown++;
      return;
    }
    const slot = out.reserve();
    if (slot === undefined) return;
    directory.lookup(link, clientId).then(
      (nodeId) => {
        if (nodeId === null || nodeId === host.nodeId) {
          if (nodeId !== null) directory.forget(clientId);
          this.counters.directUnknown++;
          out.drop(slot);
        } else {
          out.fill(slot, host.channels.inboxOf(nodeId), payload, gone);
        }
      },
      (error: unknown) => {
        host.publishFailed(error);
        out.drop(slot);
      },
    );
  }

  /**
   * Asks the node holding `clientId` (cached, else looked up); false when no entry names one, that
   * node is not a live peer, nobody listens on its inbox, or it does not answer in time. A cached
   * node that says no is asked no more: the entry is read afresh once. Rejects while Redis is away.
   */
  ask(clientId: string, type: NodeRequest['type'], build: (requestId: string) => NodeRequest): MaybePromise<boolean> {
    const link = this.host.link();
    if (link === undefined) return false;
    if (!this.host.publishable()) return Promise.reject(new RedisLinkError(`${type}: Redis unavailable`, 'redis_unavailable', type));
    const lookUp = (skip: string | undefined): Promise<boolean> => {
      // The place in this node's order is taken now, before the lookup: later publishes wait behind it.
      const slot = this.out.reserve();
      return this.directory.lookup(link, clientId).then(
        (nodeId) => {
          if (slot === undefined) return false;
          const via: Via = { send: (channel, payload, receivers) => this.out.fill(slot, channel, payload, receivers), skip: () => this.out.drop(slot) };
          if (nodeId !== null && nodeId !== skip) return this.askNode(nodeId, clientId, type, build, via);
          via.skip();
          return false;
        },
        (error: unknown) => {
          if (slot !== undefined) this.out.drop(slot);
          throw error;
        },
      );
    };
    const cached = this.directory.cached(clientId);
    if (cached === undefined) return lookUp(undefined);
    const via: Via = { send: (channel, payload, receivers) => this.out.send(channel, payload, receivers), skip: () => undefined };
    return this.askNode(cached, clientId, type, build, via).then((done) => {
      if (done) return true;
      this.directory.forget(clientId);
      return lookUp(cached);
    });
  }

  /** Takes a reply to one of this table's requests; false when `message` is something else (the base class' to handle). */
  reply(message: Record<string, unknown>): boolean {
    if (message.type !== 'done' || typeof message.requestId !== 'string' || !message.requestId.startsWith(`${this.prefix}:`)) return false;
    if (isClusterResponse(message)) this.requests.reply(message);
    return true;
  }

  /** A node was given up: requests stop waiting for it, cached entries naming it go. */
  nodeGone(nodeId: string): void {
    this.requests.nodeGone(nodeId);
    this.directory.forgetNode(nodeId);
  }

  /** Settles every pending request (false) and forgets the cache (stop). */
  close(): void {
    this.requests.close();
    this.directory.clear();
  }

  private askNode(nodeId: string, clientId: string, type: NodeRequest['type'], build: (requestId: string) => NodeRequest, via: Via): Promise<boolean> {
    const host = this.host;
    if (nodeId === host.nodeId || !host.peers().includes(nodeId)) {
      this.directory.forget(clientId);
      via.skip();
      return Promise.resolve(false);
    }
    const { requestId, result, waiting } = this.requests.open(type, [nodeId], new AnyDone());
    if (!waiting) {
      via.skip();
      return result;
    }
    via.send(host.channels.inboxOf(nodeId), stamp(build(requestId)), (receivers) => {
      if (receivers > 0) return;
      this.directory.forget(clientId);
      this.requests.cancel(requestId, 'unsent');
    });
    return result;
  }
}
