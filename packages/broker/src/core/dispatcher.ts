// Client events to backends: each client's events to one backend, in order, through the EventStore.
import { RateLimitedLog } from '../logger.js';
import type { ConsumerSource, EventConsumer, EventOwner } from './consumers.js';
import type { BrokerContext } from './context.js';
import { DeadLetters, actionOf } from './dead-letters.js';
import { nextRequestId, withDelivery } from './event-lines.js';
import type { EventStore, KeptListener, StoredEvent } from './event-store.js';
import { Overflow, type DroppedListener, type SendAnswer, type SendOutcome } from './overflow.js';
import { WaitingOwners } from './waiting-owners.js';

/** Dead letters kept for `broker.deadLetters()` (each holds its event's line); older ones are only counted. */
export const DEAD_LETTERS_KEPT = 100;

/**
 * The dispatcher as a backplane sees it (`Dispatcher<EventOwner>` is one): it hands over events
 * of clients connected to other brokers, and reports on the consumers that relay to them.
 */
export interface EventDispatcher {
  /**
   * Sends one event about `owner` to a backend, in order with that owner's earlier events; says
   * what became of it. `answer` (a confirmed send) is told the outcome once: at once (before
   * `send` returns) when it is final, later when it is not yet (`queued` in a store that writes
   * behind, told once the event is kept; handed to a relay whose broker answers for it).
   */
  send(owner: EventOwner, line: string, answer?: SendAnswer): SendOutcome;
  /** A consumer became available: waiting events go out. */
  ready(): void;
  /** `consumer` is done with `count` more of the events it held. */
  written(consumer: EventConsumer, count: number): void;
  /** `consumer` is gone: what it held moves on. Never called from inside a dispatcher call. */
  lost(consumer: EventConsumer): void;
}

/**
 * Sends each event about a client to the backend that owns the client, picking (and pinning) a
 * new one when that backend is gone, and keeps it in the store while no backend can take it.
 * Every event is held by the store until its backend is done with it, so a backend that dies
 * gives back, in order, what it never received. A PyStrands backend is done with an event once it
 * is written; one that announced `ack` once it acknowledged its id: until then a dead backend's
 * events, and those it left unacknowledged for `ackTimeoutMs`, go out again (flagged, counted),
 * and after `maxDeliveries` deliveries are set aside as dead letters.
 */
export class Dispatcher<O extends EventOwner> {
  /** Events no backend acknowledged in `maxDeliveries` deliveries (the latest few kept). */
  readonly deadLetters = new DeadLetters(DEAD_LETTERS_KEPT);
  private readonly overflow: Overflow<O>;
  /** Whose events wait: a client with none goes straight on while others' wait. */
  private readonly waitingOwners = new WaitingOwners<O>();
  /** When a client was last moved away from a backend that let its events lapse. */
  private readonly movedAt = new WeakMap<O, number>();
  private readonly deadLog = new RateLimitedLog(1000);
  /** Set by `route` when a confirmed send's answer comes later (from the store or a relay), not from `send`. */
  private answerLater = false;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly store: EventStore<O>,
    private readonly consumers: ConsumerSource,
  ) {
    this.overflow = new Overflow(ctx);
    store.onWaiting?.(() => this.flush());
    store.onEvicted?.((events) => {
      for (const event of events) this.waitingOwners.removed(event.owner);
      this.overflow.evicted(events, store.capacity);
    });
  }

  /** Registers who tells a client that an event it sent was dropped after it was accepted (evicted, dead-lettered). */
  onDropped(listener: DroppedListener<O>): void {
    this.overflow.onDropped(listener);
  }

  /** Events waiting for a backend. */
  get waiting(): number {
    return this.store.waiting;
  }

  /** Sends one event about `owner`, or keeps it until a backend can take it; says which, or why neither. */
  send(owner: O, line: string, answer?: SendAnswer): SendOutcome {
    if (answer === undefined) return this.route(owner, line, undefined);
    this.answerLater = false;
    const outcome = this.route(owner, line, answer);
    if (this.answerLater) this.answerLater = false;
    else answer(outcome);
    return outcome;
  }

  private route(owner: O, line: string, answer: SendAnswer | undefined): SendOutcome {
    // While events wait, a client's new ones go behind its own so its order holds; a client with
    // none waiting goes straight on: another backend's backlog does not hold it up.
    if (this.store.waiting > 0 && !this.waitingOwners.nothingWaitingFor(owner, this.store.waiting)) return this.append(line, owner, answer);
    let consumer = owner.affinity;
    if (consumer === undefined || !consumer.alive) {
      consumer = this.consumers.pick();
      if (consumer === undefined) return this.append(line, owner, answer);
      owner.affinity = consumer;
    }
    if (consumer.acks === true) return this.sendTracked(consumer, owner, line, answer);
    if (answer !== undefined && consumer.answersLater === true && consumer.sendAnswered !== undefined) {
      if (!consumer.sendAnswered(line, owner.id, answer)) return this.route(owner, line, answer);
      this.store.hold(consumer, line, owner);
      this.answerLater = true;
      return 'sent';
    }
    // Refused only when that backend was just dropped; what it held moved on first, so this one follows.
    if (!consumer.sendEvent(line, owner.id)) return this.route(owner, line, answer);
    this.store.hold(consumer, line, owner);
    return 'sent';
  }

  /** `send` to a backend that acknowledges: a new id, held until acknowledged; waits while that backend holds its share. */
  private sendTracked(consumer: EventConsumer, owner: O, line: string, answer: SendAnswer | undefined): SendOutcome {
    if (!this.hasRoom(consumer, true)) return this.append(line, owner, answer);
    const id = nextRequestId();
    if (!consumer.sendEvent(withDelivery(line, id, 1), owner.id)) return this.route(owner, line, answer);
    this.store.holdTracked(consumer, line, owner, id, 1, Date.now());
    return 'sent';
  }

  /** A backend acknowledged events by id: they are done; events waiting for room among the unacknowledged go out. */
  acknowledged(consumer: EventConsumer, ids: readonly string[]): void {
    const released = this.store.acknowledgeIds(consumer, ids);
    if (released > 0 && this.store.waiting > 0) this.flush();
  }

  /** Unacknowledged events sent `ackTimeoutMs` ago or more go out again, or become dead letters. Called by a timer. */
  expire(now: number): void {
    if (this.ctx.stopping) return;
    const { ackTimeoutMs, maxDeliveries } = this.ctx.options;
    const events = this.store.expired(now - ackTimeoutMs);
    if (events.length === 0) return;
    const again: StoredEvent<O>[] = [];
    const moved = new Set<O>();
    for (const event of events) {
      if ((event.deliveries ?? 1) >= maxDeliveries) {
        this.bury(event, now);
        continue;
      }
      again.push(event);
      // The backend that let it lapse may be stuck: its client moves to another one, where there is
      // one. Not again within ackTimeoutMs of a move: what lapses then was sent before it, to the
      // backend it left, and moving it on would send it back there.
      const owner = event.owner;
      if (!moved.has(owner) && !((this.movedAt.get(owner) ?? -Infinity) > now - ackTimeoutMs)) {
        moved.add(owner);
        this.movedAt.set(owner, now);
        if (owner.affinity !== undefined) owner.affinity = this.other(owner.affinity);
      }
    }
    this.ctx.logger.debug({ redelivered: again.length, deadLetters: events.length - again.length }, 'unacknowledged events expired');
    for (const event of again) this.waitingOwners.added(event.owner);
    if (again.length > 0) this.store.requeue(again);
    // Also when all of them were buried: the room they took among the unacknowledged is free for those waiting.
    this.flush();
  }

  /**
   * Whether `consumer` may take one more event by id: while all backends together hold fewer than
   * `maxUnackedEvents`, and for a first delivery, where the store counts them per backend, while
   * this backend holds fewer than its fair share (`maxUnackedEvents` over the ready backends), so
   * a stuck backend fills only its own. A redelivery is owed by the backend that lost it or let it
   * lapse: it does not take the share of the one taking it over.
   */
  private hasRoom(consumer: EventConsumer, first: boolean): boolean {
    const max = this.ctx.options.maxUnackedEvents;
    if (this.store.unacked >= max) return false;
    if (!first) return true;
    const held = this.store.firstDeliveriesHeld?.(consumer);
    return held === undefined || held < Math.ceil(max / Math.max(1, this.consumers.size));
  }

  /** A ready consumer other than `stuck`, else `stuck` itself while it lives. */
  private other(stuck: EventConsumer): EventConsumer | undefined {
    for (let i = 0; i < this.consumers.size; i += 1) {
      const candidate = this.consumers.pick();
      if (candidate !== undefined && candidate !== stuck) return candidate;
    }
    return stuck.alive ? stuck : undefined;
  }

  /** Sets an event aside for good: counted, kept among the latest dead letters, logged at most once a second. */
  private bury(event: StoredEvent<O>, now: number): void {
    const letter = {
      id: event.id ?? '',
      action: actionOf(event.line),
      clientId: event.owner.id,
      deliveries: event.deliveries ?? 0,
      at: now,
      line: event.line.slice(0, -1),
    };
    this.deadLetters.add(letter);
    this.store.deadLettered?.(event, letter);
    this.ctx.metrics.deadLetters += 1;
    this.overflow.buried(event.owner, event.line);
    this.deadLog.hit((suppressed) => {
      this.ctx.logger.warn(
        { eventId: letter.id, action: letter.action, client: letter.clientId, deliveries: letter.deliveries, deadLettersSinceLastLog: suppressed + 1 },
        'event dead-lettered: no backend acknowledged it',
      );
    });
  }

  /** A backend may take work: the waiting events go out, in order. */
  ready(): void {
    this.flush();
  }

  /** A backend's write completed: it is done with `count` more of the events it held. */
  written(consumer: EventConsumer, count: number): void {
    this.store.acknowledge(consumer, count);
  }

  /** A backend is gone: what it held goes to the front, then out to whoever is left. */
  lost(consumer: EventConsumer): void {
    this.store.takeBack(consumer);
    if (this.ctx.stopping) return;
    this.flush();
    if (this.store.capacity === 0 && this.store.waiting > 0) {
      // Queue disabled: what no backend can take now is dropped, as any other event would be.
      this.waitingOwners.clear();
      this.overflow.cleared(this.store.clearWaiting());
    }
  }

  /** Forgets the waiting events (shutdown); returns how many. */
  clear(): number {
    this.waitingOwners.clear();
    return this.store.clearWaiting();
  }

  /**
   * Hands the waiting events, in order, to ready backends (each to its client's backend, orphans
   * to one picked backend), pausing while a backend has half its buffer bound unsent and
   * resuming when it has written.
   */
  private flush(): void {
    if (this.store.waiting === 0 || this.ctx.stopping) return;
    const target = this.consumers.pick();
    if (target === undefined) return;
    const softLimit = this.ctx.options.maxBackendBufferBytes / 2;
    const { maxDeliveries } = this.ctx.options;
    const now = Date.now();
    let moved = 0;
    for (let event = this.store.peek(); event !== undefined; event = this.store.peek()) {
      const owner = event.owner;
      let consumer = owner.affinity;
      if (consumer === undefined || !consumer.alive) consumer = target.alive ? target : this.consumers.pick();
      if (consumer === undefined) break;
      if (consumer.bufferedBytes > 0 && consumer.bufferedBytes + event.line.length > softLimit) {
        consumer.onWritten(() => this.flush());
        break;
      }
      if (consumer.acks === true) {
        // Resumed by the next acknowledgement or expiry.
        if (!this.hasRoom(consumer, event.deliveries === undefined)) break;
        // Went out as often as allowed, each time to a backend that died with it (a poison message that crashes it).
        if ((event.deliveries ?? 0) >= maxDeliveries) {
          this.store.drop();
          this.waitingOwners.removed(owner);
          this.bury(event, now);
          continue;
        }
        owner.affinity = consumer;
        const id = event.id ?? nextRequestId();
        const deliveries = (event.deliveries ?? 0) + 1;
        if (!consumer.sendEvent(withDelivery(event.line, id, deliveries), owner.id)) break;
        this.store.handOutTracked(consumer, id, now);
        this.waitingOwners.removed(owner);
        if (deliveries > 1) this.ctx.metrics.redeliveries += 1;
      } else {
        owner.affinity = consumer;
        if (!consumer.sendEvent(event.line, owner.id)) break;
        this.store.handOut(consumer);
        this.waitingOwners.removed(owner);
      }
      moved += 1;
    }
    this.ctx.logger.debug({ events: moved, left: this.store.waiting }, 'queue flushed');
  }

  private append(line: string, owner: O, answer: SendAnswer | undefined): SendOutcome {
    // Shutting down: nothing new is kept (the client is being closed).
    if (this.ctx.stopping) return 'no_backend';
    // A confirmed send waits for a store that writes behind to keep it; else `queued` is final.
    const kept: KeptListener | undefined = answer !== undefined && this.store.writesBehind === true ? (ok) => answer(ok ? 'queued' : 'no_backend') : undefined;
    const outcome = this.overflow.appended(this.store.append(line, owner, kept), this.store.capacity, this.store.overflow);
    if (outcome !== 'queued') return outcome;
    this.waitingOwners.added(owner);
    if (kept !== undefined) this.answerLater = true;
    return outcome;
  }
}
