// The HistoryStore port: where the last messages of rooms with history are kept, each with its offset.
/** Where a room's history stands: the offset of its latest message (0: none yet) and its epoch. */
export interface HistoryPosition {
  offset: number;
  /** Changes whenever the history was lost (a restart without Redis, eviction): offsets restart. */
  epoch: string;
}

/** One message kept in a room's history. */
export interface Publication {
  offset: number;
  message: string;
  binary: boolean;
}

/** How much of one room's history is kept. */
export interface HistoryLimits {
  /** Messages kept (the oldest go first). */
  size: number;
  /** Bytes of messages kept (UTF-8 bytes of their text; a binary message's base64 text). */
  bytes: number;
  /** How long a message is kept, in ms. */
  ttlMs: number;
}

/** Why what a client missed cannot be replayed. */
export type LostReason = 'epoch' | 'trimmed' | 'too_many';

/** The answer to `since`: the messages after an offset, in order, or why they cannot all be had. */
export type SinceResult =
  | { ok: true; position: HistoryPosition; publications: Publication[] }
  | { ok: false; position: HistoryPosition; reason: LostReason };

/**
 * Keeps rooms' histories; `append` gives each message the next offset of its room. Answers at
 * once (the memory store): recovery relies on that to replay and go live with no gap in between.
 */
export interface HistoryStore {
  /** Rooms with a history kept now. */
  readonly rooms: number;
  append(roomId: string, message: string, binary: boolean, limits: HistoryLimits, now: number): HistoryPosition;
  /** Where the room stands now (a room never written gets a fresh epoch and offset 0). */
  position(roomId: string): HistoryPosition;
  /**
   * Everything after `offset` in `epoch`, oldest first, or not ok when part of it is gone
   * (trimmed, expired, another epoch) or it is more than `max` messages: never a partial replay.
   */
  since(roomId: string, offset: number, epoch: string, max: number, now: number): SinceResult;
  /** Up to `limit` messages after `since` (oldest first), or without `since` the latest `limit`. */
  read(roomId: string, since: number | undefined, limit: number, now: number): { position: HistoryPosition; publications: Publication[] };
  /** Forgets a room's history (its offsets go on in a new epoch). */
  drop(roomId: string): void;
}

/** A backend's `set_room_history` for one room: keep `size` messages (0: no history) for `ttlMs` (absent: the broker's default). */
export interface RoomHistorySetting {
  size: number;
  ttlMs?: number;
}

/**
 * History kept outside this broker (cluster mode: Redis, shared by every broker), so its reads
 * answer later; the backplane appends to it as it publishes (`Backplane.toRoomInHistory`).
 */
export interface SharedHistoryStore {
  /** Where the room stands now (a room never written gets its epoch at offset 0). */
  position(roomId: string): Promise<HistoryPosition>;
  /** As `HistoryStore.since`: in full or not at all, at most `max`. */
  since(roomId: string, offset: number, epoch: string, max: number): Promise<SinceResult>;
  read(roomId: string, since: number | undefined, limit: number): Promise<{ position: HistoryPosition; publications: Publication[] }>;
  /**
   * Keeps a room's setting where every broker finds it (also one started later) and tells the
   * other brokers at once; size 0 also drops what the room held (a new epoch when it has history again).
   */
  configure(roomId: string, setting: RoomHistorySetting): Promise<void>;
  /** Gets each setting another broker made, and those kept before this broker started. */
  onConfigured(handler: (roomId: string, setting: RoomHistorySetting) => void): void;
}
