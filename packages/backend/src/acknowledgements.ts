// Acknowledgements on the SDK side: an event with an id is acknowledged when its handler settles,
// and a repeat of one handled lately (a broker's redelivery) is skipped.
import type { BrokerLink } from './broker-link.js';
import { FIRST_DELIVERY, type EventDelivery } from './client.js';
import type { BackendLogger } from './logger.js';
import { SeenEvents } from './seen-events.js';

/** The params of a client event that say how it was delivered (Strands brokers, `ack` capability). */
export interface DeliveryParams {
  event_id?: string | undefined;
  redelivered?: boolean | undefined;
  delivery_count?: number | undefined;
}

/** One per backend; events without an id (PyStrands brokers) pass through it untouched. */
export class Acknowledgements {
  /** Event ids handled lately (`dedupeWindow`), so a redelivery runs no handler twice. */
  private readonly seen: SeenEvents | undefined;

  constructor(
    dedupeWindow: number,
    private readonly log: BackendLogger,
  ) {
    this.seen = dedupeWindow > 0 ? new SeenEvents(dedupeWindow) : undefined;
  }

  /**
   * How a client event arrived, or undefined for a repeat of one handled or being handled here
   * (skipped; acknowledged at once when its first run is done, else by that run).
   */
  delivery(link: BrokerLink, params: DeliveryParams): EventDelivery | undefined {
    const id = params.event_id;
    if (id === undefined) return FIRST_DELIVERY;
    const seen = this.seen;
    const known = seen === undefined ? -1 : seen.arrived(id, params.redelivered === true);
    if (typeof known === 'boolean') {
      if (known) link.ack(id);
      this.log.debug({ broker: link.address, eventId: id, deliveryCount: params.delivery_count }, 'skipped a repeated event');
      return undefined;
    }
    return new Delivery(id, params.redelivered === true, params.delivery_count ?? 1, known);
  }

  /**
   * Acknowledges the event once `result` (what its guarded handler returned, which never rejects)
   * settles, at once when it is not a promise: a handler that throws acknowledges too (its error
   * went to onError), so a poison message is not redelivered forever. Returns what the scheduler
   * waits on. Events without an id (PyStrands brokers) pass `result` through.
   */
  settle(link: BrokerLink, delivery: EventDelivery, result: unknown): unknown {
    if (delivery.id === undefined) return result;
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      return (result as PromiseLike<unknown>).then(() => this.handled(link, delivery));
    }
    this.handled(link, delivery);
    return undefined;
  }

  /** The event is done here: remembered as such and acknowledged in this turn's write. */
  handled(link: BrokerLink, delivery: EventDelivery): void {
    const id = delivery.id;
    if (id === undefined) return;
    if (this.seen !== undefined) this.seen.done(id, (delivery as Delivery).slot);
    link.ack(id);
  }
}

/** An event with an id, and where the repeat window remembers it (-1: nowhere). */
class Delivery implements EventDelivery {
  constructor(
    readonly id: string,
    readonly redelivered: boolean,
    readonly deliveryCount: number,
    /** @internal */
    readonly slot: number,
  ) {}
}
