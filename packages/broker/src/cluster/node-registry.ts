// The peers this node has heard from lately: liveness by last-seen time, the count requests expect, the backends each announced.

interface Peer {
  lastSeen: number;
  /** Ready backends, as its last heartbeat said (0 until one did). */
  backends: number;
}

/** Other nodes of the cluster, keyed by id, with the time each was last heard from. */
export class NodeRegistry {
  private readonly peers = new Map<string, Peer>();

  /** Number of live peers (this node not counted). */
  get size(): number {
    return this.peers.size;
  }

  /** Records that `nodeId` was heard from at `now`; true when it was not known before. */
  seen(nodeId: string, now: number): boolean {
    const peer = this.peers.get(nodeId);
    if (peer !== undefined) {
      peer.lastSeen = now;
      return false;
    }
    this.peers.set(nodeId, { lastSeen: now, backends: 0 });
    return true;
  }

  /** Records the backends a known peer announced; returns the count it had before, or undefined when the peer is not known. */
  setBackends(nodeId: string, count: number): number | undefined {
    const peer = this.peers.get(nodeId);
    if (peer === undefined) return undefined;
    const before = peer.backends;
    peer.backends = count;
    return before;
  }

  /** True when `nodeId` is a live peer. */
  has(nodeId: string): boolean {
    return this.peers.has(nodeId);
  }

  /** Forgets `nodeId` (a goodbye); true when it was known. */
  remove(nodeId: string): boolean {
    return this.peers.delete(nodeId);
  }

  /** Moves every peer's last-seen time `ms` later: this node was stalled that long and heard nothing. */
  excuse(ms: number): void {
    for (const peer of this.peers.values()) peer.lastSeen += ms;
  }

  /** Removes and returns the peers not heard from since `now - timeoutMs`. */
  expire(now: number, timeoutMs: number): string[] {
    const lost: string[] = [];
    for (const [nodeId, peer] of this.peers) {
      if (now - peer.lastSeen > timeoutMs) lost.push(nodeId);
    }
    for (const nodeId of lost) this.peers.delete(nodeId);
    return lost;
  }

  /** The ids of the live peers, as a new array. */
  ids(): string[] {
    return [...this.peers.keys()];
  }

  /** The ids of the live peers that announced ready backends, as a new array. */
  withBackends(): string[] {
    const ids: string[] = [];
    for (const [nodeId, peer] of this.peers) if (peer.backends > 0) ids.push(nodeId);
    return ids;
  }

  clear(): void {
    this.peers.clear();
  }
}
