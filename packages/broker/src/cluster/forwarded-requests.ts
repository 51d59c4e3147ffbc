// The answering side of forwarded connection requests: another node's request, decided by this broker's own backends.
import type { EventConsumer } from '../core/consumers.js';
import type { ConnectionDecider, Decision } from '../core/decisions.js';
import type { CancelMessage, DecideMessage, DecisionMessage, NodeMessage } from './node-messages.js';

/** What the answering side reports: the answer to send, and an accepted client (its events will be relayed here). */
export interface ForwardedHooks {
  send(toNodeId: string, message: NodeMessage): boolean;
  accepted(fromNodeId: string, clientId: string, affinity: EventConsumer | undefined): void;
}

/**
 * Requests other nodes forwarded here and this broker's decider is deciding, by request id, with
 * the node that asked. Bounded by `maxPending` (past it: 503 at once); a cancel, or the asking
 * node's loss, cancels the local decision so its backend's answer finds nothing.
 */
export class ForwardedRequests {
  private readonly deciding = new Map<string, string>();

  constructor(
    private readonly nodeId: string,
    private readonly maxPending: number,
    private readonly hooks: ForwardedHooks,
  ) {}

  get size(): number {
    return this.deciding.size;
  }

  /** Decides `message` with `decider` (this broker's own backends) and answers the node that asked. */
  decide(decider: ConnectionDecider | undefined, message: DecideMessage): void {
    const { from, requestId } = message;
    if (this.deciding.has(requestId)) return; // a duplicate: the first one answers
    if (decider === undefined || this.deciding.size >= this.maxPending) {
      this.answer(from, requestId, { accepted: false, why: 'no_backend', status: 503, reason: 'no backend connected' });
      return;
    }
    this.deciding.set(requestId, from);
    decider.decide({ id: requestId, params: message.params }, (decision) => {
      if (this.deciding.get(requestId) !== from) return;
      this.deciding.delete(requestId);
      if (decision.accepted) this.hooks.accepted(from, decision.clientId, decision.affinity);
      this.answer(from, requestId, decision);
    });
  }

  /** The asking node gave up on a request. */
  cancel(decider: ConnectionDecider | undefined, message: CancelMessage): void {
    if (this.deciding.get(message.requestId) !== message.from) return;
    this.deciding.delete(message.requestId);
    decider?.cancel(message.requestId);
  }

  /** The asking node is gone, or this one stops: its requests are cancelled here. */
  nodeLost(decider: ConnectionDecider | undefined, nodeId: string | undefined): void {
    for (const [requestId, from] of [...this.deciding]) {
      if (nodeId !== undefined && from !== nodeId) continue;
      this.deciding.delete(requestId);
      decider?.cancel(requestId);
    }
  }

  private answer(to: string, requestId: string, decision: Decision): void {
    const base = { type: 'decision', from: this.nodeId, requestId } as const;
    const message: DecisionMessage = decision.accepted
      ? { ...base, accepted: true, clientId: decision.clientId, roomId: decision.roomId, metadata: decision.metadata }
      : { ...base, accepted: false, why: decision.why, status: decision.status, reason: decision.reason };
    this.hooks.send(to, message);
  }
}
