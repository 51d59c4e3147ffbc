// Which room channels this node listens to: exactly the rooms with local members, changes coalesced per tick.
import type { RedisLink } from './redis-link.js';

/**
 * Tracks the rooms with local members and keeps the link subscribed to exactly their channels.
 * Opens and closes within one tick are coalesced into at most one SUBSCRIBE and one UNSUBSCRIBE
 * (the link splits them into batches), so a burst of joins costs one round trip, and a room
 * opened and closed again in the same tick costs none.
 */
export class RoomSubscriptions {
  /** Rooms with local members. */
  private readonly wanted = new Set<string>();
  /** Rooms the link was asked to subscribe. */
  private readonly asked = new Set<string>();
  private link: RedisLink | undefined;
  private scheduled = false;
  /** The last SUBSCRIBE sent: the link answers in order, so once it settles every earlier one has too. */
  private lastSubscribe: Promise<void> = Promise.resolve();

  constructor(
    private readonly channelOf: (roomId: string) => string,
    /** A refused (un)subscribe; the link keeps wanted channels and subscribes them on its next connection. */
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Rooms with local members now. */
  get size(): number {
    return this.wanted.size;
  }

  opened(roomId: string): void {
    this.wanted.add(roomId);
    this.schedule();
  }

  closed(roomId: string): void {
    this.wanted.delete(roomId);
    this.schedule();
  }

  /**
   * Settles once the channels asked for so far are subscribed (or refused): a room opened in
   * this task is asked for by the flush queued before this promise's callback runs.
   */
  listening(): Promise<void> {
    return Promise.resolve().then(() => this.lastSubscribe);
  }

  /** Starts subscribing through `link`, beginning with every room opened so far. */
  attach(link: RedisLink): void {
    this.link = link;
    this.schedule();
  }

  /** The link is gone (stop): nothing is subscribed any more. */
  detach(): void {
    this.link = undefined;
    this.asked.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.link === undefined) return;
    this.scheduled = true;
    // A microtask, not a timer: the joins of one backend frame coalesce, and none waits a turn of the loop.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const link = this.link;
    if (link === undefined) return;
    const add: string[] = [];
    const remove: string[] = [];
    for (const roomId of this.wanted) {
      if (!this.asked.has(roomId)) {
        this.asked.add(roomId);
        add.push(this.channelOf(roomId));
      }
    }
    for (const roomId of this.asked) {
      if (!this.wanted.has(roomId)) {
        this.asked.delete(roomId);
        remove.push(this.channelOf(roomId));
      }
    }
    if (add.length > 0) this.lastSubscribe = link.subscribe(add).then(() => undefined, this.failed);
    if (remove.length > 0) link.unsubscribe(remove).catch(this.failed);
  }
}
