// The Redis Streams EventStore: the port answered synchronously from memory, every event mirrored
// to a partition stream behind it (write-behind), released with XACK + XDEL, and the entries of an
// earlier run or a dead broker claimed back in the background (see queue-recovery.ts).
import type { DeadLetter } from '../../core/dead-letters.js';
import type { AppendOutcome, ConsumerKey, EventStore, KeptListener, StoredEvent } from '../../core/event-store.js';
import { OptionsError } from '../../errors.js';
import type { QueueOverflowPolicy } from '../../options.js';
import type { RedisLink } from '../redis/redis-link.js';
import { EventDeque } from './event-deque.js';
import { partitionOf, queueKeys, type QueueKeys } from './queue-keys.js';
import type { ResolvedRedisQueueOptions } from './queue-options.js';
import { Persisted, QueueWriter, type EntryRef, type WriterEvents } from './queue-writer.js';
import { TrackedEvents } from './tracked-events.js';

/** Counters the store keeps (exported as metrics by the broker). */
export interface RedisQueueCounters {
  /** Events kept in memory only: Redis unreachable or the stream full. */
  memoryOnly: number;
  /** Entries of an earlier run of this consumer taken back at start. */
  recovered: number;
  /** Entries claimed from dead consumers. */
  reclaimed: number;
  /** Dead letters written to the DLQ stream. */
  deadLettered: number;
  /** XACK/XDEL/DLQ writes that failed (those entries come back after a restart). */
  failedWrites: number;
}

/**
 * Waiting and held events live in memory, as in the MemoryEventStore, so every call answers at
 * once; each one is also an entry of its client's partition stream, pending for this broker's
 * consumer, from the moment Redis acknowledged the write until the event is done (acknowledged,
 * written to a PyStrands backend, or dead-lettered). An event handed straight to a consumer and
 * done within the same turn never needs one, and gets none. What is pending survives this process: a
 * restart under the same consumer takes it back, another broker claims it once this one's lease
 * lapsed. A shutdown forgets the waiting events here but keeps them in Redis, for the next start.
 */
export class RedisEventStore<O extends { readonly id: string }> implements EventStore<O> {
  readonly counters: RedisQueueCounters = { memoryOnly: 0, recovered: 0, reclaimed: 0, deadLettered: 0, failedWrites: 0 };
  readonly keys: QueueKeys;
  readonly writer: QueueWriter;
  /** `append` answers from memory; a confirmed send's `kept` waits for Redis (or a backend). */
  readonly writesBehind = true;
  private readonly queue = new EventDeque<StoredEvent<O>>();
  private readonly refs = new WeakMap<StoredEvent<O>, EntryRef>();
  private readonly held = new Map<ConsumerKey, EventDeque<StoredEvent<O>>>();
  private readonly tracked = new TrackedEvents<O>();
  /**
   * Per consumer, how many events at the tail of its held deque `hold` gave it this turn, without
   * an entry yet. A consumer nearly always takes them in the same turn (the kernel took the write,
   * the relay published them), and an event done before the turn ends needs no entry: so entries
   * (a ref, a WeakMap slot, a partition hash, a place in the writer's batch) are made at the end of
   * the turn, for those still held only. The write is behind either way.
   */
  private readonly unwritten = new Map<ConsumerKey, number>();
  private entriesScheduled = false;
  private readonly makeEntriesNow = (): void => this.writeHeld();
  private wake: (() => void) | undefined;
  /** UTF-8 bytes of the waiting lines. */
  private bytes = 0;
  /**
   * The first `owed` waiting events were given back (taken back, requeued): accepted already, they
   * are outside the bounds, as in the EventQueue, so what a dead backend gives back never refuses
   * what clients send. Entries claimed from Redis wait behind them and count as new.
   */
  private owed = 0;
  private owedBytes = 0;

  constructor(
    readonly options: ResolvedRedisQueueOptions,
    readonly capacity: number,
    readonly overflow: QueueOverflowPolicy,
    readonly ownerOf: (clientId: string) => O,
    report: WriterEvents,
    /** Bound on the bytes of the waiting lines, beside `capacity` events. */
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    if (overflow === 'drop-oldest') {
      throw new OptionsError(
        'invalid option queueOverflow: drop-oldest cannot be used with the Redis queue (trimming a stream deletes events still pending); use drop-newest',
        'queueOverflow',
      );
    }
    if (capacity < 1) throw new OptionsError('invalid option queueSize: 0 cannot be used with the Redis queue (it keeps events while no backend is connected)', 'queueSize');
    this.keys = queueKeys(options.prefix);
    this.writer = new QueueWriter(this.keys, options.group, options.consumer, options.maxStreamLength, {
      memoryOnly: (count, why) => {
        this.counters.memoryOnly += count;
        report.memoryOnly(count, why);
      },
      failed: (what, error) => {
        this.counters.failedWrites += 1;
        report.failed(what, error);
      },
    });
  }

  /** From now on events are written to Redis (before, they are kept in memory only). */
  attach(link: RedisLink): void {
    this.writer.link = link;
  }

  get waiting(): number {
    return this.queue.length;
  }

  get waitingBytes(): number {
    return this.bytes;
  }

  get unacked(): number {
    return this.tracked.size;
  }

  firstDeliveriesHeld(consumer: ConsumerKey): number {
    return this.tracked.firstsHeld(consumer);
  }

  /** Every event kept (waiting, held by count, held by id): each an entry pending in Redis, or about to be. */
  get kept(): number {
    let count = this.queue.length + this.tracked.size;
    for (const held of this.held.values()) count += held.length;
    return count;
  }

  /** Room left among the new waiting events (owed ones apart) for entries claimed back from Redis. */
  get room(): number {
    return Math.max(0, this.capacity - (this.queue.length - this.owed));
  }

  /** `kept` is called once the entry is in Redis, or the event is handed out first (its write failed, or is slow). */
  append(line: string, owner: O, kept?: KeptListener): AppendOutcome {
    const size = Buffer.byteLength(line);
    if (this.room === 0 || this.bytes - this.owedBytes + size > this.maxBytes) return 'dropped';
    this.queue.push(this.create(line, owner, undefined, kept));
    this.bytes += size;
    return 'queued';
  }

  peek(): StoredEvent<O> | undefined {
    return this.queue.peek();
  }

  handOut(consumer: ConsumerKey): StoredEvent<O> | undefined {
    const event = this.shift();
    if (event === undefined) return undefined;
    // The events without an entry stay the tail of the deque.
    if (this.unwritten.size > 0) this.makeEntriesFor(consumer);
    this.heldBy(consumer).push(event);
    this.handedOut(event);
    return event;
  }

  hold(consumer: ConsumerKey, line: string, owner: O): void {
    this.heldBy(consumer).push({ line, owner });
    this.unwritten.set(consumer, (this.unwritten.get(consumer) ?? 0) + 1);
    if (!this.entriesScheduled) {
      this.entriesScheduled = true;
      setImmediate(this.makeEntriesNow);
    }
  }

  acknowledge(consumer: ConsumerKey, count: number): void {
    const held = this.held.get(consumer);
    if (held === undefined) return;
    let fresh = this.unwritten.get(consumer) ?? 0;
    for (let i = 0; i < count; i += 1) {
      // The front one has no entry once only events without one are left.
      const withoutEntry = fresh >= held.length;
      const event = held.shift();
      if (event === undefined) break;
      if (withoutEntry) fresh -= 1;
      else this.release(event);
    }
    if (fresh > 0) this.unwritten.set(consumer, fresh);
    else this.unwritten.delete(consumer);
  }

  handOutTracked(consumer: ConsumerKey, id: string, now: number): StoredEvent<O> | undefined {
    const event = this.shift();
    if (event === undefined) return undefined;
    event.id ??= id;
    event.deliveries = (event.deliveries ?? 0) + 1;
    this.tracked.add(consumer, event, now);
    this.handedOut(event);
    return event;
  }

  holdTracked(consumer: ConsumerKey, line: string, owner: O, id: string, deliveries: number, now: number): void {
    const event = this.create(line, owner, id);
    event.deliveries = deliveries;
    this.tracked.add(consumer, event, now);
  }

  acknowledgeIds(_consumer: ConsumerKey, ids: readonly string[]): number {
    let released = 0;
    for (const id of ids) {
      const event = this.tracked.take(id);
      if (event === undefined) continue;
      this.release(event);
      released += 1;
    }
    return released;
  }

  expired(sentBefore: number): StoredEvent<O>[] {
    return this.tracked.takeSentBefore(sentBefore);
  }

  requeue(events: readonly StoredEvent<O>[]): void {
    this.prepend(events.map((event) => (this.refs.has(event) ? event : this.adopt(event))));
  }

  drop(): StoredEvent<O> | undefined {
    const event = this.shift();
    if (event === undefined) return undefined;
    const ref = this.writer.unsettled > 0 ? this.refs.get(event) : undefined;
    if (ref !== undefined) this.writer.settle(ref, false);
    this.release(event);
    return event;
  }

  /** The event became a dead letter: out of the queue for good, into the DLQ stream. */
  deadLettered(event: StoredEvent<O>, letter: DeadLetter): void {
    this.release(event);
    this.counters.deadLettered += 1;
    const { id, action, clientId, deliveries, at, line } = letter;
    this.writer.deadLetter({ id, action, client: clientId, deliveries: String(deliveries), at: String(at), line }, this.options.deadLettersKept);
  }

  takeBack(consumer: ConsumerKey): number {
    this.makeEntriesFor(consumer);
    const events: StoredEvent<O>[] = [];
    const held = this.held.get(consumer);
    this.held.delete(consumer);
    for (let event = held?.shift(); event !== undefined; event = held?.shift()) events.push(event);
    events.push(...this.tracked.takeAll(consumer));
    this.prepend(events);
    return events.length;
  }

  /**
   * Forgets the waiting events here; they stay pending in Redis for the next start (or another
   * broker). Those kept in memory only are lost: a confirmed send among them is told so.
   */
  clearWaiting(): number {
    const count = this.queue.length;
    if (this.writer.unsettled > 0) {
      for (let event = this.queue.shift(); event !== undefined; event = this.queue.shift()) {
        const ref = this.refs.get(event);
        if (ref?.state === Persisted.MemoryOnly) this.writer.settle(ref, false);
      }
    }
    this.queue.clear();
    this.bytes = 0;
    this.owed = 0;
    this.owedBytes = 0;
    return count;
  }

  onWaiting(listener: () => void): void {
    this.wake = listener;
  }

  /**
   * Entries taken back from Redis (an earlier run's, a dead broker's): they wait behind the others,
   * in stream order (each client's order), and the dispatcher is woken.
   */
  claimed(partition: number, entries: readonly { id: string; fields: Record<string, string> }[]): void {
    for (const { id, fields } of entries) {
      const clientId = fields.c ?? '';
      const line = fields.l ?? '';
      const event: StoredEvent<O> = { line, owner: this.ownerOf(clientId) };
      // An event that carried an id went out before: it goes out again as a redelivery, under that id.
      if (fields.i !== undefined && fields.i !== '') {
        event.id = fields.i;
        event.deliveries = 1;
      }
      this.refs.set(event, { partition, clientId, line, eventId: event.id, state: Persisted.Stored, entryId: id, releaseOnStore: false, kept: undefined });
      this.queue.push(event);
      this.bytes += Buffer.byteLength(line);
    }
    if (entries.length > 0) this.wake?.();
  }

  private shift(): StoredEvent<O> | undefined {
    const event = this.queue.shift();
    if (event === undefined) return undefined;
    const size = Buffer.byteLength(event.line);
    this.bytes -= size;
    if (this.owed > 0) {
      this.owed -= 1;
      this.owedBytes -= size;
    }
    return event;
  }

  /** Taken-back and requeued events go in front, owed: outside the bounds, they were accepted already. */
  private prepend(events: readonly StoredEvent<O>[]): void {
    for (const event of events) {
      const size = Buffer.byteLength(event.line);
      this.bytes += size;
      this.owedBytes += size;
    }
    this.owed += events.length;
    this.queue.prepend(events);
  }

  /** A confirmed send's event went to a consumer before its entry was stored: that is kept too. */
  private handedOut(event: StoredEvent<O>): void {
    if (this.writer.unsettled === 0) return;
    const ref = this.refs.get(event);
    if (ref !== undefined) this.writer.settle(ref, true);
  }

  /** Resolves once every event kept so far is written (or known kept in memory only). */
  settled(): Promise<void> {
    this.writeHeld();
    return this.writer.settled();
  }

  /** Entries for the events `hold` gave this turn that are still held (at the end of the turn). */
  private writeHeld(): void {
    this.entriesScheduled = false;
    for (const consumer of this.unwritten.keys()) this.makeEntriesFor(consumer);
  }

  private makeEntriesFor(consumer: ConsumerKey): void {
    const fresh = this.unwritten.get(consumer);
    if (fresh === undefined) return;
    // Deleting the entry being visited is safe in a Map iteration (writeHeld).
    this.unwritten.delete(consumer);
    const held = this.held.get(consumer);
    if (held === undefined) return;
    for (let i = held.length - fresh; i < held.length; i += 1) {
      const event = held.at(i);
      if (event !== undefined) this.entry(event, undefined);
    }
  }

  private create(line: string, owner: O, eventId: string | undefined, kept?: KeptListener): StoredEvent<O> {
    const event: StoredEvent<O> = eventId === undefined ? { line, owner } : { line, owner, id: eventId };
    this.entry(event, kept);
    return event;
  }

  /** Makes `event` an entry of its partition stream (written behind, in this turn's batch). */
  private entry(event: StoredEvent<O>, kept: KeptListener | undefined): void {
    const { line, owner } = event;
    const eventId = event.id;
    const clientId = owner.id;
    const ref: EntryRef = {
      partition: partitionOf(clientId, this.options.partitions),
      clientId,
      line,
      eventId,
      state: Persisted.Gathered,
      entryId: undefined,
      releaseOnStore: false,
      kept,
    };
    this.refs.set(event, ref);
    this.writer.write(ref);
  }

  /** An event the store did not make (requeued from elsewhere): written like a new one, keeping its id and count. */
  private adopt(event: StoredEvent<O>): StoredEvent<O> {
    const copy = this.create(event.line, event.owner, event.id);
    copy.deliveries = event.deliveries;
    return copy;
  }

  private release(event: StoredEvent<O>): void {
    const ref = this.refs.get(event);
    if (ref !== undefined) this.writer.release(ref);
  }

  private heldBy(consumer: ConsumerKey): EventDeque<StoredEvent<O>> {
    let held = this.held.get(consumer);
    if (held === undefined) {
      held = new EventDeque();
      this.held.set(consumer, held);
    }
    return held;
  }
}
