// The client side of sessions: the URL of each socket, and the broker's envelopes read.
import { describe, expect, it } from 'vitest';
import { Session } from './session.js';

const pub = (offset: number, data: string, epoch = 'e1', room = 'r') => JSON.stringify({ strands: 'pub', room, offset, epoch, data });

describe('Session', () => {
  it('asks for a session, then resumes with its token and recovers each room from its last position', () => {
    const s = new Session();
    expect(s.url('ws://b/ws/r')).toBe('ws://b/ws/r?strands_session=1');
    expect(s.read(JSON.stringify({ strands: 'session', client_id: 'c', token: 't.1.x', resumed: false, expires_in_ms: 1 }), true)).toEqual({
      event: 'session',
      payload: { clientId: 'c', resumed: false },
    });
    expect(s.read(pub(4, 'hi'), false)).toEqual({ message: 'hi' });
    const next = new URL(s.url('ws://b/ws/r?name=ada'));
    expect(next.searchParams.get('name')).toBe('ada');
    expect(next.searchParams.get('strands_resume')).toBe('t.1.x');
    expect(JSON.parse(next.searchParams.get('strands_recover')!)).toEqual([['r', 4, 'e1']]);
  });

  it('keeps the newest token: a later session envelope (a refresh, or new rooms listed) replaces it without an event', () => {
    const s = new Session();
    s.read(JSON.stringify({ strands: 'session', client_id: 'c', token: 'old', resumed: false, expires_in_ms: 1 }), true);
    expect(s.read(JSON.stringify({ strands: 'session', client_id: 'c', token: 'newer', resumed: false, expires_in_ms: 1 }), false)).toBeNull();
    expect(new URL(s.url('ws://b/ws/r')).searchParams.get('strands_resume')).toBe('newer');
  });

  it('drops a message it saw already, passes ordinary messages and decodes bytes', () => {
    const s = new Session();
    expect(s.read(pub(1, 'a'), false)).toEqual({ message: 'a' });
    expect(s.read(pub(1, 'a'), false)).toBeNull();
    expect(s.read(pub(1, 'new epoch', 'e2'), false)).toEqual({ message: 'new epoch' });
    expect(s.read('hello', false)).toBeUndefined();
    expect(s.read('{"strands":"response","id":1}', false)).toBeUndefined();
    const bytes = s.read(JSON.stringify({ strands: 'pub', room: 'r', offset: 2, epoch: 'e2', data: 'AAH/', binary: true }), false);
    expect(bytes !== null && bytes !== undefined && 'message' in bytes && [...new Uint8Array(bytes.message as ArrayBuffer)]).toEqual([0, 1, 255]);
    expect(s.read(JSON.stringify({ strands: 'unrecoverable', room: 'q', offset: 9, epoch: 'e9', reason: 'trimmed' }), false)).toEqual({
      event: 'recovery_failed',
      payload: { room: 'q', reason: 'trimmed' },
    });
    // From there on it recovers from the room's position as the broker gave it.
    expect(JSON.parse(new URL(s.url('ws://b/x')).searchParams.get('strands_recover')!)).toContainEqual(['q', 9, 'e9']);
  });
});
