// Connection requests that came while backends were connected but not yet proven: they wait for one.
import type { ConnectionRequest, Decision } from '../core/decisions.js';

/** Beyond the probation, how long a request may wait for a connected backend to prove itself. */
export const PROOF_WAIT_SLACK_MS = 1_000;

interface Awaiting {
  readonly request: ConnectionRequest;
  readonly done: (decision: Decision) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A backend that just connected is kept from clients until it proved itself (its `hello`, a first
 * valid frame, or `backendProbationMs` of silence). A client arriving in that window would get
 * 503 although a backend is about to take it, so its request waits, bounded, for the first one.
 */
export class AwaitingProof {
  private readonly awaiting = new Map<string, Awaiting>();

  /** Holds a request until `release` or `refuseAll`; after `waitMs` it is refused by `onExpiry`. */
  hold(request: ConnectionRequest, done: (decision: Decision) => void, waitMs: number, onExpiry: (done: (decision: Decision) => void) => void): void {
    const timer = setTimeout(() => {
      this.awaiting.delete(request.id);
      onExpiry(done);
    }, waitMs);
    timer.unref();
    this.awaiting.set(request.id, { request, done, timer });
  }

  /** The client went away: its request is forgotten. Returns whether it was held here. */
  cancel(requestId: string): boolean {
    const held = this.awaiting.get(requestId);
    if (held === undefined) return false;
    clearTimeout(held.timer);
    this.awaiting.delete(requestId);
    return true;
  }

  /** Hands every held request, oldest first, to `decide` (a backend became ready). */
  release(decide: (request: ConnectionRequest, done: (decision: Decision) => void) => void): void {
    const held = [...this.awaiting.values()];
    this.awaiting.clear();
    for (const h of held) {
      clearTimeout(h.timer);
      decide(h.request, h.done);
    }
  }

  get size(): number {
    return this.awaiting.size;
  }
}
