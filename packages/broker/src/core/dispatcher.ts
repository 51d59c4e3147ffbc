// Client events to backends: each client's events to one backend, in order, through the EventStore.
import { RateLimitedLog } from '../logger.js';
import type { ConsumerSource, EventConsumer, EventOwner } from './consumers.js';
import type { BrokerContext } from './context.js';
import type { EventStore } from './event-store.js';

/**
 * The dispatcher as a backplane sees it (`Dispatcher<EventOwner>` is one): it hands over events
 * of clients connected to other brokers, and reports on the consumers that relay to them.
 */
export interface EventDispatcher {
  /** Sends one event about `owner` to a backend, in order with that owner's earlier events. */
  send(owner: EventOwner, line: string): void;
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
 * gives back, in order, what it never received.
 */
export class Dispatcher<O extends EventOwner> {
  private readonly dropLog = new RateLimitedLog(1000);

  constructor(
    private readonly ctx: BrokerContext,
    private readonly store: EventStore<O>,
    private readonly consumers: ConsumerSource,
  ) {
    store.onWaiting?.(() => this.flush());
  }

  /** Events waiting for a backend. */
  get waiting(): number {
    return this.store.waiting;
  }

  /** Sends one event about `owner`, or keeps it until a backend can take it. */
  send(owner: O, line: string): void {
    // While a flush is under way, new events go behind the waiting ones so each client's order holds.
    if (this.store.waiting > 0) {
      this.append(line, owner);
      return;
    }
    let consumer = owner.affinity;
    if (consumer === undefined || !consumer.alive) {
      consumer = this.consumers.pick();
      if (consumer === undefined) {
        this.append(line, owner);
        return;
      }
      owner.affinity = consumer;
    }
    // Refused only when that backend was just dropped; what it held moved on first, so this one follows.
    if (consumer.sendEvent(line, owner.id)) this.store.hold(consumer, line, owner);
    else this.send(owner, line);
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
      this.ctx.metrics.queueDrops += this.store.clearWaiting();
    }
  }

  /** Forgets the waiting events (shutdown); returns how many. */
  clear(): number {
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
      owner.affinity = consumer;
      if (!consumer.sendEvent(event.line, owner.id)) break;
      this.store.handOut(consumer);
      moved += 1;
    }
    this.ctx.logger.debug({ events: moved, left: this.store.waiting }, 'queue flushed');
  }

  private append(line: string, owner: O): void {
    if (this.ctx.stopping) return;
    if (this.store.append(line, owner) === 'queued') return;
    this.ctx.metrics.queueDrops += 1;
    const { capacity, overflow } = this.store;
    this.dropLog.hit((suppressed) => {
      this.ctx.logger.warn(
        { queueSize: capacity, policy: overflow, droppedSinceLastLog: suppressed + 1 },
        capacity === 0 ? 'no backend and the queue is disabled: event dropped' : 'queue full: event dropped',
      );
    });
  }
}
