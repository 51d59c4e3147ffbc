// The write-behind of the durable queue: appends and releases gathered per event-loop turn and sent
// in order on one auto-pipelined connection, one enqueue script and one XACK + XDEL per partition.
import type { RedisLink } from '../redis/redis-link.js';
import { enqueueScript } from './queue-scripts.js';
import type { QueueKeys } from './queue-keys.js';
import { QUEUE_BATCH } from './queue-options.js';

/** Where one event is in Redis. */
export const enum Persisted {
  /** Gathered for this turn's write. */
  Gathered,
  /** Sent; no reply yet. */
  Writing,
  /** Redis acknowledged it: it is in the stream, pending for this consumer. */
  Stored,
  /** Kept in memory only: Redis was unreachable or the stream full (counted). */
  MemoryOnly,
  /** Released (or never to be written): nothing more to do. */
  Done,
}

/** The Redis side of one event the store keeps. */
export interface EntryRef {
  readonly partition: number;
  readonly clientId: string;
  readonly line: string;
  /** The event id it carried when written (set for events that went straight to an acknowledging backend). */
  readonly eventId: string | undefined;
  state: Persisted;
  entryId: string | undefined;
  /** Released while its write was in flight: XACK + XDEL once the entry id is known. */
  releaseOnStore: boolean;
}

/** What the writer reports (counters and rate-limited logs live with the store). */
export interface WriterEvents {
  /** Events kept in memory only: `why` is 'full' (the stream at maxStreamLength) or the Redis error. */
  memoryOnly(count: number, why: string): void;
  /** A release (XACK/XDEL) or dead-letter write failed; the entry stays pending and comes back after a restart. */
  failed(what: string, error: unknown): void;
}

export class QueueWriter {
  private gathered = new Map<number, EntryRef[]>();
  private releases = new Map<number, string[]>();
  private scheduled = false;
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private readonly flushNow = (): void => this.flush();

  /** Set once connected; before it, nothing is written (events are kept in memory only). */
  link: RedisLink | undefined;

  constructor(
    private readonly keys: QueueKeys,
    private readonly group: string,
    private readonly consumer: string,
    private readonly maxStreamLength: number,
    private readonly events: WriterEvents,
  ) {}

  /** Appends the event to its partition stream in this turn's batch. */
  write(ref: EntryRef): void {
    ref.state = Persisted.Gathered;
    let batch = this.gathered.get(ref.partition);
    if (batch === undefined) {
      batch = [];
      this.gathered.set(ref.partition, batch);
    }
    batch.push(ref);
    this.schedule();
  }

  /** The event is done: its entry leaves the pending list and the stream (or is never written). */
  release(ref: EntryRef): void {
    switch (ref.state) {
      case Persisted.Gathered:
        ref.state = Persisted.Done; // left out of the batch
        return;
      case Persisted.Writing:
        ref.releaseOnStore = true;
        return;
      case Persisted.Stored:
        ref.state = Persisted.Done;
        this.releaseId(ref.partition, ref.entryId as string);
        return;
      default:
        ref.state = Persisted.Done;
    }
  }

  /** Releases an entry known only by partition and id (claimed from a dead consumer, then handled). */
  releaseId(partition: number, entryId: string): void {
    let ids = this.releases.get(partition);
    if (ids === undefined) {
      ids = [];
      this.releases.set(partition, ids);
    }
    ids.push(entryId);
    this.schedule();
  }

  /** Adds a dead letter to the DLQ stream, trimmed approximately to `kept`. */
  deadLetter(fields: Record<string, string>, kept: number): void {
    if (this.link !== undefined) this.track(this.link.xaddTrimmed(this.keys.deadLetters, kept, fields), 'dead letter');
  }

  /** Resolves once everything given so far has had its reply. */
  async settled(): Promise<void> {
    if (this.scheduled) this.flush();
    if (this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushNow);
  }

  private flush(): void {
    this.scheduled = false;
    const gathered = this.gathered;
    const releases = this.releases;
    this.gathered = new Map();
    this.releases = new Map();
    for (const [partition, refs] of gathered) {
      const live = refs.filter((ref) => ref.state === Persisted.Gathered);
      for (let at = 0; at < live.length; at += QUEUE_BATCH) this.append(partition, live.slice(at, at + QUEUE_BATCH));
    }
    const link = this.link;
    if (link === undefined) return;
    for (const [partition, ids] of releases) {
      const key = this.keys.partition(partition);
      this.track(link.xack(key, this.group, ids), 'xack');
      this.track(link.xdel(key, ids), 'xdel');
    }
  }

  private append(partition: number, refs: EntryRef[]): void {
    const args: string[] = [this.group, this.consumer, String(this.maxStreamLength)];
    for (const ref of refs) {
      ref.state = Persisted.Writing;
      args.push(ref.clientId, ref.line, ref.eventId ?? '');
    }
    const link = this.link;
    if (link === undefined) {
      for (const ref of refs) ref.state = Persisted.MemoryOnly;
      this.events.memoryOnly(refs.length, 'not connected');
      return;
    }
    this.inFlight += 1;
    link.evalsha(enqueueScript, [this.keys.partition(partition)], args).then(
      (reply) => {
        const ids = Array.isArray(reply) ? reply : [];
        let full = 0;
        refs.forEach((ref, i) => {
          const id = ids[i];
          if (typeof id !== 'string' && !Buffer.isBuffer(id)) {
            full += 1;
            if (ref.state === Persisted.Writing) ref.state = ref.releaseOnStore ? Persisted.Done : Persisted.MemoryOnly;
            return;
          }
          ref.entryId = String(id);
          ref.state = Persisted.Stored;
          if (ref.releaseOnStore) this.release(ref);
        });
        if (full > 0) this.events.memoryOnly(full, 'full');
        this.landed();
      },
      (error: unknown) => {
        for (const ref of refs) ref.state = ref.releaseOnStore ? Persisted.Done : Persisted.MemoryOnly;
        this.events.memoryOnly(refs.length, (error as Error).message);
        this.landed();
      },
    );
  }

  private track(work: Promise<unknown>, what: string): void {
    this.inFlight += 1;
    work.then(
      () => this.landed(),
      (error: unknown) => {
        this.events.failed(what, error);
        this.landed();
      },
    );
  }

  private landed(): void {
    this.inFlight -= 1;
    if (this.inFlight > 0 || this.scheduled) return;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}
