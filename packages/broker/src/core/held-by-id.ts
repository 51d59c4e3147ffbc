// The events one consumer holds by id, in the order they were sent: acknowledged nearly always in
// that order, so an ack is matched against the oldest few before any lookup by id is made.

/** An event held by a consumer that acknowledges by id. */
export interface Tracked<O> {
  readonly id: string;
  readonly line: string;
  readonly owner: O;
  readonly deliveries: number;
  readonly sentAt: number;
}

/** How far past the oldest held event an ack is looked for before the events are indexed by id. */
const SCAN = 32;

/**
 * A FIFO with holes: released events leave `undefined` until the front moves past them. A
 * backend acknowledges in the order it handled, which for most handlers is the order it got
 * them, so an ack is found among the first `SCAN` held events with a string compare, and no id
 * is hashed. Only when one is not (a handler that took longer than later ones, a late ack from
 * an earlier backend) are the held ids indexed in a Map, kept until the queue is empty again.
 * Ids are unique among held events (the dispatcher's are).
 */
export class HeldById<O> {
  private events: (Tracked<O> | undefined)[] = [];
  private head = 0;
  /** Position of each held id, once an ack missed the front; relative to `base`. */
  private index: Map<string, number> | undefined;
  /** Events dropped from the front of `events` by compaction: positions stay stable across it. */
  private base = 0;
  /** Held events. */
  size = 0;
  /** Held events on their first delivery. */
  first = 0;

  push(event: Tracked<O>): void {
    this.index?.set(event.id, this.base + this.events.length);
    this.events.push(event);
    this.size += 1;
    if (event.deliveries === 1) this.first += 1;
  }

  /** Forgets the event with `id`; returns it, or undefined when it is not held here. */
  release(id: string): Tracked<O> | undefined {
    const at = this.find(id);
    if (at === -1) return undefined;
    const event = this.events[at] as Tracked<O>;
    this.forget(at, event);
    return event;
  }

  /** Forgets and returns the events sent before `sentBefore`, oldest first (sends are in time order). */
  releaseSentBefore(sentBefore: number): Tracked<O>[] {
    const out: Tracked<O>[] = [];
    for (let i = this.head; i < this.events.length; i += 1) {
      const event = this.events[i];
      if (event === undefined) continue;
      if (event.sentAt >= sentBefore) break;
      out.push(event);
      this.forget(i, event);
    }
    return out;
  }

  /** The held events, oldest first. */
  all(): Tracked<O>[] {
    const out: Tracked<O>[] = [];
    for (let i = this.head; i < this.events.length; i += 1) {
      const event = this.events[i];
      if (event !== undefined) out.push(event);
    }
    return out;
  }

  private find(id: string): number {
    const events = this.events;
    const scanEnd = Math.min(events.length, this.head + SCAN);
    for (let i = this.head; i < scanEnd; i += 1) if (events[i]?.id === id) return i;
    if (scanEnd === events.length) return -1;
    const at = this.indexed().get(id);
    return at === undefined ? -1 : at - this.base;
  }

  private indexed(): Map<string, number> {
    if (this.index !== undefined) return this.index;
    const index = new Map<string, number>();
    for (let i = this.head; i < this.events.length; i += 1) {
      const event = this.events[i];
      if (event !== undefined) index.set(event.id, this.base + i);
    }
    this.index = index;
    return index;
  }

  private forget(at: number, event: Tracked<O>): void {
    this.events[at] = undefined;
    this.index?.delete(event.id);
    this.size -= 1;
    if (event.deliveries === 1) this.first -= 1;
    if (at !== this.head) return;
    const events = this.events;
    let head = at + 1;
    while (head < events.length && events[head] === undefined) head += 1;
    if (head === events.length) {
      // Empty: back to matching at the front, without an index.
      this.base += events.length;
      this.events = [];
      this.head = 0;
      this.index = undefined;
    } else if (head >= 1024 && head * 2 >= events.length) {
      this.base += head;
      this.events = events.slice(head);
      this.head = 0;
    } else {
      this.head = head;
    }
  }
}
