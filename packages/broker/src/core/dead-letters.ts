// Client events given up on after too many deliveries: counted, logged at most once a second,
// and the latest kept in a bounded list an operator can read (`broker.deadLetters()`).

/** One event set aside: no backend acknowledged it in `deliveries` deliveries. */
export interface DeadLetter {
  /** Its `event_id`. */
  readonly id: string;
  /** `new_message`, `new_connection`, `disconnected` or `error`. */
  readonly action: string;
  /** The client it concerns. */
  readonly clientId: string;
  readonly deliveries: number;
  /** When it was set aside (ms since the epoch). */
  readonly at: number;
  /** The event's line as a PyStrands backend gets it (without the `\n`). */
  readonly line: string;
}

/** The latest `capacity` dead letters, oldest first; older ones are forgotten (the count goes on). */
export class DeadLetters {
  private items: DeadLetter[] = [];
  /** Every dead letter since start, including those no longer kept. */
  total = 0;

  constructor(readonly capacity: number) {}

  add(letter: DeadLetter): void {
    this.total += 1;
    if (this.capacity === 0) return;
    this.items.push(letter);
    if (this.items.length > this.capacity * 2) this.items = this.items.slice(-this.capacity);
  }

  /** A copy of those kept, oldest first. */
  list(): DeadLetter[] {
    return this.items.slice(-this.capacity);
  }
}

/** The action of an event line (they all start `{"action":"<name>",`), without parsing it. */
export function actionOf(line: string): string {
  const end = line.indexOf('"', 11);
  return end === -1 ? '' : line.slice(11, end);
}
