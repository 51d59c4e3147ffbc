// Room membership: room id -> members, and each member's own set of rooms (a client may be in several).

/**
 * Anything that can be in a room. Its own list of rooms is an exact-size array replaced on each
 * change: almost every member is in one room, and a Set per member would cost ~100 bytes more
 * for each idle connection.
 */
export interface RoomMember {
  rooms: readonly string[];
}

const NO_ROOMS: readonly string[] = [];

/** Told when a room gets its first member or loses its last. */
export interface RoomLifecycle {
  opened(roomId: string): void;
  closed(roomId: string): void;
}

const SILENT: RoomLifecycle = { opened: () => undefined, closed: () => undefined };

/** Keeps both directions of membership in step; empty rooms are forgotten. */
export class Rooms<M extends RoomMember> {
  private readonly byId = new Map<string, Set<M>>();

  constructor(private readonly lifecycle: RoomLifecycle = SILENT) {}

  /** Number of non-empty rooms. */
  get size(): number {
    return this.byId.size;
  }

  /** Members of a room (empty when the room does not exist). Do not mutate. */
  members(roomId: string): ReadonlySet<M> | undefined {
    return this.byId.get(roomId);
  }

  /** Adds a member to a room; returns false when it was already there. */
  join(member: M, roomId: string): boolean {
    let set = this.byId.get(roomId);
    const opened = set === undefined;
    if (set === undefined) {
      set = new Set();
      this.byId.set(roomId, set);
    } else if (set.has(member)) {
      return false;
    }
    set.add(member);
    member.rooms = member.rooms.concat(roomId);
    if (opened) this.lifecycle.opened(roomId);
    return true;
  }

  /** Removes a member from a room; returns false when it was not there. */
  leave(member: M, roomId: string): boolean {
    const set = this.byId.get(roomId);
    if (set === undefined || !set.delete(member)) return false;
    member.rooms = member.rooms.filter((id) => id !== roomId);
    if (set.size === 0) this.forget(roomId);
    return true;
  }

  /** Removes a member from every room it is in. */
  leaveAll(member: M): void {
    for (const roomId of member.rooms) {
      const set = this.byId.get(roomId);
      if (set === undefined) continue;
      set.delete(member);
      if (set.size === 0) this.forget(roomId);
    }
    member.rooms = NO_ROOMS;
  }

  private forget(roomId: string): void {
    this.byId.delete(roomId);
    this.lifecycle.closed(roomId);
  }
}
