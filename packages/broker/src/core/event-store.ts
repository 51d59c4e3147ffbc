// The EventStore port: client events waiting for a backend, and those a backend holds until it is done with them.
import type { QueueOverflowPolicy } from '../options.js';

/** One client event: its encoded line and whom it concerns (the next backend inherits that client). */
export interface StoredEvent<O> {
  line: string;
  owner: O;
}

/** What became of an event offered to the store. */
export type AppendOutcome = 'queued' | 'dropped' | 'dropped_oldest';

/** Whatever takes events out of the store (a backend connection, seen from the core). */
export type ConsumerKey = object;

/**
 * Keeps every client event until a backend is done with it. An event is first *waiting* (no
 * backend could take it yet), then *held* by one consumer once handed out, until that consumer
 * acknowledges it. A consumer that is lost gives back what it held, to the front, in order.
 *
 * Today a backend is done with an event once the kernel accepted its bytes (PyStrands has no
 * acknowledgements), so `acknowledge` counts events in the order they were handed out. A store
 * that survives restarts or tracks acknowledgements by id implements the same calls.
 */
export interface EventStore<O> {
  /** Events appended and not yet handed out. */
  readonly waiting: number;
  /** Bound on waiting events; 0 means nothing may wait. */
  readonly capacity: number;
  readonly overflow: QueueOverflowPolicy;
  /** Adds an event behind the waiting ones, within the bound and its overflow policy. */
  append(line: string, owner: O): AppendOutcome;
  /** The oldest waiting event, left in place. */
  peek(): StoredEvent<O> | undefined;
  /** Removes the oldest waiting event and records it as held by `consumer`. */
  handOut(consumer: ConsumerKey): StoredEvent<O> | undefined;
  /** Records an event that went straight to `consumer` without waiting (the common case). */
  hold(consumer: ConsumerKey, line: string, owner: O): void;
  /** `consumer` is done with the `count` oldest events it holds. */
  acknowledge(consumer: ConsumerKey, count: number): void;
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
}
