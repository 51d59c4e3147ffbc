// Events held by consumers that acknowledge by id: by id, and by consumer in the order they were sent.
import type { ConsumerKey, StoredEvent } from '../../core/event-store.js';

interface Tracked<O> {
  readonly event: StoredEvent<O>;
  readonly sentAt: number;
  readonly consumer: ConsumerKey;
  /** On its first delivery (not a redelivery). */
  readonly first: boolean;
}

export class TrackedEvents<O> {
  private readonly byId = new Map<string, Tracked<O>>();
  /** A Map keeps insertion order: oldest sent first. */
  private readonly byConsumer = new Map<ConsumerKey, Map<string, Tracked<O>>>();
  private readonly firsts = new Map<ConsumerKey, number>();

  get size(): number {
    return this.byId.size;
  }

  /** Records `event` (its `id` set) as sent to `consumer` at `now`. */
  add(consumer: ConsumerKey, event: StoredEvent<O>, now: number): void {
    let mine = this.byConsumer.get(consumer);
    if (mine === undefined) {
      mine = new Map();
      this.byConsumer.set(consumer, mine);
    }
    const record: Tracked<O> = { event, sentAt: now, consumer, first: (event.deliveries ?? 1) <= 1 };
    const id = event.id as string;
    this.byId.set(id, record);
    mine.set(id, record);
    if (record.first) this.firsts.set(consumer, (this.firsts.get(consumer) ?? 0) + 1);
  }

  /** How many of those `consumer` holds are on their first delivery. */
  firstsHeld(consumer: ConsumerKey): number {
    return this.firsts.get(consumer) ?? 0;
  }

  private gone(record: Tracked<O>): void {
    if (!record.first) return;
    const left = (this.firsts.get(record.consumer) ?? 1) - 1;
    if (left > 0) this.firsts.set(record.consumer, left);
    else this.firsts.delete(record.consumer);
  }

  /** Removes and returns the event of `id`, whoever holds it. */
  take(id: string): StoredEvent<O> | undefined {
    const record = this.byId.get(id);
    if (record === undefined) return undefined;
    this.byId.delete(id);
    this.byConsumer.get(record.consumer)?.delete(id);
    this.gone(record);
    return record.event;
  }

  /** Removes and returns, oldest first per consumer, those sent before `sentBefore`. */
  takeSentBefore(sentBefore: number): StoredEvent<O>[] {
    const out: StoredEvent<O>[] = [];
    for (const mine of this.byConsumer.values()) {
      for (const [id, record] of mine) {
        if (record.sentAt >= sentBefore) break;
        mine.delete(id);
        this.byId.delete(id);
        this.gone(record);
        out.push(record.event);
      }
    }
    return out;
  }

  /** Removes and returns what `consumer` holds, oldest first. */
  takeAll(consumer: ConsumerKey): StoredEvent<O>[] {
    const mine = this.byConsumer.get(consumer);
    this.byConsumer.delete(consumer);
    this.firsts.delete(consumer);
    if (mine === undefined) return [];
    const out: StoredEvent<O>[] = [];
    for (const [id, record] of mine) {
      this.byId.delete(id);
      out.push(record.event);
    }
    return out;
  }
}
