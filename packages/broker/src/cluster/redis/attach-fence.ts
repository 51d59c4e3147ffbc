// Orders the `attached` messages of one client id by attach time, because Redis can deliver an older
// broker's `attached` after a newer connection was accepted here, and that stale message must not close it.
// (Belongs with the replacement rule in ClusterBackplane / remote-commands.ts; kept here, in the
// transport that exposed it, until the base class carries an attach time of its own.)

/**
 * Remembers when each local client attached. Outgoing `attached` messages get that time as `at`;
 * an incoming one with an `at` earlier than the local connection's is stale (it announces the
 * connection this one already replaced) and is dropped. Clocks of different machines may differ by
 * their NTP skew: two connections of one id closer together than that may still both be replaced,
 * which is the base class' documented outcome for simultaneous connections.
 */
export class AttachFence {
  private readonly attachedAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  attached(clientId: string): void {
    this.attachedAt.set(clientId, this.now());
  }

  detached(clientId: string): void {
    this.attachedAt.delete(clientId);
  }

  /** The time to stamp on this node's `attached` message for `clientId`. */
  stamp(clientId: string): number {
    return this.attachedAt.get(clientId) ?? this.now();
  }

  /** True when a received `attached` (as decoded) announces a connection older than the local one. */
  isStale(message: unknown): boolean {
    const { type, clientId, at } = message as { type?: unknown; clientId?: unknown; at?: unknown };
    if (type !== 'attached' || typeof clientId !== 'string' || typeof at !== 'number') return false;
    const local = this.attachedAt.get(clientId);
    return local !== undefined && at < local;
  }
}
