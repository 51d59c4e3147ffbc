// The in-memory EventStore: a bounded FIFO of waiting events and, per backend, the events it holds.
import type { QueueOverflowPolicy } from '../options.js';
import { EventQueue } from './event-queue.js';
import type { AppendOutcome, ConsumerKey, EventStore, StoredEvent } from './event-store.js';
import { HeldById, type Tracked } from './held-by-id.js';

/** The events one consumer holds, oldest first; parallel arrays cost no object per event. */
class Held<O> {
  lines: string[] = [];
  owners: O[] = [];
  head = 0;

  get size(): number {
    return this.lines.length - this.head;
  }

  push(line: string, owner: O): void {
    this.lines.push(line);
    this.owners.push(owner);
  }

  drop(count: number): void {
    this.head = Math.min(this.lines.length, this.head + count);
    if (this.head === this.lines.length) {
      this.lines = [];
      this.owners = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.owners = this.owners.slice(this.head);
      this.head = 0;
    }
  }

  all(): StoredEvent<O>[] {
    const out: StoredEvent<O>[] = [];
    for (let i = this.head; i < this.lines.length; i += 1) out.push({ line: this.lines[i] as string, owner: this.owners[i] as O });
    return out;
  }
}

/**
 * Lost with the process, as PyStrands' queue is; waiting events are bounded by count and bytes
 * (the dispatcher bounds the unacknowledged ones, `maxUnackedEvents`).
 */
export class MemoryEventStore<O> implements EventStore<O> {
  private readonly queue: EventQueue<O>;
  private readonly held = new Map<ConsumerKey, Held<O>>();
  /**
   * Tracked events per consumer, in the order they were sent (expiry reads from the front). No
   * map of all ids: an ack names the consumer that holds its ids nearly always, and one that does
   * not (a late ack from an earlier backend) looks in the other consumers', a handful.
   */
  private readonly trackedBy = new Map<ConsumerKey, HeldById<O>>();
  private trackedCount = 0;

  private evictedListener: ((events: readonly StoredEvent<O>[]) => void) | undefined;

  /** `maxBytes`: bound on the bytes of the waiting lines, beside `capacity` events. */
  constructor(capacity: number, overflow: QueueOverflowPolicy, maxBytes = Number.POSITIVE_INFINITY) {
    this.queue = new EventQueue(capacity, overflow, maxBytes);
  }

  get waiting(): number {
    return this.queue.length;
  }

  get capacity(): number {
    return this.queue.capacity;
  }

  get overflow(): QueueOverflowPolicy {
    return this.queue.overflow;
  }

  get waitingBytes(): number {
    return this.queue.bytes;
  }

  append(line: string, owner: O): AppendOutcome {
    const result = this.queue.push(line, owner);
    if (!result.queued) return 'dropped';
    if (result.evicted.length === 0) return 'queued';
    this.evictedListener?.(result.evicted);
    return 'dropped_oldest';
  }

  onEvicted(listener: (events: readonly StoredEvent<O>[]) => void): void {
    this.evictedListener = listener;
  }

  peek(): StoredEvent<O> | undefined {
    return this.queue.peek();
  }

  handOut(consumer: ConsumerKey): StoredEvent<O> | undefined {
    const event = this.queue.shift();
    if (event !== undefined) this.hold(consumer, event.line, event.owner);
    return event;
  }

  hold(consumer: ConsumerKey, line: string, owner: O): void {
    let held = this.held.get(consumer);
    if (held === undefined) {
      held = new Held();
      this.held.set(consumer, held);
    }
    held.push(line, owner);
  }

  acknowledge(consumer: ConsumerKey, count: number): void {
    if (count > 0) this.held.get(consumer)?.drop(count);
  }

  get unacked(): number {
    return this.trackedCount;
  }

  firstDeliveriesHeld(consumer: ConsumerKey): number {
    return this.trackedBy.get(consumer)?.first ?? 0;
  }

  handOutTracked(consumer: ConsumerKey, id: string, now: number): StoredEvent<O> | undefined {
    const event = this.queue.shift();
    if (event !== undefined) this.holdTracked(consumer, event.line, event.owner, event.id ?? id, (event.deliveries ?? 0) + 1, now);
    return event;
  }

  holdTracked(consumer: ConsumerKey, line: string, owner: O, id: string, deliveries: number, now: number): void {
    let mine = this.trackedBy.get(consumer);
    if (mine === undefined) {
      mine = new HeldById();
      this.trackedBy.set(consumer, mine);
    }
    mine.push({ id, line, owner, deliveries, sentAt: now });
    this.trackedCount += 1;
  }

  acknowledgeIds(consumer: ConsumerKey, ids: readonly string[]): number {
    if (this.trackedCount === 0) return 0;
    const mine = this.trackedBy.get(consumer);
    let released = 0;
    for (const id of ids) {
      // Whoever holds it when this consumer does not: an ack that arrives late from the first backend still counts.
      const record = mine?.release(id) ?? this.releaseElsewhere(id, mine);
      if (record !== undefined) released += 1;
    }
    this.trackedCount -= released;
    return released;
  }

  expired(sentBefore: number): StoredEvent<O>[] {
    const out: StoredEvent<O>[] = [];
    for (const mine of this.trackedBy.values()) {
      const records = mine.releaseSentBefore(sentBefore);
      this.trackedCount -= records.length;
      for (const record of records) out.push(storedOf(record));
    }
    return out;
  }

  requeue(events: readonly StoredEvent<O>[]): void {
    this.queue.prepend(events);
  }

  drop(): StoredEvent<O> | undefined {
    return this.queue.shift();
  }

  takeBack(consumer: ConsumerKey): number {
    const held = this.held.get(consumer);
    this.held.delete(consumer);
    // Events counted by writes went out before any tracked one (a backend acknowledges from its hello on).
    const events = held === undefined ? [] : held.all();
    const mine = this.trackedBy.get(consumer);
    this.trackedBy.delete(consumer);
    if (mine !== undefined) {
      this.trackedCount -= mine.size;
      for (const record of mine.all()) events.push(storedOf(record));
    }
    if (events.length === 0) return 0;
    // Through the front, so they stay ahead of anything that waited or arrived after them.
    this.queue.prepend(events);
    return events.length;
  }

  /** Releases `id` from whichever consumer other than `skip` holds it (few: the backends). */
  private releaseElsewhere(id: string, skip: HeldById<O> | undefined): Tracked<O> | undefined {
    for (const mine of this.trackedBy.values()) {
      if (mine === skip) continue;
      const record = mine.release(id);
      if (record !== undefined) return record;
    }
    return undefined;
  }

  clearWaiting(): number {
    const count = this.queue.length;
    this.queue.clear();
    return count;
  }
}

function storedOf<O>(record: Tracked<O>): StoredEvent<O> {
  return { line: record.line, owner: record.owner, id: record.id, deliveries: record.deliveries };
}
