// The backends ready to take work, and how a new client picks one.
import type { ConsumerSource } from '../core/consumers.js';
import type { BackendConnection } from './backend-connection.js';

/**
 * Ready backends in connection order. New clients go to the backend with the fewest connection
 * requests in flight, ties broken round robin, so a backend slow to answer gets fewer newcomers.
 */
export class BackendPool implements ConsumerSource {
  private readonly ready: BackendConnection[] = [];
  private cursor = 0;

  get size(): number {
    return this.ready.length;
  }

  has(backend: BackendConnection): boolean {
    return this.ready.includes(backend);
  }

  add(backend: BackendConnection): void {
    if (!this.ready.includes(backend)) this.ready.push(backend);
  }

  remove(backend: BackendConnection): void {
    const index = this.ready.indexOf(backend);
    if (index !== -1) this.ready.splice(index, 1);
  }

  /**
   * Picks a backend for a new client or an orphaned one, skipping `exclude`. A backend benched
   * for letting connection requests lapse is picked only when no other is left.
   */
  pick(exclude?: ReadonlySet<BackendConnection>): BackendConnection | undefined {
    const n = this.ready.length;
    if (n === 0) return undefined;
    const now = Date.now();
    let best: BackendConnection | undefined;
    let benched: BackendConnection | undefined;
    for (let i = 0; i < n; i += 1) {
      const candidate = this.ready[(this.cursor + i) % n] as BackendConnection;
      if (!candidate.alive || exclude?.has(candidate)) continue;
      if (candidate.benchedUntil > now) {
        benched ??= candidate;
        continue;
      }
      if (best === undefined || candidate.pendingRequests < best.pendingRequests) best = candidate;
    }
    this.cursor = (this.cursor + 1) % n;
    return best ?? benched;
  }
}
