// A Backplane for several brokers: all cluster behaviour here; subclasses (Redis, the test bus) only move messages.
import type { Backplane, BackplaneEvents, BackplaneHealth, LocalClientInfo, LocalNode, MaybePromise, MemberInfo } from '../core/backplane.js';
import type { ConsumerSource } from '../core/consumers.js';
import type { ConnectionDecider } from '../core/decisions.js';
import { BrokerStateError } from '../errors.js';
import type { BackplaneMetric } from '../metric-samples.js';
import type { ClusterDecider } from './cluster-decider.js';
import { ClusterDiagnostics, type ClusterCounters } from './cluster-diagnostics.js';
import { checkClusterMessage, type ClusterMessage, type ClusterRequest, type HeartbeatMessage } from './cluster-messages.js';
import { resolveClusterOptions, type ClusterBackplaneOptions, type ResolvedClusterOptions } from './cluster-options.js';
import { ClusterServices, type ServiceSizes } from './cluster-services.js';
import { checkNodeMessage, type NodeMessage } from './node-messages.js';
import { NodeRegistry } from './node-registry.js';
import { carryOut } from './remote-commands.js';
import { AnyDone, MembersGather, RequestTable, type Gather } from './requests.js';

/** Where a cluster backplane is in its life. */
export type ClusterBackplaneState = 'idle' | 'starting' | 'running' | 'stopped';

/** The state of the cluster as this node sees it, and what went wrong or was skipped. */
export interface ClusterBackplaneStats extends ClusterCounters, ServiceSizes {
  /** Peers currently considered alive (this node not counted). */
  peers: number;
  /** Requests waiting for replies. */
  pendingRequests: number;
}

const UP: BackplaneHealth = { up: true };

/**
 * A cluster-ready backplane, after socket.io-adapter's `ClusterAdapter`. A subclass must:
 *
 * - implement `doPublish` (to every other node) and `doPublishResponse` (to one node's inbox:
 *   replies to its requests and every other node-addressed message, `NodeMessage`, in order);
 * - call `onMessage` and `onResponse` with what arrives, as decoded (checked here; its own echoes are ignored);
 * - optionally override `openTransport` / `closeTransport`, and call `setHealth` when its link fails.
 *
 * Deliveries go to local clients at once and are published once for the other nodes to deliver
 * to theirs. Membership commands for a client that is not local, and `members`, are requests
 * to every live peer with a timeout. Peers, and how many ready backends each has, are known from
 * heartbeats. Beyond deliveries (`ClusterServices`): a broker without a backend forwards
 * connection requests (`connectionDecider`) and relays client events (`relays`) to one that has
 * one, and when a node is lost without a goodbye one survivor reports its clients `disconnected`.
 *
 * One client id, one connection: `clientAttached` makes any other node holding that id close it
 * with CLOSE_CODES.replaced (4900). Two connections accepted on two nodes at the same moment both get replaced.
 *
 * @example
 * class EmitterBackplane extends ClusterBackplane {
 *   constructor(private readonly hub: EventEmitter, options?: ClusterBackplaneOptions) {
 *     super(options);
 *     hub.on('all', (text: string) => this.onMessage(JSON.parse(text)));
 *     hub.on(this.nodeId, (text: string) => this.onResponse(JSON.parse(text)));
 *   }
 *   protected doPublish(message: ClusterMessage) { this.hub.emit('all', JSON.stringify(message)); }
 *   protected doPublishResponse(to: string, message: NodeMessage) { this.hub.emit(to, JSON.stringify(message)); }
 * }
 * createBroker({ backplane: new EmitterBackplane(hub) });
 */
export abstract class ClusterBackplane implements Backplane {
  readonly nodeId: string;
  readonly clustered = true;
  protected readonly options: ResolvedClusterOptions;
  private local: LocalNode | undefined;
  private events: BackplaneEvents | undefined;
  private lifecycle: ClusterBackplaneState = 'idle';
  private healthState: BackplaneHealth = UP;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly registry = new NodeRegistry();
  private readonly requests: RequestTable;
  private readonly diagnostics: ClusterDiagnostics;
  private readonly services: ClusterServices;

  protected constructor(options: ClusterBackplaneOptions = {}) {
    this.options = resolveClusterOptions(options);
    this.nodeId = this.options.nodeId;
    const diagnostics = new ClusterDiagnostics(this.nodeId, this.options.logger);
    this.diagnostics = diagnostics;
    this.requests = new RequestTable(this.nodeId, this.options.requestTimeoutMs, this.options.maxPendingRequests, (request) =>
      diagnostics.requestIncomplete(request),
    );
    this.services = new ClusterServices({
      nodeId: this.nodeId,
      options: this.options,
      registry: this.registry,
      diagnostics,
      send: (to, message) => this.sendTo(to, message),
    });
  }

  /** Sends `message` to every other node of the cluster (its own echo, if any, is ignored). */
  protected abstract doPublish(message: ClusterMessage): void;

  /**
   * Sends `message` to the node `toNodeId` only (its inbox): a reply to one of its requests, or
   * any other node-addressed message. Messages to one node must arrive in the order sent.
   */
  protected abstract doPublishResponse(toNodeId: string, message: NodeMessage): void;

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

  /** What went wrong or was skipped so far, and what is kept about the other nodes. */
  /** Samples for /metrics: peers, requests and what went wrong (a transport adds its own). */
  metrics(): BackplaneMetric[] {
    const s = this.stats();
    const gauge = (name: string, help: string, value: number): BackplaneMetric => ({ kind: 'gauge', name, help, value });
    const counter = (name: string, help: string, value: number): BackplaneMetric => ({ kind: 'counter', name, help, value });
    return [
      gauge('strands_cluster_peers', 'Other brokers of the cluster alive now.', s.peers),
      gauge('strands_cluster_peers_with_backends', 'Other brokers that announced ready backends.', s.peersWithBackends),
      gauge('strands_cluster_pending_requests', 'Cluster requests waiting for replies.', s.pendingRequests),
      gauge('strands_cluster_relayed_clients', 'Clients of other brokers whose events this broker hands to its backends.', s.relayedClients),
      counter('strands_cluster_nodes_lost_total', 'Brokers given up (timeout or goodbye).', s.nodesLost),
      counter('strands_cluster_lost_clients_reported_total', 'Clients of lost brokers reported disconnected to this broker\'s backends.', s.lostClientsReported),
      counter('strands_cluster_incomplete_requests_total', 'Cluster requests that ended with replies missing.', s.incompleteRequests),
      counter('strands_cluster_publish_errors_total', 'Publishes the transport failed on.', s.publishErrors),
    ];
  }

  stats(): ClusterBackplaneStats {
    return { peers: this.registry.size, pendingRequests: this.requests.size, ...this.services.sizes(), ...this.diagnostics.counts };
  }

  /**
   * The relays to other nodes' backends, as a consumer source: the broker's dispatcher falls back
   * to it when the broker has no backend of its own (`firstOf(pool, backplane.relays)`).
   */
  get relays(): ConsumerSource {
    return this.services.relays;
  }

  /**
   * Makes the gateway's connection decider (once): `local` (this broker's backends) decides when
   * it has a backend; otherwise a peer with backends does, bounded by `connectionRequestTimeoutMs`
   * (the deciding broker's own bound) plus the round trip. See `ClusterDecider`.
   */
  connectionDecider(local: ConnectionDecider, connectionRequestTimeoutMs: number): ClusterDecider {
    return this.services.connectionDecider(local, connectionRequestTimeoutMs);
  }

  bind(local: LocalNode, events: BackplaneEvents): void {
    if (this.local !== undefined) throw new BrokerStateError('a ClusterBackplane serves one broker');
    this.local = local;
    this.events = events;
    this.services.bind(events);
  }

  async start(): Promise<void> {
    if (this.lifecycle !== 'idle') throw new BrokerStateError(`ClusterBackplane start() called while ${this.lifecycle}`);
    if (this.local === undefined) throw new BrokerStateError('ClusterBackplane started before bind()');
    this.lifecycle = 'starting';
    try {
      await this.openTransport();
    } catch (error) {
      this.lifecycle = 'idle';
      throw error;
    }
    // Stopped while the transport was opening: that stop found nothing to close yet.
    if (this.lifecycle !== 'starting') return this.closeTransport();
    this.lifecycle = 'running';
    // `initial` makes every peer answer with a heartbeat, so this node knows its peers within a round trip.
    this.publish(this.heartbeat(true));
    this.heartbeatTimer = setInterval(() => this.tick(), this.options.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
  }

  /**
   * Publishes what the relays hold and a goodbye (peers drop this node at once, and leave its
   * clients for it to report), settles pending requests, closes the transport. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.lifecycle === 'stopped') return;
    const wasRunning = this.lifecycle === 'running';
    // While still running, so the relays' last batches (a stopping broker's disconnected events) go out before the goodbye.
    this.services.close();
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

  /**
   * At once when the client is local; otherwise a request to every live peer, true on the first
   * that had the client and acted, false when every peer said no or on `requestTimeoutMs`.
   * `leave` and `disconnect` work the same way.
   */
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
    return this.ask('disconnect', () => new AnyDone(), false, (requestId) => ({
      type: 'disconnect',
      from: this.nodeId,
      requestId,
      clientId,
      code,
      reason,
    }));
  }

  /** Local members plus those of every peer that answers within `requestTimeoutMs`; silent peers are left out and counted. */
  members(roomId: string): MaybePromise<MemberInfo[]> {
    const local = this.node.members(roomId);
    return this.ask('members', () => new MembersGather(local), local, (requestId) => ({ type: 'members', from: this.nodeId, requestId, room: roomId }));
  }

  /** Publishes so that a connection with the same client id on another broker is replaced (closed with CLOSE_CODES.replaced, 4900), and every node notes the client. */
  clientAttached(client: LocalClientInfo): void {
    this.publish({ type: 'attached', from: this.nodeId, clientId: client.clientId, room: client.roomId, metadata: client.metadata });
  }

  /** Publishes so that every node forgets the client. */
  clientDetached(client: LocalClientInfo): void {
    this.publish({ type: 'detached', from: this.nodeId, clientId: client.clientId });
  }

  /** Announces this broker's ready backends at once (and with every heartbeat). */
  backendsChanged(count: number): void {
    this.services.localBackends = count;
    this.publish(this.heartbeat(false));
  }

  health(): BackplaneHealth {
    return this.healthState;
  }

  /**
   * Handles a message another node published: the transport calls this with everything it
   * receives, as decoded. Malformed messages and types this node does not know are counted and ignored.
   */
  protected onMessage(received: unknown): void {
    if (this.lifecycle !== 'running') return;
    const check = checkClusterMessage(received);
    if (check !== 'ok') {
      this.diagnostics.unreadable(check, received);
      // A newer peer's message still shows it alive.
      if (check === 'unknown') this.seen((received as { from: string }).from);
      return;
    }
    const message = received as ClusterMessage;
    if (message.from === this.nodeId) return;
    const local = this.local as LocalNode;
    if (message.type === 'goodbye') {
      if (this.registry.remove(message.from)) this.lost(message.from, 'goodbye');
      return;
    }
    // Any message shows its sender alive, so a busy peer is never lost between heartbeats.
    this.seen(message.from);
    if (message.type === 'heartbeat') {
      this.services.heartbeat(message);
      if (message.initial === true) this.publish(this.heartbeat(false));
      return;
    }
    if (message.type === 'detached') return this.services.detached(message.from, message.clientId);
    if (message.type === 'attached') this.services.attached(message);
    const response = carryOut(local, this.nodeId, message);
    if (response !== undefined) this.sendTo(message.from, response);
  }

  /**
   * Handles what was sent to this node only: the transport calls this with everything its inbox
   * receives, as decoded (replies to this node's requests and other node-addressed messages).
   */
  protected onResponse(received: unknown): void {
    if (this.lifecycle !== 'running') return;
    const check = checkNodeMessage(received);
    if (check !== 'ok') {
      this.diagnostics.unreadable(check, received);
      return;
    }
    const message = received as NodeMessage;
    if (message.from === this.nodeId) return;
    this.seen(message.from);
    if (message.type === 'done' || message.type === 'members') this.requests.reply(message);
    else this.services.receive(message);
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

  private heartbeat(initial: boolean): HeartbeatMessage {
    const message: HeartbeatMessage = { type: 'heartbeat', from: this.nodeId, backends: this.services.localBackends };
    if (initial) message.initial = true;
    return message;
  }

  private tick(): void {
    this.publish(this.heartbeat(false));
    for (const nodeId of this.registry.expire(Date.now(), this.options.nodeTimeoutMs)) this.lost(nodeId, 'timeout');
  }

  private seen(nodeId: string): void {
    if (nodeId !== this.nodeId && this.registry.seen(nodeId, Date.now())) this.diagnostics.nodeJoined(nodeId);
  }

  /**
   * A peer is gone (already out of the registry): requests stop waiting for it, its relays and
   * forwarded requests end, its clients are reported (after a timeout only), and the broker is told.
   */
  private lost(nodeId: string, why: 'goodbye' | 'timeout'): void {
    this.diagnostics.nodeLost(nodeId, why, this.options.nodeTimeoutMs);
    this.requests.nodeGone(nodeId);
    this.services.nodeLost(nodeId, why);
    this.events?.nodeLost(nodeId);
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
      this.diagnostics.publishFailed(error);
      return false;
    }
  }

  private sendTo(toNodeId: string, message: NodeMessage): boolean {
    if (this.lifecycle !== 'running') return false;
    try {
      this.doPublishResponse(toNodeId, message);
      return true;
    } catch (error) {
      this.diagnostics.publishFailed(error);
      return false;
    }
  }
}
