// Room history as the routing core uses it: which rooms keep it, offsets for their messages, reads and recovery.
import type { HistoryLimits, HistoryPosition, HistoryStore, Publication, SharedHistoryStore, SinceResult } from './history-store.js';
import type { HistoryPolicy } from './history-policy.js';

/** What a client asks to recover in one room: the last offset and epoch it saw there. */
export interface RecoveryRequest {
  room: string;
  offset: number;
  epoch: string;
}

/** Counters of /metrics. */
export interface HistoryCounts {
  published: number;
  recovered: number;
  replayed: number;
  unrecoverable: number;
}

/**
 * Ties the policy (which rooms) to the store (what they hold). A room without history costs one
 * Map lookup per message; `off` lets callers skip even that when no room can have history.
 */
export class RoomHistory {
  readonly counts: HistoryCounts = { published: 0, recovered: 0, replayed: 0, unrecoverable: 0 };

  constructor(
    readonly policy: HistoryPolicy,
    private readonly store: HistoryStore,
    /** Messages one room's recovery may replay. */
    readonly maxRecovery: number,
    private readonly now: () => number = Date.now,
    /** Cluster mode: the history every broker shares (the memory store is then unused). */
    readonly shared?: SharedHistoryStore,
  ) {}

  /** How much `roomId` keeps, or undefined when it keeps no history. */
  limitsFor(roomId: string): HistoryLimits | undefined {
    return this.policy.limitsFor(roomId);
  }

  /** Counts a message the backplane appends to the shared history. */
  sharedPublished(): void {
    this.counts.published += 1;
  }

  /** `since` of the shared history (cluster mode), counted alike. */
  async sinceShared(shared: SharedHistoryStore, request: RecoveryRequest): Promise<SinceResult> {
    const result = await shared.since(request.room, request.offset, request.epoch, this.maxRecovery);
    this.count(result);
    return result;
  }

  /** Rooms with a history kept now. */
  get rooms(): number {
    return this.store.rooms;
  }

  /** True when `roomId` keeps history now. */
  has(roomId: string): boolean {
    return this.policy.limitsFor(roomId) !== undefined;
  }

  /** The offset and epoch of a message to `roomId`, or undefined when the room keeps no history. */
  publish(roomId: string, message: string, binary: boolean): HistoryPosition | undefined {
    const limits: HistoryLimits | undefined = this.policy.limitsFor(roomId);
    if (limits === undefined) return undefined;
    this.counts.published += 1;
    return this.store.append(roomId, message, binary, limits, this.now());
  }

  position(roomId: string): HistoryPosition {
    return this.store.position(roomId);
  }

  /** What a client missed in a room since its position, in full or not at all. */
  since(request: RecoveryRequest): SinceResult {
    const result = this.store.since(request.room, request.offset, request.epoch, this.maxRecovery, this.now());
    this.count(result);
    return result;
  }

  private count(result: SinceResult): void {
    if (result.ok) {
      this.counts.recovered += 1;
      this.counts.replayed += result.publications.length;
    } else {
      this.counts.unrecoverable += 1;
    }
  }

  /** `room_history`: after `since` (oldest first) or the latest, at most `limit` (capped at the recovery bound). */
  read(roomId: string, since: number | undefined, limit: number | undefined): { position: HistoryPosition; publications: Publication[] } {
    return this.store.read(roomId, since, Math.min(limit ?? this.maxRecovery, this.maxRecovery), this.now());
  }

  /** `set_room_history`: false when too many rooms are set apart. Turning a room off forgets what it held. */
  configure(roomId: string, size: number, ttlMs: number | undefined): boolean {
    if (!this.policy.set(roomId, size, ttlMs)) return false;
    if (size === 0) this.store.drop(roomId);
    return true;
  }
}
