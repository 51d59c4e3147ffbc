// Rooms' histories in this broker's memory: bounded per room (count, bytes, age) and in rooms.
import { randomBytes } from 'node:crypto';
import type { HistoryLimits, HistoryPosition, HistoryStore, Publication, SinceResult } from './history-store.js';

interface Entry extends Publication {
  bytes: number;
  at: number;
}

/** One room's log: entries in offset order, from `head` on (a moving start avoids shifting the array). */
interface RoomLog {
  epoch: string;
  top: number;
  entries: Entry[];
  head: number;
  bytes: number;
  /** The time to live it was last trimmed with, so reads honour it too. */
  ttlMs: number;
}

/** Epochs unique across rooms and broker runs: a random prefix per store, then a counter. */
function epochs(): () => string {
  const prefix = randomBytes(4).toString('hex');
  let n = 0;
  return () => `${prefix}${(n++).toString(36)}`;
}

/**
 * Keeps at most `maxRooms` rooms' logs (the room written longest ago is forgotten first, and
 * starts a new epoch when written again); each log holds what its limits allow.
 */
export class MemoryHistoryStore implements HistoryStore {
  private readonly logs = new Map<string, RoomLog>();
  private readonly nextEpoch = epochs();

  constructor(private readonly maxRooms: number) {}

  /** Rooms with a log now. */
  get rooms(): number {
    return this.logs.size;
  }

  append(roomId: string, message: string, binary: boolean, limits: HistoryLimits, now: number): HistoryPosition {
    const log = this.log(roomId, true);
    // Most recently written last: Map order is the eviction order.
    this.logs.delete(roomId);
    this.logs.set(roomId, log);
    log.top += 1;
    // UTF-8 bytes, the unit the Redis stream of cluster mode counts too (Lua's # of what Redis holds).
    const bytes = Buffer.byteLength(message, 'utf8');
    log.entries.push({ offset: log.top, message, binary, bytes, at: now });
    log.bytes += bytes;
    trim(log, limits, now);
    return { offset: log.top, epoch: log.epoch };
  }

  position(roomId: string): HistoryPosition {
    const log = this.log(roomId, true);
    return { offset: log.top, epoch: log.epoch };
  }

  since(roomId: string, offset: number, epoch: string, max: number, now: number): SinceResult {
    const log = this.log(roomId, true);
    const position = { offset: log.top, epoch: log.epoch };
    if (epoch !== log.epoch || offset > log.top) return { ok: false, position, reason: 'epoch' };
    const missed = log.top - offset;
    if (missed === 0) return { ok: true, position, publications: [] };
    if (missed > max) return { ok: false, position, reason: 'too_many' };
    const first = log.entries[log.head];
    // Entries past their time to live count as gone even before the next append trims them.
    if (first === undefined || first.offset > offset + 1 || expiredAt(log, offset + 1, now)) return { ok: false, position, reason: 'trimmed' };
    const start = log.head + (offset + 1 - first.offset);
    return { ok: true, position, publications: log.entries.slice(start).map(publication) };
  }

  read(roomId: string, since: number | undefined, limit: number, now: number): { position: HistoryPosition; publications: Publication[] } {
    const log = this.logs.get(roomId);
    // Nothing kept: no log is made for it (a read must not cost memory); '' is no epoch yet.
    if (log === undefined) return { position: { offset: 0, epoch: '' }, publications: [] };
    const live: Entry[] = [];
    for (let i = log.head; i < log.entries.length; i++) {
      const entry = log.entries[i] as Entry;
      if (now - entry.at <= log.ttlMs && (since === undefined || entry.offset > since)) live.push(entry);
    }
    const chosen = since === undefined ? live.slice(-limit) : live.slice(0, limit);
    return { position: { offset: log.top, epoch: log.epoch }, publications: chosen.map(publication) };
  }

  drop(roomId: string): void {
    this.logs.delete(roomId);
  }

  private log(roomId: string, create: boolean): RoomLog {
    let log = this.logs.get(roomId);
    if (log === undefined && create) {
      if (this.logs.size >= this.maxRooms) {
        const oldest = this.logs.keys().next().value;
        if (oldest !== undefined) this.logs.delete(oldest);
      }
      log = { epoch: this.nextEpoch(), top: 0, entries: [], head: 0, bytes: 0, ttlMs: Infinity };
      this.logs.set(roomId, log);
    }
    return log as RoomLog;
  }
}

function expiredAt(log: RoomLog, offset: number, now: number): boolean {
  const first = log.entries[log.head] as Entry;
  const entry = log.entries[log.head + (offset - first.offset)];
  return entry === undefined ? false : now - entry.at > log.ttlMs;
}

/** Drops what the limits no longer allow, oldest first; compacts the array once half of it is dead. */
function trim(log: RoomLog, limits: HistoryLimits, now: number): void {
  log.ttlMs = limits.ttlMs;
  const entries = log.entries;
  while (log.head < entries.length) {
    const oldest = entries[log.head] as Entry;
    const count = entries.length - log.head;
    if (count <= limits.size && log.bytes <= limits.bytes && now - oldest.at <= limits.ttlMs) break;
    log.bytes -= oldest.bytes;
    entries[log.head] = undefined as unknown as Entry;
    log.head += 1;
  }
  if (log.head > 32 && log.head * 2 > entries.length) {
    log.entries = entries.slice(log.head);
    log.head = 0;
  }
}

function publication(entry: Entry): Publication {
  return { offset: entry.offset, message: entry.message, binary: entry.binary };
}
