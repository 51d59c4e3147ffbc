// The backends ready to take work, and how a new client picks one.
import type { BackendConnection } from './backend-connection.js';

/**
 * Ready backends in connection order. New clients go to the backend with the fewest connection
 * requests in flight, ties broken round robin, so a backend slow to answer gets fewer newcomers.
 */
export class BackendPool<O> {
  private readonly ready: BackendConnection<O>[] = [];
  private cursor = 0;

  get size(): number {
    return this.ready.length;
  }

  /** Every ready backend (do not mutate). */
  get all(): readonly BackendConnection<O>[] {
    return this.ready;
  }

  has(backend: BackendConnection<O>): boolean {
    return this.ready.includes(backend);
  }

  add(backend: BackendConnection<O>): void {
    if (!this.ready.includes(backend)) this.ready.push(backend);
  }

  remove(backend: BackendConnection<O>): void {
    const index = this.ready.indexOf(backend);
    if (index !== -1) this.ready.splice(index, 1);
  }

  /** Picks a backend for a new client or an orphaned one, skipping `exclude` where another exists. */
  pick(exclude?: ReadonlySet<BackendConnection<O>>): BackendConnection<O> | undefined {
    const n = this.ready.length;
    if (n === 0) return undefined;
    let best: BackendConnection<O> | undefined;
    for (let i = 0; i < n; i += 1) {
      const candidate = this.ready[(this.cursor + i) % n] as BackendConnection<O>;
      if (!candidate.alive || exclude?.has(candidate)) continue;
      if (best === undefined || candidate.pendingRequests < best.pendingRequests) best = candidate;
    }
    this.cursor = (this.cursor + 1) % n;
    return best;
  }
}
