// The peers this node has heard from lately: liveness by last-seen time, the count requests expect, the backends each announced.

interface Peer {
  lastSeen: number;
  /** Ready backends, as its last heartbeat said (0 until one did). */
  backends: number;
  /** Its fence epoch, as its last heartbeat said (0 until one did, or from a peer of an earlier version). */
  epoch: number;
}

/** Peers given up by timeout that are remembered, to tell one that comes back; past it the oldest is forgotten. */
const MAX_GIVEN_UP = 1024;

/** Other nodes of the cluster, keyed by id, with the time each was last heard from. */
export class NodeRegistry {
  private readonly peers = new Map<string, Peer>();
  /** Peers given up by timeout, with the epoch they had then: they may only have been cut off, and come back. */
  private readonly givenUp = new Map<string, number>();

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
    this.peers.set(nodeId, { lastSeen: now, backends: 0, epoch: 0 });
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

  /** Records the fence epoch a known peer announced. */
  setEpoch(nodeId: string, epoch: number): void {
    const peer = this.peers.get(nodeId);
    if (peer !== undefined) peer.epoch = epoch;
  }

  /** The epoch `nodeId` had when it was given up by timeout, once (undefined: it was not, or it was told already). */
  takeGivenUp(nodeId: string): number | undefined {
    const epoch = this.givenUp.get(nodeId);
    this.givenUp.delete(nodeId);
    return epoch;
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

  /** Removes and returns the peers not heard from since `now - timeoutMs`, remembering each as given up (`takeGivenUp`). */
  expire(now: number, timeoutMs: number): string[] {
    const lost: string[] = [];
    for (const [nodeId, peer] of this.peers) {
      if (now - peer.lastSeen > timeoutMs) lost.push(nodeId);
    }
    for (const nodeId of lost) {
      this.givenUp.delete(nodeId);
      if (this.givenUp.size >= MAX_GIVEN_UP) this.givenUp.delete(this.givenUp.keys().next().value as string);
      this.givenUp.set(nodeId, (this.peers.get(nodeId) as Peer).epoch);
      this.peers.delete(nodeId);
    }
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
