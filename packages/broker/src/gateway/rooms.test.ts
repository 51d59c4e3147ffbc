// Rooms tell when a room gets its first member and loses its last: what a cluster subscribes by.
import { describe, expect, it } from 'vitest';
import { Rooms, type RoomMember } from './rooms.js';

describe('Rooms lifecycle', () => {
  it('opens a room on its first member and closes it on its last, once each', () => {
    const events: string[] = [];
    const rooms = new Rooms<RoomMember>({ opened: (r) => events.push(`open ${r}`), closed: (r) => events.push(`close ${r}`) });
    const a: RoomMember = { rooms: [] };
    const b: RoomMember = { rooms: [] };
    rooms.join(a, 'x');
    rooms.join(b, 'x');
    rooms.join(a, 'x');
    rooms.join(a, 'y');
    rooms.leave(a, 'x');
    expect(events).toEqual(['open x', 'open y']);
    rooms.leaveAll(b);
    rooms.leaveAll(a);
    rooms.leave(a, 'y');
    expect(events).toEqual(['open x', 'open y', 'close x', 'close y']);
    expect(rooms.size).toBe(0);
  });

  it('gives members alone in a room one shared list, and each member its own once it is in several', () => {
    const rooms = new Rooms<RoomMember>();
    const a: RoomMember = { rooms: [] };
    const b: RoomMember = { rooms: [] };
    rooms.join(a, 'x');
    rooms.join(b, 'x');
    expect(a.rooms).toEqual(['x']);
    expect(a.rooms).toBe(b.rooms);
    expect(Object.isFrozen(a.rooms)).toBe(true);
    rooms.join(a, 'y');
    expect(a.rooms).toEqual(['x', 'y']);
    expect(b.rooms).toEqual(['x']);
    rooms.leave(a, 'x');
    expect(a.rooms).toEqual(['y']);
    rooms.leave(a, 'y');
    expect(a.rooms).toEqual([]);
    expect(rooms.members('y')).toBeUndefined();
    expect([...(rooms.members('x') ?? [])]).toEqual([b]);
  });
});
