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

interface Room<M> {
  readonly members: Set<M>;
  /** `[id]`: the rooms of every member in this room alone (most of them), one array for all. */
  readonly alone: readonly string[];
}

/** Keeps both directions of membership in step; empty rooms are forgotten. */
export class Rooms<M extends RoomMember> {
  private readonly byId = new Map<string, Room<M>>();

  constructor(private readonly lifecycle: RoomLifecycle = SILENT) {}

  /** Number of non-empty rooms. */
  get size(): number {
    return this.byId.size;
  }

  /** Members of a room (empty when the room does not exist). Do not mutate. */
  members(roomId: string): ReadonlySet<M> | undefined {
    return this.byId.get(roomId)?.members;
  }

  /** Adds a member to a room; returns false when it was already there. */
  join(member: M, roomId: string): boolean {
    let room = this.byId.get(roomId);
    const opened = room === undefined;
    if (room === undefined) {
      room = { members: new Set(), alone: Object.freeze([roomId]) };
      this.byId.set(roomId, room);
    } else if (room.members.has(member)) {
      return false;
    }
    room.members.add(member);
    member.rooms = member.rooms.length === 0 ? room.alone : member.rooms.concat(room.alone);
    if (opened) this.lifecycle.opened(roomId);
    return true;
  }

  /** Removes a member from a room; returns false when it was not there. */
  leave(member: M, roomId: string): boolean {
    const room = this.byId.get(roomId);
    if (room === undefined || !room.members.delete(member)) return false;
    member.rooms = member.rooms.length === 1 ? NO_ROOMS : member.rooms.filter((id) => id !== roomId);
    if (room.members.size === 0) this.forget(roomId);
    return true;
  }

  /** Removes a member from every room it is in. */
  leaveAll(member: M): void {
    for (const roomId of member.rooms) {
      const room = this.byId.get(roomId);
      if (room === undefined) continue;
      room.members.delete(member);
      if (room.members.size === 0) this.forget(roomId);
    }
    member.rooms = NO_ROOMS;
  }

  private forget(roomId: string): void {
    this.byId.delete(roomId);
    this.lifecycle.closed(roomId);
  }
}
