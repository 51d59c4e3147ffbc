// Whose events wait in the store, as far as the dispatcher saw them go in and out: a client with
// nothing waiting need not queue behind other clients' backlog (per-client order only binds its own).

/**
 * Counts, per owner, the waiting events the dispatcher put in the store itself (appended,
 * requeued). Events it cannot attribute (taken back from a lost backend, arriving from a shared
 * store) are not counted, so a count never exceeds the truth; when the counts add up to every
 * waiting event, each one is exact and `clear(owner)` is a safe answer.
 */
export class WaitingOwners<O> {
  private readonly counts = new Map<O, number>();
  private total = 0;

  /** Waiting events counted, all owners together. */
  get known(): number {
    return this.total;
  }

  /** True when `owner` has a counted event waiting. */
  has(owner: O): boolean {
    return this.counts.has(owner);
  }

  added(owner: O): void {
    this.counts.set(owner, (this.counts.get(owner) ?? 0) + 1);
    this.total += 1;
  }

  /** An event of `owner` left the store (handed out, dropped); one it never counted leaves the counts as they are. */
  removed(owner: O): void {
    const count = this.counts.get(owner);
    if (count === undefined) return;
    if (count === 1) this.counts.delete(owner);
    else this.counts.set(owner, count - 1);
    this.total -= 1;
  }

  /** The store forgot every waiting event. */
  clear(): void {
    this.counts.clear();
    this.total = 0;
  }

  /**
   * True when nothing of `owner` waits in a store holding `waiting` events: the counts cover every
   * waiting event (none unattributed) and none is its.
   */
  nothingWaitingFor(owner: O, waiting: number): boolean {
    return this.total === waiting && !this.counts.has(owner);
  }
}
