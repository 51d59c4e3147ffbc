// The write-behind of the durable queue: appends and releases gathered per event-loop turn and sent
// in order on one connection, one script call per partition and turn.
import type { KeptListener } from '../../core/event-store.js';
import type { RedisLink } from '../redis/redis-link.js';
import { turnScript } from './queue-scripts.js';
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
  /** A confirmed send's: told once the entry is stored, or the event handed out first (see `settle`). */
  kept: KeptListener | undefined;
}

/** What the writer reports (counters and rate-limited logs live with the store). */
export interface WriterEvents {
  /** Events kept in memory only: `why` is 'full' (the stream at maxStreamLength) or the Redis error. */
  memoryOnly(count: number, why: string): void;
  /** A release (XACK/XDEL) or dead-letter write failed; the entry stays pending and comes back after a restart. */
  failed(what: string, error: unknown): void;
}

/** How long releases may wait for a turn's appends to go out with. */
const RELEASE_DELAY_MS = 5;

/** What one call does for one partition. */
interface Slice {
  partition: number;
  ids: string[];
  refs: EntryRef[];
}

export class QueueWriter {
  private gathered = new Map<number, EntryRef[]>();
  private releases = new Map<number, string[]>();
  private scheduled = false;
  private releaseTimer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private readonly flushNow = (): void => this.flush();

  /** Set once connected; before it, nothing is written (events are kept in memory only). */
  link: RedisLink | undefined;
  /** Refs whose `kept` was not called yet: while 0, handing events out looks nothing up. */
  unsettled = 0;

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
    if (ref.kept !== undefined) this.unsettled += 1;
    let batch = this.gathered.get(ref.partition);
    if (batch === undefined) {
      batch = [];
      this.gathered.set(ref.partition, batch);
    }
    batch.push(ref);
    this.schedule();
  }

  /** Tells a confirmed send's listener, once, whether its event is kept (stored, handed out) or lost. */
  settle(ref: EntryRef, kept: boolean): void {
    const listener = ref.kept;
    if (listener === undefined) return;
    ref.kept = undefined;
    this.unsettled -= 1;
    listener(kept);
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
    // No hurry: an event released late is at worst redelivered after a crash. Releases ride along
    // with the next turn's appends, or go on their own after RELEASE_DELAY_MS: half the round trips.
    if (this.releaseTimer === undefined && !this.scheduled) {
      this.releaseTimer = setTimeout(this.flushNow, RELEASE_DELAY_MS);
      this.releaseTimer.unref();
    }
  }

  /** Adds a dead letter to the DLQ stream, trimmed approximately to `kept`. */
  deadLetter(fields: Record<string, string>, kept: number): void {
    if (this.link !== undefined) this.track(this.link.xaddTrimmed(this.keys.deadLetters, kept, fields), 'dead letter');
  }

  /** Resolves once everything given so far has had its reply. */
  async settled(): Promise<void> {
    if (this.scheduled || this.releaseTimer !== undefined) this.flush();
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
    clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    const gathered = this.gathered;
    const releases = this.releases;
    this.gathered = new Map();
    this.releases = new Map();
    let batch: Slice[] = [];
    let size = 0;
    for (const partition of new Set([...gathered.keys(), ...releases.keys()])) {
      const refs = (gathered.get(partition) ?? []).filter((ref) => ref.state === Persisted.Gathered);
      const ids = releases.get(partition) ?? [];
      for (let at = 0; at < Math.max(refs.length, ids.length); at += QUEUE_BATCH) {
        const slice = { partition, ids: ids.slice(at, at + QUEUE_BATCH), refs: refs.slice(at, at + QUEUE_BATCH) };
        // Lua unpacks at most a few thousand values at once: a call carries about QUEUE_BATCH of each.
        if (size + slice.refs.length + slice.ids.length > 2 * QUEUE_BATCH && batch.length > 0) {
          this.turn(batch);
          batch = [];
          size = 0;
        }
        batch.push(slice);
        size += slice.refs.length + slice.ids.length;
      }
    }
    if (batch.length > 0) this.turn(batch);
  }

  /** Releases and appends for several partitions in one call. */
  private turn(slices: Slice[]): void {
    const link = this.link;
    const refs = slices.flatMap((slice) => slice.refs);
    if (link === undefined) {
      for (const ref of refs) ref.state = Persisted.MemoryOnly;
      if (refs.length > 0) this.events.memoryOnly(refs.length, 'not connected');
      return;
    }
    const args: string[] = [this.group, this.consumer, String(this.maxStreamLength)];
    for (const slice of slices) {
      args.push(String(slice.ids.length), String(slice.refs.length), ...slice.ids);
      for (const ref of slice.refs) {
        ref.state = Persisted.Writing;
        args.push(ref.clientId, ref.line, ref.eventId ?? '');
      }
    }
    this.inFlight += 1;
    link.evalsha(turnScript, slices.map((slice) => this.keys.partition(slice.partition)), args).then(
      (reply) => {
        const perKey = Array.isArray(reply) ? reply : [];
        let full = 0;
        slices.forEach((slice, k) => {
          const entryIds = perKey[k];
          slice.refs.forEach((ref, i) => {
            const id = Array.isArray(entryIds) ? entryIds[i] : undefined;
            if (typeof id !== 'string' && !Buffer.isBuffer(id)) {
              full += 1;
              if (ref.state === Persisted.Writing) ref.state = ref.releaseOnStore ? Persisted.Done : Persisted.MemoryOnly;
              return;
            }
            ref.entryId = String(id);
            ref.state = Persisted.Stored;
            if (ref.kept !== undefined) this.settle(ref, true);
            if (ref.releaseOnStore) this.release(ref);
          });
        });
        if (full > 0) this.events.memoryOnly(full, 'full');
        this.landed();
      },
      (error: unknown) => {
        for (const ref of refs) ref.state = ref.releaseOnStore ? Persisted.Done : Persisted.MemoryOnly;
        if (refs.length > 0) this.events.memoryOnly(refs.length, (error as Error).message);
        if (slices.some((slice) => slice.ids.length > 0)) this.events.failed('release', error);
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
