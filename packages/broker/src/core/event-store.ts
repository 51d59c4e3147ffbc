// The EventStore port: client events waiting for a backend, and those a backend holds until it is done with them.
import type { QueueOverflowPolicy } from '../options.js';
import type { DeadLetter } from './dead-letters.js';

/** One client event: its encoded line and whom it concerns (the next backend inherits that client). */
export interface StoredEvent<O> {
  line: string;
  owner: O;
  /** Set once the event went to a consumer that acknowledges by id: the id it carries on every delivery. */
  id?: string | undefined;
  /** How many times it went to such consumers so far. */
  deliveries?: number | undefined;
}

/** What became of an event offered to the store. */
export type AppendOutcome = 'queued' | 'dropped' | 'dropped_oldest';

/**
 * Hears once whether an event `append` queued is kept: `true` once it would outlive this process
 * (a durable store has it stored) or went to a consumer, whichever comes first; `false` when it
 * was lost before either (forgotten while kept in memory only). Given only for confirmed sends,
 * whose `accepted` must not come before the event is safe; ordinary events pay nothing for it.
 */
export type KeptListener = (kept: boolean) => void;

/** Whatever takes events out of the store (a backend connection, seen from the core). */
export type ConsumerKey = object;

/**
 * Keeps every client event until a backend is done with it. An event is first *waiting* (no
 * backend could take it yet), then *held* by one consumer once handed out, until that consumer
 * acknowledges it. A consumer that is lost gives back what it held, to the front, in order.
 *
 * A PyStrands backend is done with an event once the kernel accepted its bytes (it has no
 * acknowledgements), so `acknowledge` counts events in the order they were handed out. A backend
 * that announced the `ack` capability is done with an event when it names its id in `ack`: such
 * events are handed out and held with `handOutTracked` / `holdTracked` (an id, a delivery count,
 * the time), released with `acknowledgeIds`, and those held too long come back out of `expired`
 * (a Redis Streams store maps these to XREADGROUP, XACK and XAUTOCLAIM). A consumer uses one
 * kind or both (a backend that said hello after its first events): the two are kept apart.
 */
export interface EventStore<O> {
  /** Events appended and not yet handed out. */
  readonly waiting: number;
  /** Bound on waiting events; 0 means nothing may wait. */
  readonly capacity: number;
  /**
   * For a full store, `reject` acts as `drop-newest` (`append` answers `dropped`): telling the
   * sender is the dispatcher's part.
   */
  readonly overflow: QueueOverflowPolicy;
  /** Bytes of the waiting events' lines, where the store bounds them by bytes. Optional (a gauge). */
  readonly waitingBytes?: number;
  /**
   * True for a store whose `append` answers before the event is safe (a durable store writing
   * behind, as the Redis one): it takes `append`'s `kept` and calls it once the event is stored or
   * handed out. Absent (the in-memory store): an event `append` queued is as kept as it will ever
   * be, and the dispatcher says so at once, without giving a listener.
   */
  readonly writesBehind?: boolean;
  /**
   * Adds an event behind the waiting ones, within the bounds (count and, where the store has one,
   * bytes) and its overflow policy. `kept`, only for a store that `writesBehind` and only for a
   * confirmed send: when `append` answers `queued`, called once, later (see KeptListener).
   */
  append(line: string, owner: O, kept?: KeptListener): AppendOutcome;
  /**
   * Registers who hears of the waiting events `append` dropped to make room (`dropped_oldest`),
   * so their senders can be told. Optional: only a store that drops the oldest needs it.
   */
  onEvicted?(listener: (events: readonly StoredEvent<O>[]) => void): void;
  /** The oldest waiting event, left in place. */
  peek(): StoredEvent<O> | undefined;
  /** Removes the oldest waiting event and records it as held by `consumer`. */
  handOut(consumer: ConsumerKey): StoredEvent<O> | undefined;
  /** Records an event that went straight to `consumer` without waiting (the common case). */
  hold(consumer: ConsumerKey, line: string, owner: O): void;
  /** `consumer` is done with the `count` oldest events it holds. */
  acknowledge(consumer: ConsumerKey, count: number): void;
  /** Events held by id-acknowledging consumers and not acknowledged yet, all consumers together. */
  readonly unacked: number;
  /**
   * How many of the events `consumer` holds by id are on their first delivery (not redeliveries).
   * The dispatcher bounds these per backend, a fair share of `maxUnackedEvents`, so that a stuck
   * backend's events cannot take the room of another backend's clients. Optional: without it
   * only the total (`unacked`) is bounded.
   */
  firstDeliveriesHeld?(consumer: ConsumerKey): number;
  /**
   * Like `handOut`, for a consumer that acknowledges by id: the oldest waiting event is held
   * under `id` (its own, if it went out before), with one more delivery, sent at `now` (ms).
   */
  handOutTracked(consumer: ConsumerKey, id: string, now: number): StoredEvent<O> | undefined;
  /** Like `hold`, for a consumer that acknowledges by id; `deliveries` counts this one. */
  holdTracked(consumer: ConsumerKey, line: string, owner: O, id: string, deliveries: number, now: number): void;
  /**
   * `consumer` is done with the events of these ids. An id it does not hold (acknowledged already,
   * or taken back and redelivered) is ignored, wherever the event went since. Returns how many were released.
   */
  acknowledgeIds(consumer: ConsumerKey, ids: readonly string[]): number;
  /**
   * Removes and returns, oldest first per consumer, the tracked events sent before `sentBefore`
   * (ms) and still not acknowledged; the caller redelivers them (`requeue`) or sets them aside.
   */
  expired(sentBefore: number): StoredEvent<O>[];
  /** Puts events back at the front of the waiting ones, in this order (a redelivery). */
  requeue(events: readonly StoredEvent<O>[]): void;
  /** Removes the oldest waiting event without handing it to anyone (it became a dead letter). */
  drop(): StoredEvent<O> | undefined;
  /** `consumer` is lost: what it held goes back to the front of the waiting events, in order. Returns how many. */
  takeBack(consumer: ConsumerKey): number;
  /** Forgets every waiting event (shutdown, or a disabled queue); returns how many. */
  clearWaiting(): number;
  /**
   * Registers the dispatcher's wake-up: a store whose events also arrive from elsewhere (a
   * shared, durable store read in the background) calls it when new events wait. Optional: the
   * in-memory store only ever receives what `append` gave it.
   */
  onWaiting?(listener: () => void): void;
  /**
   * The dispatcher set this event aside as a dead letter (it came out of `expired` or `drop`): a
   * durable store lets it go for good and keeps the letter where an operator reads it (the Redis
   * store: XACK + XDEL, and an entry in its DLQ stream). Optional: the in-memory store forgot it already.
   */
  deadLettered?(event: StoredEvent<O>, letter: DeadLetter): void;
}
