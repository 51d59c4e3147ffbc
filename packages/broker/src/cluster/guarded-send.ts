// A ClusterBackplane's sends through its transport, where a transport failure is counted and never thrown.
import type { ClusterDiagnostics } from './cluster-diagnostics.js';
import type { ClusterMessage } from './cluster-messages.js';
import type { NodeMessage } from './node-messages.js';

export interface GuardedTransport {
  running(): boolean;
  toAll(message: ClusterMessage): void;
  toNode(toNodeId: string, message: NodeMessage): void;
}

/**
 * A failure must not break the caller (a room message already delivered locally, a reply path):
 * each send says whether it went, and a failed one is counted in the diagnostics.
 */
export class GuardedSend {
  constructor(
    private readonly transport: GuardedTransport,
    private readonly diagnostics: ClusterDiagnostics,
  ) {}

  /** To every node, while running. */
  publish(message: ClusterMessage): void {
    if (this.transport.running()) this.publishNow(message);
  }

  /** To every node, in any state (a goodbye after the stop began, a request whose caller checked). */
  publishNow(message: ClusterMessage): boolean {
    return this.guarded(() => this.transport.toAll(message));
  }

  /** To one node, while running. */
  sendTo(toNodeId: string, message: NodeMessage): boolean {
    return this.transport.running() && this.guarded(() => this.transport.toNode(toNodeId, message));
  }

  private guarded(send: () => void): boolean {
    try {
      send();
      return true;
    } catch (error) {
      this.diagnostics.publishFailed(error);
      return false;
    }
  }
}
