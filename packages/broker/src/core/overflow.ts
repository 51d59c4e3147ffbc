// What happens to an event the store would not keep, whatever the store: counted, logged at most
// once a second, and its sender told where it can be (the gateway writes the notice).
import type { SendRefusalCode } from '@strands/protocol/wire';
import { RateLimitedLog } from '../logger.js';
import type { BrokerContext } from './context.js';
import { actionOf } from './dead-letters.js';
import type { AppendOutcome } from './event-store.js';

/**
 * What became of a client event given to the dispatcher: handed to a backend (`sent`), kept for
 * one (`queued`), or not kept, with the reason its sender is given.
 */
export type SendOutcome = 'sent' | 'queued' | SendRefusalCode;

/** Hears, once, what became of a confirmed send (see `EventDispatcher.send`). */
export type SendAnswer = (outcome: SendOutcome) => void;

/** Hears of events dropped after they were accepted (evicted by drop-oldest, dead letters), to tell their senders. */
export type DroppedListener<O> = (owner: O, code: SendRefusalCode, action: string) => void;

/** Counts and logs what a full or disabled queue did; one per dispatcher. */
export class Overflow<O> {
  private readonly log = new RateLimitedLog(1000);
  private listener: DroppedListener<O> | undefined;

  constructor(private readonly ctx: BrokerContext) {}

  /** Registers who tells senders (the gateway); owners it does not know are skipped there. */
  onDropped(listener: DroppedListener<O>): void {
    this.listener = listener;
  }

  /**
   * Turns the store's answer into the sender's: `dropped` is a refusal (`reject`, counted in
   * `queueRefused`) or a drop (counted in `queueDrops`), reported as `no_backend` when the queue
   * is disabled, else `overloaded`.
   */
  appended(outcome: AppendOutcome, capacity: number, overflow: string): SendOutcome {
    if (outcome === 'queued') return 'queued';
    if (outcome === 'dropped_oldest') return 'queued'; // the evicted ones were reported by `evicted`
    const code: SendRefusalCode = capacity === 0 ? 'no_backend' : 'overloaded';
    if (overflow === 'reject') this.ctx.metrics.queueRefused += 1;
    else this.ctx.metrics.queueDrops += 1;
    this.warn(capacity, overflow, overflow === 'reject' ? 'refused' : 'dropped');
    return code;
  }

  /** Waiting events a drop-oldest store dropped to make room: counted, logged, their senders told. */
  evicted(events: readonly { line: string; owner: O }[], capacity: number): void {
    this.ctx.metrics.queueDrops += events.length;
    for (const event of events) {
      this.warn(capacity, 'drop-oldest', 'dropped');
      this.listener?.(event.owner, 'overloaded', actionOf(event.line));
    }
  }

  /** Waiting events forgotten at once (a disabled queue after its backend left): counted and logged. */
  cleared(count: number): void {
    if (count === 0) return;
    this.ctx.metrics.queueDrops += count;
    this.warn(0, 'drop-newest', 'dropped', count);
  }

  /** An event given up on (a dead letter): its sender is told. */
  buried(owner: O, line: string): void {
    this.listener?.(owner, 'dead_letter', actionOf(line));
  }

  private warn(capacity: number, policy: string, what: 'dropped' | 'refused', count = 1): void {
    this.log.hit((suppressed) => {
      this.ctx.logger.warn(
        { queueSize: capacity, maxQueueBytes: this.ctx.options.maxQueueBytes, policy, events: count, sinceLastLog: suppressed + 1 },
        capacity === 0 ? `no backend and the queue is disabled: event ${what}` : `queue full: event ${what}`,
      );
    });
  }
}
