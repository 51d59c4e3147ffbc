// The ids of events handled lately, so that a redelivery of one is skipped: bounded, oldest forgotten first.

/** Whether a remembered event is still being handled (`false`) or done and acknowledged (`true`). */
type Done = boolean;

/**
 * Remembers up to `capacity` event ids in arrival order, in a ring: each arrival takes the
 * oldest slot (no iterator, no array growth), and `done` finds its event by the slot it was given.
 * A redelivery of an id still remembered is a repeat: the application handler runs once per event
 * in the common case (a redelivery after more than `capacity` newer events runs again: at least
 * once, not exactly once).
 */
export class SeenEvents {
  private readonly slots = new Map<string, number>();
  private readonly ring: (string | undefined)[];
  private readonly finished: Uint8Array;
  private next = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array<string | undefined>(capacity).fill(undefined);
    this.finished = new Uint8Array(capacity);
  }

  /** What is known of `id`: `false` in progress, `true` done; for a new id, the slot it is remembered in (a number). */
  arrived(id: string): Done | number {
    const known = this.slots.get(id);
    if (known !== undefined) return this.finished[known] === 1;
    const slot = this.next;
    const oldest = this.ring[slot];
    if (oldest !== undefined) this.slots.delete(oldest);
    this.ring[slot] = id;
    this.finished[slot] = 0;
    this.slots.set(id, slot);
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    return slot;
  }

  /** The handler of the event remembered in `slot` settled; a later repeat is acknowledged at once. */
  done(id: string, slot: number): void {
    if (this.ring[slot] === id) this.finished[slot] = 1;
  }
}
