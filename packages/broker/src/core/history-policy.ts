// Which rooms keep history, and how much: name patterns from the options, and single rooms set by backends.
import type { HistoryLimits } from './history-store.js';

/** Results of pattern matching kept per room name, forgotten past this many (a cache, not a record). */
const MAX_CACHED_NAMES = 10_000;

/** `*` matches any run of characters; everything else is literal. */
function globToRegExp(pattern: string): RegExp {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`);
}

/**
 * Answers `limitsFor(room)` once per room message: a room without history costs one Map lookup.
 * A backend's `set_room_history` overrides the patterns for that room (size 0: no history).
 */
export class HistoryPolicy {
  private readonly patterns: readonly RegExp[];
  private readonly byRoom = new Map<string, HistoryLimits | null>();
  private readonly cache = new Map<string, HistoryLimits | null>();

  constructor(
    patterns: readonly string[],
    private readonly defaults: HistoryLimits,
    /** Rooms a backend may set apart from the patterns (memory bound). */
    private readonly maxRooms: number,
  ) {
    this.patterns = patterns.map(globToRegExp);
  }

  /** True when no room can have history (no pattern, nothing set): the broker skips history entirely. */
  get off(): boolean {
    return this.patterns.length === 0 && this.byRoom.size === 0;
  }

  limitsFor(roomId: string): HistoryLimits | undefined {
    const set = this.byRoom.get(roomId);
    if (set !== undefined) return set ?? undefined;
    let found = this.cache.get(roomId);
    if (found === undefined) {
      found = this.patterns.some((p) => p.test(roomId)) ? this.defaults : null;
      if (this.cache.size >= MAX_CACHED_NAMES) this.cache.clear();
      this.cache.set(roomId, found);
    }
    return found ?? undefined;
  }

  /**
   * A backend's setting for one room: keep `size` messages (0: none) for `ttlMs` (default: the
   * broker's). False when too many rooms are set apart already.
   */
  set(roomId: string, size: number, ttlMs: number | undefined): boolean {
    if (!this.byRoom.has(roomId) && this.byRoom.size >= this.maxRooms) return false;
    this.byRoom.set(roomId, size === 0 ? null : { size, bytes: this.defaults.bytes, ttlMs: ttlMs ?? this.defaults.ttlMs });
    return true;
  }
}
