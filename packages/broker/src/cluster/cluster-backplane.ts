// A Backplane for several brokers: all cluster behaviour here; subclasses (Redis, the test bus) only move messages.
import type { SendRefusalCode } from '@strands/protocol/wire';
import type { Backplane, BackplaneEvents, BackplaneHealth, LocalClientInfo, LocalNode, MaybePromise, MemberInfo } from '../core/backplane.js';
import type { ConsumerSource } from '../core/consumers.js';
import type { ConnectionDecider } from '../core/decisions.js';
import { BrokerStateError } from '../errors.js';
import type { BackplaneMetric } from '../metric-samples.js';
import type { ClusterDecider } from './cluster-decider.js';
import { ClusterDiagnostics } from './cluster-diagnostics.js';
import { receiveClusterMessage, receiveNodeMessage, type InboundContext } from './cluster-inbound.js';
import type { ClusterMessage } from './cluster-messages.js';
import { clusterMetricSamples, type ClusterBackplaneStats } from './cluster-metrics.js';
import { resolveClusterOptions, type ClusterBackplaneOptions, type ResolvedClusterOptions } from './cluster-options.js';
import { ClusterServices } from './cluster-services.js';
import { GuardedSend } from './guarded-send.js';
import type { NodeMessage } from './node-messages.js';
import { NodeRegistry } from './node-registry.js';
import { PeerLiveness, type LivenessHost } from './peer-liveness.js';
import { SelfFence } from './self-fence.js';
import { PeerRequests, type PeerRequestHost } from './peer-requests.js';
import { RequestTable } from './requests.js';

/** Where a cluster backplane is in its life. */
export type ClusterBackplaneState = 'idle' | 'starting' | 'running' | 'stopped';

export type { ClusterBackplaneStats } from './cluster-metrics.js';

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
  private readonly registry = new NodeRegistry();
  private readonly requests: RequestTable;
  private readonly diagnostics: ClusterDiagnostics;
  private readonly services: ClusterServices;
  private readonly asks: PeerRequests;
  private readonly liveness: PeerLiveness;
  private readonly selfFence: SelfFence;
  private readonly received: InboundContext;
  private readonly send: GuardedSend;

  protected constructor(options: ClusterBackplaneOptions = {}) {
    this.options = resolveClusterOptions(options);
    this.nodeId = this.options.nodeId;
    const diagnostics = new ClusterDiagnostics(this.nodeId, this.options.logger);
    this.diagnostics = diagnostics;
    const running = () => this.lifecycle === 'running';
    this.send = new GuardedSend({ running, toAll: (m) => this.doPublish(m), toNode: (to, m) => this.doPublishResponse(to, m) }, diagnostics);
    this.requests = new RequestTable(this.nodeId, this.options.requestTimeoutMs, this.options.maxPendingRequests, (request) =>
      diagnostics.requestIncomplete(request),
    );
    this.services = new ClusterServices({
      nodeId: this.nodeId,
      options: this.options,
      registry: this.registry,
      diagnostics,
      send: (to, message) => this.send.sendTo(to, message),
    });
    // One object serves the request, liveness and inbound parts: each reads the fields it needs.
    const node = (): LocalNode => this.node;
    const parts: InboundContext & PeerRequestHost & LivenessHost = {
      nodeId: this.nodeId,
      options: this.options,
      registry: this.registry,
      requests: this.requests,
      services: this.services,
      diagnostics,
      get local() {
        return node();
      },
      running,
      events: () => this.events,
      hearing: () => this.healthState.up,
      epoch: () => this.selfFence.epoch,
      givenUp: (from, epoch) => this.selfFence.givenUp(from, epoch),
      // Heartbeats go out only between start and stop, requests only while running: both may publish at once.
      publish: (message) => this.send.publishNow(message),
      lost: (nodeId) => this.liveness.lost(nodeId, 'goodbye'),
      answerHeartbeat: () => this.send.publish(this.liveness.heartbeat(false)),
      sendTo: (to, message) => this.send.sendTo(to, message),
    };
    this.received = parts;
    this.asks = new PeerRequests(parts);
    this.liveness = new PeerLiveness(parts);
    this.selfFence = new SelfFence(parts);
  }

  /** Sends `message` to every other node of the cluster (its own echo, if any, is ignored). */
  protected abstract doPublish(message: ClusterMessage): void;

  /**
   * Sends `message` to the node `toNodeId` only (its inbox): a reply to one of its requests, or
   * any other node-addressed message. Messages to one node must arrive in the order sent.
   */
  protected abstract doPublishResponse(toNodeId: string, message: NodeMessage): void;

  /** Connects the transport; awaited by `start()` before the first heartbeat. */
  protected async openTransport(): Promise<void> {}

  /** Disconnects the transport; awaited by `stop()` after the goodbye was published. */
  protected async closeTransport(): Promise<void> {}

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

  /** Samples for /metrics: peers, requests and what went wrong (a transport adds its own). */
  metrics(): BackplaneMetric[] {
    return clusterMetricSamples(this.stats());
  }

  /** What went wrong or was skipped so far, and what is kept about the other nodes. */
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

  /** This broker dropped an event it had accepted (see `Dispatcher.onDropped`): another node's client's sender is told through its node. */
  dropped(owner: object, code: SendRefusalCode, action: string): void {
    this.services.dropped(owner, code, action);
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
    this.liveness.start();
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
    this.liveness.stop();
    if (wasRunning) this.send.publishNow({ type: 'goodbye', from: this.nodeId });
    this.requests.close();
    this.registry.clear();
    if (wasRunning) await this.closeTransport();
  }

  toRoom(roomId: string, message: string, binary: boolean): void {
    this.node.toRoom(roomId, message, binary);
    this.send.publish({ type: 'room', from: this.nodeId, room: roomId, message, binary });
  }

  /** Local when the client is here; otherwise published, and the node holding it delivers. */
  toConnection(clientId: string, message: string, binary: boolean): void {
    const local = this.node;
    if (local.has(clientId)) local.toConnection(clientId, message, binary);
    else this.send.publish({ type: 'direct', from: this.nodeId, clientId, message, binary });
  }

  broadcast(message: string, binary: boolean): void {
    this.node.broadcast(message, binary);
    this.send.publish({ type: 'broadcast', from: this.nodeId, message, binary });
  }

  /**
   * At once when the client is local; otherwise a request to every live peer, true on the first
   * that had the client and acted, false when every peer said no or on `requestTimeoutMs`.
   * `leave` and `disconnect` work the same way.
   */
  join(clientId: string, roomId: string): MaybePromise<boolean> {
    return this.node.join(clientId, roomId) || this.asks.join(clientId, roomId);
  }

  leave(clientId: string, roomId: string): MaybePromise<boolean> {
    return this.node.leave(clientId, roomId) || this.asks.leave(clientId, roomId);
  }

  disconnect(clientId: string, code: number, reason: string): MaybePromise<boolean> {
    return this.node.disconnect(clientId, code, reason) || this.asks.disconnect(clientId, code, reason);
  }

  /** Local members plus those of every peer that answers within `requestTimeoutMs`; silent peers are left out and counted. */
  members(roomId: string): MaybePromise<MemberInfo[]> {
    return this.asks.members(roomId, this.node.members(roomId));
  }

  /** Publishes so that a connection with the same client id on another broker is replaced (closed with CLOSE_CODES.replaced, 4900), and every node notes the client. */
  clientAttached(client: LocalClientInfo): void {
    this.send.publish({ type: 'attached', from: this.nodeId, clientId: client.clientId, room: client.roomId, metadata: client.metadata });
  }

  /** Publishes so that every node forgets the client. */
  clientDetached(client: LocalClientInfo): void {
    this.send.publish({ type: 'detached', from: this.nodeId, clientId: client.clientId });
  }

  /** Announces this broker's ready backends at once (and with every heartbeat). */
  backendsChanged(count: number): void {
    this.services.localBackends = count;
    this.send.publish(this.liveness.heartbeat(false));
  }

  health(): BackplaneHealth {
    return this.healthState;
  }

  /**
   * Handles a message another node published: the transport calls this with everything it
   * receives, as decoded. Malformed messages and types this node does not know are counted and ignored.
   */
  protected onMessage(received: unknown): void {
    if (this.lifecycle === 'running') receiveClusterMessage(this.received, received);
  }

  /**
   * Handles what was sent to this node only: the transport calls this with everything its inbox
   * receives, as decoded (replies to this node's requests and other node-addressed messages).
   */
  protected onResponse(received: unknown): void {
    if (this.lifecycle === 'running') receiveNodeMessage(this.received, received);
  }

  private get node(): LocalNode {
    if (this.local === undefined) throw new BrokerStateError('ClusterBackplane used before bind()');
    return this.local;
  }
}
