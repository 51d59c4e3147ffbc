// The room a request path names, as both examples read it.
import { describe, expect, it } from 'vitest';
import { roomFromPath } from '../src/room.js';

describe('roomFromPath', () => {
  it('takes the last path segment, with lobby for none', () => {
    expect(roomFromPath('/room1')).toBe('room1');
    expect(roomFromPath('/ws/room1')).toBe('room1');
    expect(roomFromPath('/a/b/room1/')).toBe('room1');
    expect(roomFromPath('/')).toBe('lobby');
    expect(roomFromPath('')).toBe('lobby');
    expect(roomFromPath('/ws/')).toBe('lobby');
    expect(roomFromPath('/room1?x=1')).toBe('room1');
  });
});
