// The in-memory EventStore: a bounded FIFO of waiting events and, per backend, the events it holds.
import type { QueueOverflowPolicy } from '../options.js';
import { EventQueue } from './event-queue.js';
import type { AppendOutcome, ConsumerKey, EventStore, StoredEvent } from './event-store.js';

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

/** Lost with the process, as PyStrands' queue is; waiting events are bounded by count. */
export class MemoryEventStore<O> implements EventStore<O> {
  private readonly queue: EventQueue<O>;
  private readonly held = new Map<ConsumerKey, Held<O>>();

  constructor(capacity: number, overflow: QueueOverflowPolicy) {
    this.queue = new EventQueue(capacity, overflow);
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

  append(line: string, owner: O): AppendOutcome {
    if (!this.queue.push(line, owner).dropped) return 'queued';
    return this.overflow === 'drop-oldest' && this.capacity > 0 ? 'dropped_oldest' : 'dropped';
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

  takeBack(consumer: ConsumerKey): number {
    const held = this.held.get(consumer);
    this.held.delete(consumer);
    if (held === undefined || held.size === 0) return 0;
    const events = held.all();
    // Through the front, so they stay ahead of anything that waited or arrived after them.
    this.queue.prepend(events);
    return events.length;
  }

  clearWaiting(): number {
    const count = this.queue.length;
    this.queue.clear();
    return count;
  }
}
