// A Backplane for several brokers: all cluster behaviour here; subclasses (Redis, the test bus) only move messages.
import type { Backplane, BackplaneEvents, BackplaneHealth, LocalClientInfo, LocalNode, MaybePromise, MemberInfo } from '../core/backplane.js';
import { BrokerStateError } from '../errors.js';
import { RateLimitedLog } from '../logger.js';
import type { ClusterMessage, ClusterRequest, ClusterResponse } from './cluster-messages.js';
import { resolveClusterOptions, type ClusterBackplaneOptions, type ResolvedClusterOptions } from './cluster-options.js';
import { NodeRegistry } from './node-registry.js';
import { AnyDone, MembersGather, RequestTable, type Gather, type IncompleteRequest } from './requests.js';

/** Close code and reason of a connection replaced by a newer one with the same client id on another broker. */
export const REPLACED_CLOSE_CODE = 4409;
export const REPLACED_CLOSE_REASON = 'replaced';

/** Where a cluster backplane is in its life. */
export type ClusterBackplaneState = 'idle' | 'running' | 'stopped';

/** Counters of what went wrong or was skipped, for metrics and tests. */
export interface ClusterBackplaneStats {
  /** Peers currently considered alive (this node not counted). */
  peers: number;
  /** Requests waiting for replies. */
  pendingRequests: number;
  /** Requests that ended with replies missing (timeout, stop, unsendable, or over `maxPendingRequests`). */
  incompleteRequests: number;
  /** Replies left out of those requests, one per silent peer. */
  missingReplies: number;
  /** Peers given up, by timeout or goodbye. */
  nodesLost: number;
  /** Publishes the transport threw on. */
  publishErrors: number;
  /** Messages of a type this node does not know (a newer peer), ignored. */
  unknownMessages: number;
}

const UP: BackplaneHealth = { up: true };

/**
 * A cluster-ready backplane, after socket.io-adapter's `ClusterAdapter`. A subclass must:
 *
 * - implement `doPublish` (to every other node) and `doPublishResponse` (to one node);
 * - call `onMessage` and `onResponse` with what arrives (its own echoes are ignored here);
 * - optionally override `openTransport` / `closeTransport`, and call `setHealth` when its link fails.
 *
 * Deliveries go to local clients at once and are published once for the other nodes to deliver
 * to theirs. Membership commands for a client that is not local, and `members`, are requests
 * to every live peer with a timeout. Peers are known from heartbeats.
 *
 * @example
 * class MyBackplane extends ClusterBackplane {
 *   protected doPublish(message: ClusterMessage) { bus.send('all', JSON.stringify(message)); }
 *   protected doPublishResponse(to: string, response: ClusterResponse) { bus.send(to, JSON.stringify(response)); }
 * }
 * // on receipt: backplane.receive(JSON.parse(text)) calling this.onMessage / this.onResponse
 * createBroker({ backplane: new MyBackplane({ heartbeatIntervalMs: 3000 }) });
 */
export abstract class ClusterBackplane implements Backplane {
  readonly nodeId: string;
  protected readonly options: ResolvedClusterOptions;
  private local: LocalNode | undefined;
  private events: BackplaneEvents | undefined;
  private lifecycle: ClusterBackplaneState = 'idle';
  private healthState: BackplaneHealth = UP;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly registry = new NodeRegistry();
  private readonly requests: RequestTable;
  private readonly counters = { incompleteRequests: 0, missingReplies: 0, nodesLost: 0, publishErrors: 0, unknownMessages: 0 };
  // Incomplete requests and publish errors can come per command: log them at most once a second.
  private readonly incompleteLog = new RateLimitedLog(1000);
  private readonly publishLog = new RateLimitedLog(1000);

  protected constructor(options: ClusterBackplaneOptions = {}) {
    this.options = resolveClusterOptions(options);
    this.nodeId = this.options.nodeId;
    this.requests = new RequestTable(this.nodeId, this.options.requestTimeoutMs, this.options.maxPendingRequests, (request) =>
      this.requestIncomplete(request),
    );
  }

  /** Sends `message` to every other node of the cluster (its own echo, if any, is ignored). */
  protected abstract doPublish(message: ClusterMessage): void;

  /** Sends `response` to the node `toNodeId` only. */
  protected abstract doPublishResponse(toNodeId: string, response: ClusterResponse): void;

  /** Connects the transport; awaited by `start()` before the first heartbeat. */
  protected openTransport(): Promise<void> {
    return Promise.resolve();
  }

  /** Disconnects the transport; awaited by `stop()` after the goodbye was published. */
  protected closeTransport(): Promise<void> {
    return Promise.resolve();
  }

  /** Lets the transport report its link: a broker's health follows it. */
  protected setHealth(health: BackplaneHealth): void {
    this.healthState = health.up ? UP : { up: false, reason: health.reason ?? 'cluster transport down' };
  }

  /** Where this backplane is in its life. */
  get state(): ClusterBackplaneState {
    return this.lifecycle;
  }

  /** The ids of the other nodes currently considered alive: the replies a request waits for. */
  peers(): string[] {
    return this.registry.ids();
  }

  /** What went wrong or was skipped so far. */
  stats(): ClusterBackplaneStats {
    return { peers: this.registry.size, pendingRequests: this.requests.size, ...this.counters };
  }

  bind(local: LocalNode, events: BackplaneEvents): void {
    if (this.local !== undefined) throw new BrokerStateError('a ClusterBackplane serves one broker');
    this.local = local;
    this.events = events;
  }

  async start(): Promise<void> {
    if (this.lifecycle !== 'idle') throw new BrokerStateError(`ClusterBackplane start() called while ${this.lifecycle}`);
    if (this.local === undefined) throw new BrokerStateError('ClusterBackplane started before bind()');
    await this.openTransport();
    this.lifecycle = 'running';
    // `initial` makes every peer answer with a heartbeat, so this node knows its peers within a round trip.
    this.publish({ type: 'heartbeat', from: this.nodeId, initial: true });
    this.heartbeatTimer = setInterval(() => this.tick(), this.options.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  /** Publishes a goodbye (peers drop this node at once), settles pending requests, closes the transport. Idempotent. */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    const wasRunning = this.lifecycle === 'running';
    this.lifecycle = 'stopped';
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (wasRunning) this.publishNow({ type: 'goodbye', from: this.nodeId });
    this.requests.close();
    this.registry.clear();
    if (wasRunning) await this.closeTransport();
  }

  toRoom(roomId: string, message: string, binary: boolean): void {
    this.node.toRoom(roomId, message, binary);
    this.publish({ type: 'room', from: this.nodeId, room: roomId, message, binary });
  }

  /** Local when the client is here; otherwise published, and the node holding it delivers. */
  toConnection(clientId: string, message: string, binary: boolean): void {
    const local = this.node;
    if (local.has(clientId)) local.toConnection(clientId, message, binary);
    else this.publish({ type: 'direct', from: this.nodeId, clientId, message, binary });
  }

  broadcast(message: string, binary: boolean): void {
    this.node.broadcast(message, binary);
    this.publish({ type: 'broadcast', from: this.nodeId, message, binary });
  }

  join(clientId: string, roomId: string): MaybePromise<boolean> {
    if (this.node.join(clientId, roomId)) return true;
    return this.ask('join', () => new AnyDone(), false, (requestId) => ({ type: 'join', from: this.nodeId, requestId, clientId, room: roomId }));
  }

  leave(clientId: string, roomId: string): MaybePromise<boolean> {
    if (this.node.leave(clientId, roomId)) return true;
    return this.ask('leave', () => new AnyDone(), false, (requestId) => ({ type: 'leave', from: this.nodeId, requestId, clientId, room: roomId }));
  }

  disconnect(clientId: string, code: number, reason: string): MaybePromise<boolean> {
    if (this.node.disconnect(clientId, code, reason)) return true;
    return this.ask('disconnect', () => new AnyDone(), false, (requestId) => ({ type: 'disconnect', from: this.nodeId, requestId, clientId, code, reason }));
  }

  /** Local members plus those of every peer that answers within `requestTimeoutMs`; silent peers are left out and counted. */
  members(roomId: string): MaybePromise<MemberInfo[]> {
    const local = this.node.members(roomId);
    return this.ask('members', () => new MembersGather(local), local, (requestId) => ({ type: 'members', from: this.nodeId, requestId, room: roomId }));
  }

  /** Publishes so that a connection with the same client id on another broker is replaced (closed with 4409). */
  clientAttached(client: LocalClientInfo): void {
    this.publish({ type: 'attached', from: this.nodeId, clientId: client.clientId });
  }

  clientDetached(_client: LocalClientInfo): void {
    // Nothing is kept per client here; a subclass with a connection directory overrides this.
  }

  health(): BackplaneHealth {
    return this.healthState;
  }

  /** Handles a message another node published. The transport calls this for everything it receives. */
  protected onMessage(message: ClusterMessage): void {
    if (message.from === this.nodeId || this.lifecycle !== 'running') return;
    const local = this.local as LocalNode;
    if (message.type === 'goodbye') {
      this.lose(message.from, 'goodbye');
      return;
    }
    // Any message shows its sender alive, so a busy peer is never lost between heartbeats.
    if (this.registry.seen(message.from, Date.now())) this.options.logger?.info({ node: this.nodeId, peer: message.from }, 'cluster node joined');
    switch (message.type) {
      case 'room':
        local.toRoom(message.room, message.message, message.binary);
        return;
      case 'broadcast':
        local.broadcast(message.message, message.binary);
        return;
      case 'direct':
        local.toConnection(message.clientId, message.message, message.binary);
        return;
      case 'heartbeat':
        if (message.initial === true) this.publish({ type: 'heartbeat', from: this.nodeId });
        return;
      case 'attached':
        if (local.has(message.clientId)) local.disconnect(message.clientId, REPLACED_CLOSE_CODE, REPLACED_CLOSE_REASON);
        return;
      case 'join':
        this.respond(message, local.join(message.clientId, message.room));
        return;
      case 'leave':
        this.respond(message, local.leave(message.clientId, message.room));
        return;
      case 'disconnect':
        this.respond(message, local.disconnect(message.clientId, message.code, message.reason));
        return;
      case 'members':
        this.respondNow(message.from, { type: 'members', from: this.nodeId, requestId: message.requestId, members: local.members(message.room) });
        return;
      default:
        this.counters.unknownMessages += 1;
    }
  }

  /** Handles a reply to one of this node's requests. The transport calls this for everything sent to this node. */
  protected onResponse(response: ClusterResponse): void {
    if (response.from === this.nodeId || this.lifecycle !== 'running') return;
    this.requests.reply(response);
  }

  private get node(): LocalNode {
    if (this.local === undefined) throw new BrokerStateError('ClusterBackplane used before bind()');
    return this.local;
  }

  /** Asks every live peer; with none (or before start) the answer is `alone` at once. */
  private ask<T>(
    type: ClusterRequest['type'],
    gather: () => Gather<T>,
    alone: T,
    build: (requestId: string) => ClusterRequest,
  ): MaybePromise<T> {
    if (this.lifecycle !== 'running' || this.registry.size === 0) return alone;
    const { requestId, result, waiting } = this.requests.open(type, this.registry.ids(), gather());
    if (waiting && !this.publishNow(build(requestId))) this.requests.cancel(requestId, 'unsent');
    return result;
  }

  private respond(request: ClusterRequest, ok: boolean): void {
    this.respondNow(request.from, { type: 'done', from: this.nodeId, requestId: request.requestId, ok });
  }

  private tick(): void {
    this.publish({ type: 'heartbeat', from: this.nodeId });
    for (const nodeId of this.registry.expire(Date.now(), this.options.nodeTimeoutMs)) this.lost(nodeId, 'timeout');
  }

  /** A peer said goodbye. */
  private lose(nodeId: string, why: 'goodbye'): void {
    if (this.registry.remove(nodeId)) this.lost(nodeId, why);
  }

  /** A peer is gone (already out of the registry): requests stop waiting for it and the broker is told. */
  private lost(nodeId: string, why: 'goodbye' | 'timeout'): void {
    this.counters.nodesLost += 1;
    this.requests.nodeGone(nodeId);
    const log = this.options.logger;
    if (why === 'timeout') log?.warn({ node: this.nodeId, peer: nodeId, nodeTimeoutMs: this.options.nodeTimeoutMs }, 'cluster node lost');
    else log?.info({ node: this.nodeId, peer: nodeId }, 'cluster node left');
    this.events?.nodeLost(nodeId);
  }

  private requestIncomplete(request: IncompleteRequest): void {
    this.counters.incompleteRequests += 1;
    this.counters.missingReplies += request.missing.length;
    const log = this.options.logger;
    if (log === undefined) return;
    this.incompleteLog.hit((suppressed) => {
      log.warn({ node: this.nodeId, ...request, suppressedSinceLastLog: suppressed }, 'cluster request ended without every reply');
    });
  }

  private publish(message: ClusterMessage): void {
    if (this.lifecycle === 'running') this.publishNow(message);
  }

  // A transport failure must not break the caller (a room message already delivered locally, a reply path).
  private publishNow(message: ClusterMessage): boolean {
    try {
      this.doPublish(message);
      return true;
    } catch (error) {
      this.publishFailed(error);
      return false;
    }
  }

  private respondNow(toNodeId: string, response: ClusterResponse): void {
    try {
      this.doPublishResponse(toNodeId, response);
    } catch (error) {
      this.publishFailed(error);
    }
  }

  private publishFailed(error: unknown): void {
    this.counters.publishErrors += 1;
    const log = this.options.logger;
    if (log === undefined) return;
    this.publishLog.hit((suppressed) => {
      log.warn({ node: this.nodeId, err: error, suppressedSinceLastLog: suppressed }, 'cluster publish failed');
    });
  }
}
