// The offline queue: events kept, in order and bounded, while no backend is connected.
import type { QueueOverflowPolicy } from './options.js';

/** One queued event: its encoded line and whom it concerns (so the next backend inherits that client). */
export interface QueuedEvent<O> {
  line: string;
  owner: O;
}

/**
 * A bounded FIFO over a ring buffer. `push` returns false when the event was not kept
 * (queue disabled, or full under `drop-newest`); under `drop-oldest` it evicts the head instead
 * and reports the eviction through the return value too.
 */
export class EventQueue<O> {
  private readonly lines: (string | undefined)[];
  private readonly owners: (O | undefined)[];
  private head = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly overflow: QueueOverflowPolicy,
  ) {
    this.lines = new Array<string | undefined>(capacity);
    this.owners = new Array<O | undefined>(capacity);
  }

  get length(): number {
    return this.count;
  }

  /** Appends an event; returns whether an event (this one or the oldest) was dropped. */
  push(line: string, owner: O): { dropped: boolean } {
    if (this.capacity === 0) return { dropped: true };
    if (this.count === this.capacity) {
      if (this.overflow === 'drop-newest') return { dropped: true };
      this.shift();
      this.place(line, owner);
      return { dropped: true };
    }
    this.place(line, owner);
    return { dropped: false };
  }

  /** Removes and returns the oldest event. */
  shift(): QueuedEvent<O> | undefined {
    if (this.count === 0) return undefined;
    const line = this.lines[this.head] as string;
    const owner = this.owners[this.head] as O;
    this.lines[this.head] = undefined;
    this.owners[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count -= 1;
    return { line, owner };
  }

  /** Forgets every event (shutdown). */
  clear(): void {
    while (this.count > 0) this.shift();
  }

  private place(line: string, owner: O): void {
    const tail = (this.head + this.count) % this.capacity;
    this.lines[tail] = line;
    this.owners[tail] = owner;
    this.count += 1;
  }
}
