// Who is where, from the backend's own connect and disconnect events (so it works with any
// broker), and live views of a room for the `room.presence` stream.
import type { RoomMembers, User } from './messages.js';

interface Entry {
  user: User;
  room: string;
  /**
   * Connections of this client in this room. A reconnecting client (same id) may be announced
   * before its old connection is reported gone; counting keeps it present throughout.
   */
  connections: number;
}

type Watcher = (members: RoomMembers) => void;

/** Members per room, counted per connection, with watchers for `room.presence`. */
export class Presence {
  private readonly entries = new Map<string, Entry>();
  private readonly watchers = new Map<string, Set<Watcher>>();

  /** Records a connection; true when the user was not in the room before (a join). */
  add(room: string, user: User): boolean {
    const key = keyOf(room, user.id);
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      entry.connections += 1;
      entry.user = user;
      return false;
    }
    this.entries.set(key, { user, room, connections: 1 });
    this.changed(room);
    return true;
  }

  /** Records a disconnection; true when it was the user's last connection in the room (a leave). */
  remove(room: string, userId: string): boolean {
    const key = keyOf(room, userId);
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    entry.connections -= 1;
    if (entry.connections > 0) return false;
    this.entries.delete(key);
    this.changed(room);
    return true;
  }

  /** The room's members, sorted by name. */
  members(room: string): RoomMembers {
    const members: User[] = [];
    for (const entry of this.entries.values()) if (entry.room === room) members.push(entry.user);
    members.sort((a, b) => a.name.localeCompare(b.name));
    return { room, members };
  }

  /** The connected user called `name` (case-insensitive), in any room. */
  findByName(name: string): User | undefined {
    const wanted = name.toLowerCase();
    for (const entry of this.entries.values()) if (entry.user.name.toLowerCase() === wanted) return entry.user;
    return undefined;
  }

  /**
   * The room's member list now, then after every change, until `signal` aborts. Changes that
   * come faster than the consumer reads collapse into the latest list.
   */
  async *watch(room: string, signal: AbortSignal): AsyncGenerator<RoomMembers> {
    let latest: RoomMembers | undefined = this.members(room);
    let wake: (() => void) | undefined;
    const watcher: Watcher = (members) => {
      latest = members;
      wake?.();
    };
    const onAbort = (): void => wake?.();
    let set = this.watchers.get(room);
    if (set === undefined) this.watchers.set(room, (set = new Set()));
    set.add(watcher);
    signal.addEventListener('abort', onAbort);
    try {
      while (!signal.aborted) {
        if (latest === undefined) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const next: RoomMembers = latest;
        latest = undefined;
        yield next;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      set.delete(watcher);
      if (set.size === 0) this.watchers.delete(room);
    }
  }

  private changed(room: string): void {
    const set = this.watchers.get(room);
    if (set === undefined) return;
    const members = this.members(room);
    for (const watcher of set) watcher(members);
  }
}

function keyOf(room: string, userId: string): string {
  return `${room}\u0000${userId}`;
}
