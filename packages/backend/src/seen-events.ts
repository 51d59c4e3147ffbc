// The ids of events handled lately, so that a redelivery of one is skipped: bounded, oldest forgotten first.

/** Whether a remembered event is still being handled (`false`) or done and acknowledged (`true`). */
type Done = boolean;

/**
 * Remembers up to `capacity` event ids in arrival order, in a ring: each arrival takes the oldest
 * slot. Only a redelivery (flagged so by the broker: a repeat always is) can be a repeat, so only
 * a redelivery searches the ring; a first delivery costs two array stores, no hashing. A
 * redelivery of an id still remembered is a repeat: the application handler runs once per event
 * in the common case (a redelivery after more than `capacity` newer events runs again: at least
 * once, not exactly once).
 */
export class SeenEvents {
  private readonly ring: (string | undefined)[];
  private readonly finished: Uint8Array;
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity).fill(undefined);
    this.finished = new Uint8Array(capacity);
  }

  /**
   * What is known of `id`: for a redelivery of one remembered, `false` in progress or `true` done;
   * else the slot it is remembered in from now on (a number).
   */
  arrived(id: string, redelivered: boolean): Done | number {
    if (redelivered) {
      const known = this.find(id);
      if (known !== -1) return this.finished[known] === 1;
    }
    const slot = this.next;
    this.ring[slot] = id;
    this.finished[slot] = 0;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    return slot;
  }

  /** The handler of the event remembered in `slot` settled; a later repeat is acknowledged at once. */
  done(id: string, slot: number): void {
    if (this.ring[slot] === id) this.finished[slot] = 1;
  }

  /** The slot of `id`, newest first, or -1. */
  private find(id: string): number {
    const ring = this.ring;
    for (let i = this.next - 1; i >= 0; i--) if (ring[i] === id) return i;
    for (let i = this.capacity - 1; i >= this.next; i--) if (ring[i] === id) return i;
    return -1;
  }
}
