// Which room a connection joins: the last segment of its path, so `/room1` (the PyStrands docs'
// form) and `/ws/room1` (what the PyStrands Go broker serves) are the same room.

/** The room of a bare `/` (or `/ws/`). */
export const DEFAULT_ROOM = 'lobby';

/**
 * The room named by a request path: its last non-empty segment, or `lobby` when there is none.
 * A query string, if one is still attached, is ignored.
 * @example
 * roomFromPath('/ws/room1'); // 'room1'
 * roomFromPath('/'); // 'lobby'
 */
export function roomFromPath(path: string): string {
  const q = path.indexOf('?');
  const segments = (q === -1 ? path : path.slice(0, q)).split('/').filter((s) => s !== '');
  // `/ws` alone is the Go broker's prefix, not a room name.
  const last = segments.at(-1);
  return last === undefined || (segments.length === 1 && last === 'ws') ? DEFAULT_ROOM : last;
}
