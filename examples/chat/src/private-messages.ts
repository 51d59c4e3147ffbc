// Private messages the reactive way: every connected user has a bounded queue of messages sent to
// them (the `message` route puts one in), drained by their `messages.incoming` streams as the
// client grants credits. The count of running producers is kept for tests and monitoring.
import type { PrivateMessage } from './contract.js';

/** Messages a user's queue holds while nobody reads it; past that, `message` is refused. */
export const DEFAULT_INBOX_SIZE = 100;

interface Inbox {
  readonly items: PrivateMessage[];
  /** Streams of this user waiting for an item. */
  readonly waiting: Set<() => void>;
}

/** The private-message queues of the connected users, by client id. */
export class PrivateInboxes {
  private readonly inboxes = new Map<string, Inbox>();
  private running = 0;

  constructor(private readonly size = DEFAULT_INBOX_SIZE) {}

  /** `messages.incoming` producers running now (0 once every listener cancelled or left). */
  get producers(): number {
    return this.running;
  }

  /** Puts `message` in the queue of `userId`; false when that queue is full. */
  deliver(userId: string, message: PrivateMessage): boolean {
    const inbox = this.inbox(userId);
    if (inbox.items.length >= this.size) return false;
    inbox.items.push(message);
    for (const wake of [...inbox.waiting]) wake();
    return true;
  }

  /** The user left: their queue goes (their streams end with their connection). */
  drop(userId: string): void {
    const inbox = this.inboxes.get(userId);
    this.inboxes.delete(userId);
    if (inbox !== undefined) for (const wake of [...inbox.waiting]) wake();
  }

  /**
   * The messages sent to `userId`, oldest first, as they arrive, until `signal` aborts (the client
   * cancelled or left). Pulled only as the client grants credits: the rest wait in the queue.
   */
  async *listen(userId: string, signal: AbortSignal): AsyncGenerator<PrivateMessage> {
    this.running += 1;
    try {
      while (!signal.aborted) {
        const inbox = this.inbox(userId);
        const next = inbox.items.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => {
          const wake = (): void => {
            inbox.waiting.delete(wake);
            signal.removeEventListener('abort', wake);
            resolve();
          };
          inbox.waiting.add(wake);
          signal.addEventListener('abort', wake, { once: true });
        });
      }
    } finally {
      this.running -= 1;
    }
  }

  private inbox(userId: string): Inbox {
    let inbox = this.inboxes.get(userId);
    if (inbox === undefined) this.inboxes.set(userId, (inbox = { items: [], waiting: new Set() }));
    return inbox;
  }
}
