// What this node does when a peer says it had given it up: its clients were reported gone, so they go.
import { randomInt } from 'node:crypto';
import { CLOSE_CODES } from '@strands/protocol/wire';
import type { LocalNode } from '../core/backplane.js';
import type { ClusterDiagnostics } from './cluster-diagnostics.js';

/** What the fence needs of its backplane. */
export interface FenceHost {
  readonly diagnostics: ClusterDiagnostics;
  readonly local: LocalNode;
}

/** The close reason a fenced node's clients get. */
export const GIVEN_UP_REASON = 'broker was cut off from the cluster';

/**
 * A peer that gave this node up by timeout (a partition, a pause longer than `nodeTimeoutMs`)
 * reported its clients `disconnected` to the backends, yet they are still connected here: ghosts
 * a backend no longer knows. So when such a peer hears from this node again and tells it, every
 * local client is closed with 1001 (going away: reconnect), to come back with a fresh
 * `connection_request`. Every peer that gave the node up tells it; the epoch it announces in its
 * heartbeats makes one give-up close the clients once: the first notice for the current epoch
 * closes them and moves to the next, later notices for the old one are ignored. It starts at a
 * random number, so a restarted node with the same id is not fenced for its previous life.
 */
export class SelfFence {
  private current = randomInt(0, 2 ** 31);

  constructor(private readonly host: FenceHost) {}

  /** The epoch to announce in heartbeats. */
  get epoch(): number {
    return this.current;
  }

  /** `from` gave this node up while it announced `epoch`. */
  givenUp(from: string, epoch: number): void {
    if (epoch !== this.current) return;
    this.current = (this.current + 1) % 2 ** 31;
    const closed = this.host.local.disconnectAll?.(CLOSE_CODES.going_away, GIVEN_UP_REASON) ?? 0;
    this.host.diagnostics.givenUp(from, closed);
  }
}
