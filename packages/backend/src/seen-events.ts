// The ids of events handled lately, so that a redelivery of one is skipped: bounded, oldest forgotten first.

/** Whether a remembered event is still being handled (`false`) or done and acknowledged (`true`). */
type Done = boolean;

/**
 * Remembers up to `capacity` event ids in arrival order (a Map keeps it). A redelivery of an id
 * still remembered is a repeat: the application handler runs once per event in the common case
 * (a redelivery after more than `capacity` newer events runs again: at least once, not exactly once).
 */
export class SeenEvents {
  private readonly ids = new Map<string, Done>();

  constructor(readonly capacity: number) {}

  /** What is known of `id`: undefined when new (it is remembered from now on, as in progress). */
  arrived(id: string): Done | undefined {
    const known = this.ids.get(id);
    if (known !== undefined) return known;
    this.ids.set(id, false);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value as string);
    return undefined;
  }

  /** The handler of `id` settled; a later repeat is acknowledged at once. */
  done(id: string): void {
    if (this.ids.has(id)) this.ids.set(id, true);
  }
}
