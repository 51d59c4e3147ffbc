// The peers this node has heard from lately: liveness by last-seen time, the count requests expect.

/** Other nodes of the cluster, keyed by id, with the time each was last heard from. */
export class NodeRegistry {
  private readonly lastSeen = new Map<string, number>();

  /** Number of live peers (this node not counted). */
  get size(): number {
    return this.lastSeen.size;
  }

  /** Records that `nodeId` was heard from at `now`; true when it was not known before. */
  seen(nodeId: string, now: number): boolean {
    const known = this.lastSeen.has(nodeId);
    this.lastSeen.set(nodeId, now);
    return !known;
  }

  /** True when `nodeId` is a live peer. */
  has(nodeId: string): boolean {
    return this.lastSeen.has(nodeId);
  }

  /** Forgets `nodeId` (a goodbye); true when it was known. */
  remove(nodeId: string): boolean {
    return this.lastSeen.delete(nodeId);
  }

  /** Removes and returns the peers not heard from since `now - timeoutMs`. */
  expire(now: number, timeoutMs: number): string[] {
    const lost: string[] = [];
    for (const [nodeId, at] of this.lastSeen) {
      if (now - at > timeoutMs) lost.push(nodeId);
    }
    for (const nodeId of lost) this.lastSeen.delete(nodeId);
    return lost;
  }

  /** The ids of the live peers, as a new array. */
  ids(): string[] {
    return [...this.lastSeen.keys()];
  }

  clear(): void {
    this.lastSeen.clear();
  }
}
