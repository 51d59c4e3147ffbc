// Which peers are alive: this node's heartbeats out, peers given up when theirs stop, and what a lost peer ends.
import type { BackplaneEvents } from '../core/backplane.js';
import type { ClusterDiagnostics } from './cluster-diagnostics.js';
import { heartbeatOf } from './cluster-inbound.js';
import type { ClusterMessage, HeartbeatMessage } from './cluster-messages.js';
import type { ResolvedClusterOptions } from './cluster-options.js';
import type { ClusterServices } from './cluster-services.js';
import type { NodeRegistry } from './node-registry.js';
import type { RequestTable } from './requests.js';

/** What liveness needs of its backplane. */
export interface LivenessHost {
  readonly nodeId: string;
  readonly options: ResolvedClusterOptions;
  readonly registry: NodeRegistry;
  readonly requests: RequestTable;
  readonly services: ClusterServices;
  readonly diagnostics: ClusterDiagnostics;
  events(): BackplaneEvents | undefined;
  /** False while the transport reports its link down: this node can hear no peer then. */
  hearing(): boolean;
  /** The fence epoch this node announces (self-fence.ts). */
  epoch(): number;
  /** Publishes to every node while running. */
  publish(message: ClusterMessage): void;
}

/** Heartbeats every `heartbeatIntervalMs`; a peer not heard from for `nodeTimeoutMs` is lost at the next tick. */
export class PeerLiveness {
  private timer: NodeJS.Timeout | undefined;
  private lastTickAt = 0;

  constructor(private readonly host: LivenessHost) {}

  /** `initial` makes every peer answer with a heartbeat, so this node knows its peers within a round trip. */
  start(): void {
    this.host.publish(this.heartbeat(true));
    this.lastTickAt = Date.now();
    this.timer = setInterval(() => this.tick(), this.host.options.heartbeatIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  heartbeat(initial: boolean): HeartbeatMessage {
    return heartbeatOf(this.host.nodeId, this.host.services.localBackends, initial, this.host.epoch());
  }

  /**
   * A peer is gone (already out of the registry): requests stop waiting for it, its relays and
   * forwarded requests end, its clients are reported (after a timeout only), and the broker is told.
   */
  lost(nodeId: string, why: 'goodbye' | 'timeout'): void {
    const host = this.host;
    host.diagnostics.nodeLost(nodeId, why, host.options.nodeTimeoutMs);
    host.requests.nodeGone(nodeId);
    host.services.nodeLost(nodeId, why);
    host.events()?.nodeLost(nodeId);
  }

  private tick(): void {
    const host = this.host;
    const now = Date.now();
    const interval = host.options.heartbeatIntervalMs;
    const elapsed = now - this.lastTickAt;
    this.lastTickAt = now;
    // Time in which this node could not have heard its peers does not count against them:
    // - its link is down (Redis away): every peer is silent to it, and none of them is to blame;
    //   a peer that died meanwhile is given up `nodeTimeoutMs` after the link is back;
    // - the tick is late by more than an interval: this node's own loop was held up (a long GC
    //   pause, a starved CPU), and what its peers sent meanwhile still waits unread in its
    //   sockets, for timers run before I/O.
    if (!host.hearing()) host.registry.excuse(elapsed);
    else if (elapsed - interval > interval) host.registry.excuse(elapsed - interval);
    host.publish(this.heartbeat(false));
    for (const nodeId of host.registry.expire(now, host.options.nodeTimeoutMs)) this.lost(nodeId, 'timeout');
  }
}
