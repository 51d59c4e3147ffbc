// Connection requests in a cluster: this broker's backends decide when it has one; otherwise a broker that has one does.
import type { EventConsumer } from '../core/consumers.js';
import type { ConnectionDecider, ConnectionRequest, Decision, Refusal } from '../core/decisions.js';
import { afterPendingIo } from './after-io.js';
import type { DecisionMessage, NodeMessage } from './node-messages.js';

/** Time allowed, beyond the deciding broker's own bound, for a forwarded request and its answer to travel. */
export const FORWARD_ALLOWANCE_MS = 1000;

/** What a ClusterDecider needs of the cluster; a ClusterBackplane provides it. */
export interface DecisionLink {
  readonly nodeId: string;
  /** Live peers that announced ready backends. */
  decidingPeers(): string[];
  /** Sends to one node's inbox; false when the transport could not take it. */
  send(toNodeId: string, message: NodeMessage): boolean;
  /** The relay consumer to `nodeId`'s backends, if there is one: an accepted client's events go there first. */
  relayTo(nodeId: string): EventConsumer | undefined;
}

/** A request forwarded to another node, waiting for its decision. */
interface Forwarded {
  readonly node: string;
  readonly done: (decision: Decision) => void;
  readonly timer: NodeJS.Timeout;
}

function refusal(why: Refusal['why'], status: number, reason: string): Refusal {
  return { accepted: false, why, status, reason };
}

/**
 * The gateway's decider in cluster mode. The local decider (this broker's backends) decides
 * whenever it has a backend; when it answers `no_backend`, the request goes to a live peer that
 * announced backends (fewest forwarded requests in flight, ties in turn), which decides with its
 * own backends and answers. Bounded by `timeoutMs` (504 `timeout`); 503 `backend_lost` when that
 * peer is lost meanwhile; the local 503 `no_backend` when no node has a backend.
 *
 * Created by `ClusterBackplane.connectionDecider`, which routes decisions and lost nodes to it.
 */
export class ClusterDecider implements ConnectionDecider {
  private readonly pending = new Map<string, Forwarded>();
  /** Forwarded requests in flight, per deciding node. */
  private readonly load = new Map<string, number>();
  private turn = 0;

  constructor(
    private readonly link: DecisionLink,
    private readonly local: ConnectionDecider,
    private readonly timeoutMs: number,
  ) {}

  /** Requests forwarded and not yet answered. */
  get forwarding(): number {
    return this.pending.size;
  }

  decide(request: ConnectionRequest, done: (decision: Decision) => void): void {
    this.local.decide(request, (decision) => {
      if (decision.accepted || decision.why !== 'no_backend') done(decision);
      else this.forward(request, decision, done);
    });
  }

  cancel(requestId: string): void {
    const p = this.pending.get(requestId);
    if (p === undefined) return this.local.cancel(requestId);
    this.settle(requestId, p);
    this.link.send(p.node, { type: 'cancel', from: this.link.nodeId, requestId });
  }

  shutdown(): void {
    this.local.shutdown();
    for (const [requestId, p] of [...this.pending]) {
      this.settle(requestId, p);
      this.link.send(p.node, { type: 'cancel', from: this.link.nodeId, requestId });
      p.done(refusal('shutting_down', 503, 'broker shutting down'));
    }
  }

  /** A decision arrived from `message.from`; one for a request not (or no longer) waiting on that node is ignored. */
  decided(message: DecisionMessage): void {
    const p = this.pending.get(message.requestId);
    if (p === undefined || p.node !== message.from) return;
    this.settle(message.requestId, p);
    if (!message.accepted) return p.done(refusal(message.why, message.status, message.reason));
    p.done({
      accepted: true,
      clientId: message.clientId,
      roomId: message.roomId,
      metadata: message.metadata,
      affinity: this.link.relayTo(message.from),
    });
  }

  /** A peer is lost: the requests it was deciding are refused 503 at once. */
  nodeLost(nodeId: string): void {
    for (const [requestId, p] of [...this.pending]) {
      if (p.node !== nodeId) continue;
      this.settle(requestId, p);
      p.done(refusal('backend_lost', 503, 'broker lost while deciding'));
    }
  }

  private forward(request: ConnectionRequest, none: Refusal, done: (decision: Decision) => void): void {
    const node = this.pick();
    if (node === undefined) return done(none);
    const timer = setTimeout(() => afterPendingIo(() => this.expire(request.id)), this.timeoutMs);
    timer.unref();
    this.pending.set(request.id, { node, done, timer });
    this.load.set(node, (this.load.get(node) ?? 0) + 1);
    if (!this.link.send(node, { type: 'decide', from: this.link.nodeId, requestId: request.id, params: request.params })) {
      this.settle(request.id, this.pending.get(request.id) as Forwarded);
      done(refusal('no_backend', 503, 'no broker with a backend could be reached'));
    }
  }

  private pick(): string | undefined {
    const peers = this.link.decidingPeers();
    const n = peers.length;
    if (n === 0) return undefined;
    let best: string | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < n; i += 1) {
      const peer = peers[(this.turn + i) % n] as string;
      const load = this.load.get(peer) ?? 0;
      if (load < bestLoad) {
        best = peer;
        bestLoad = load;
      }
    }
    this.turn = (this.turn + 1) % n;
    return best;
  }

  private expire(requestId: string): void {
    const p = this.pending.get(requestId);
    if (p === undefined) return;
    this.settle(requestId, p);
    this.link.send(p.node, { type: 'cancel', from: this.link.nodeId, requestId });
    p.done(refusal('timeout', 504, 'no broker answered in time'));
  }

  private settle(requestId: string, p: Forwarded): void {
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    const load = (this.load.get(p.node) ?? 1) - 1;
    if (load > 0) this.load.set(p.node, load);
    else this.load.delete(p.node);
  }
}
