// The offline queue: events kept, in order and bounded, while no backend is connected.
import type { QueueOverflowPolicy } from '../options.js';

/** One queued event: its encoded line and whom it concerns (so the next backend inherits that client). */
export interface QueuedEvent<O> {
  line: string;
  owner: O;
  /** Set on an event that went to an id-acknowledging backend before (see StoredEvent). */
  id?: string | undefined;
  deliveries?: number | undefined;
}

/**
 * A FIFO bounded by `capacity` for new events. Events given back by a backend that died before
 * sending them go to the front with `prepend`, ignoring the bound: they were accepted already,
 * and dropping them would lose what a flush was interrupted in.
 */
export class EventQueue<O> {
  private items: (QueuedEvent<O> | undefined)[] = [];
  private head = 0;

  constructor(
    readonly capacity: number,
    readonly overflow: QueueOverflowPolicy,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Appends a new event; reports whether an event (this one, or the oldest under drop-oldest) was dropped. */
  push(line: string, owner: O): { dropped: boolean } {
    if (this.capacity === 0) return { dropped: true };
    if (this.length >= this.capacity) {
      if (this.overflow === 'drop-newest') return { dropped: true };
      while (this.length >= this.capacity) this.shift();
      this.items.push({ line, owner });
      return { dropped: true };
    }
    this.items.push({ line, owner });
    return { dropped: false };
  }

  /** Puts events back at the front, keeping their order. */
  prepend(events: readonly QueuedEvent<O>[]): void {
    if (events.length === 0) return;
    if (this.head >= events.length) {
      this.head -= events.length;
      for (let i = 0; i < events.length; i += 1) this.items[this.head + i] = events[i];
      return;
    }
    this.items = [...events, ...this.items.slice(this.head)];
    this.head = 0;
  }

  /** The oldest event, left in place. */
  peek(): QueuedEvent<O> | undefined {
    return this.items[this.head];
  }

  /** Removes and returns the oldest event. */
  shift(): QueuedEvent<O> | undefined {
    if (this.head >= this.items.length) return undefined;
    const event = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    // Compact now and then so the array does not grow forever.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    } else if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return event;
  }

  /** Forgets every event (shutdown). */
  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
