// The waiting queue: events kept, in order and bounded by count and bytes, until a backend takes them.
import type { QueueOverflowPolicy } from '../options.js';

/** One queued event: its encoded line and whom it concerns (so the next backend inherits that client). */
export interface QueuedEvent<O> {
  line: string;
  owner: O;
  /** Set on an event that went to an id-acknowledging backend before (see StoredEvent). */
  id?: string | undefined;
  deliveries?: number | undefined;
}

/** What `push` did: queued the event or not, and the older events it dropped to make room (drop-oldest). */
export interface PushResult<O> {
  queued: boolean;
  evicted: readonly QueuedEvent<O>[];
}

const REFUSED: PushResult<never> = { queued: false, evicted: [] };
const QUEUED: PushResult<never> = { queued: true, evicted: [] };

/**
 * A FIFO bounded by `capacity` events and `maxBytes` bytes (UTF-8 bytes of the lines) for new
 * events. Events given back (by a backend that died before sending them, or that let them lapse)
 * go to the front with `prepend`: they were accepted already, and dropping them would lose what a
 * flush was interrupted in. They are owed, not new: bounded by what backends may hold, they
 * neither count against the bounds of new events nor are dropped by drop-oldest, so what one
 * backend gives back never pushes out what other clients send.
 */
export class EventQueue<O> {
  private items: (QueuedEvent<O> | undefined)[] = [];
  private sizes: number[] = [];
  private head = 0;
  private byteCount = 0;
  /** The first `owed` waiting events were given back (`prepend`); the rest are new. */
  private owed = 0;
  private owedBytes = 0;

  constructor(
    readonly capacity: number,
    readonly overflow: QueueOverflowPolicy,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Bytes of the waiting lines. */
  get bytes(): number {
    return this.byteCount;
  }

  /** Waiting events that were given back rather than appended (not under the bounds). */
  get owedLength(): number {
    return this.owed;
  }

  /**
   * Appends a new event within both bounds. When full, `drop-oldest` drops the oldest events
   * until it fits (returned in `evicted`); the other policies refuse it. An event larger than
   * `maxBytes` on its own is always refused.
   */
  push(line: string, owner: O): PushResult<O> {
    const bytes = Buffer.byteLength(line);
    if (this.capacity === 0 || bytes > this.maxBytes) return REFUSED;
    if (this.fits(bytes)) {
      this.add({ line, owner }, bytes);
      return QUEUED;
    }
    if (this.overflow !== 'drop-oldest') return REFUSED;
    const evicted: QueuedEvent<O>[] = [];
    while (!this.fits(bytes)) evicted.push(this.evictOldestNew());
    this.add({ line, owner }, bytes);
    return { queued: true, evicted };
  }

  /** Puts events back at the front, keeping their order. */
  prepend(events: readonly QueuedEvent<O>[]): void {
    if (events.length === 0) return;
    const sizes = events.map((event) => Buffer.byteLength(event.line));
    for (const size of sizes) this.byteCount += size;
    for (const size of sizes) this.owedBytes += size;
    this.owed += events.length;
    if (this.head >= events.length) {
      this.head -= events.length;
      for (let i = 0; i < events.length; i += 1) {
        this.items[this.head + i] = events[i];
        this.sizes[this.head + i] = sizes[i] as number;
      }
      return;
    }
    this.items = [...events, ...this.items.slice(this.head)];
    this.sizes = [...sizes, ...this.sizes.slice(this.head)];
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
    const size = this.sizes[this.head] as number;
    this.byteCount -= size;
    if (this.owed > 0) {
      this.owed -= 1;
      this.owedBytes -= size;
    }
    this.items[this.head] = undefined;
    this.head += 1;
    // Compact now and then so the array does not grow forever.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    } else if (this.head === this.items.length) {
      this.clear();
    }
    return event;
  }

  /** Forgets every event (shutdown). */
  clear(): void {
    this.items = [];
    this.sizes = [];
    this.head = 0;
    this.byteCount = 0;
    this.owed = 0;
    this.owedBytes = 0;
  }

  private fits(bytes: number): boolean {
    return this.length - this.owed < this.capacity && this.byteCount - this.owedBytes + bytes <= this.maxBytes;
  }

  /** Removes the oldest new event, behind the owed ones (drop-oldest); only called while one is there. */
  private evictOldestNew(): QueuedEvent<O> {
    if (this.owed === 0) return this.shift() as QueuedEvent<O>;
    const at = this.head + this.owed;
    const event = this.items.splice(at, 1)[0] as QueuedEvent<O>;
    this.byteCount -= this.sizes.splice(at, 1)[0] as number;
    return event;
  }

  private add(event: QueuedEvent<O>, bytes: number): void {
    this.items.push(event);
    this.sizes.push(bytes);
    this.byteCount += bytes;
  }
}
