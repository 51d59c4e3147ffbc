// What a send promise carries so that a handler returning it counts as finished at once: the link
// writes sends in order and reports a failed write itself, so nothing waits on the promise.

/** One write's (or one held send's) fate; `returned` once a handler handed the promise back to the SDK. */
export interface SendTicket {
  returned: boolean;
}

const TICKET: unique symbol = Symbol('strands.sendTicket');

type Ticketed = Promise<void> & { [TICKET]?: SendTicket };

/** Marks `promise` as a send of this SDK. */
export function attachTicket(promise: Promise<void>, ticket: SendTicket): void {
  (promise as Ticketed)[TICKET] = ticket;
}

/**
 * The ticket of a send promise a handler returned, marked returned (its failure is then the
 * link's to report); undefined for any other value.
 */
export function takeReturnedSend(value: unknown): SendTicket | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ticket = (value as Ticketed)[TICKET];
  if (ticket !== undefined) ticket.returned = true;
  return ticket;
}
