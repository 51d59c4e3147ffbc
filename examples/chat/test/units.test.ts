// The chat's small parts on their own: admission rules, presence counting and watching, history,
// and the command-line reader.
import { describe, expect, it } from 'vitest';
import { readFlags } from '../src/cli.js';
import { RoomHistory } from '../src/history.js';
import { admit } from '../src/identity.js';
import type { ChatLine, User } from '../src/messages.js';
import { resolveBackendOptions, resolveLaunchOptions } from '../src/options.js';
import { Presence } from '../src/presence.js';

function request(path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    path,
    query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
    header: (name: string) => lower[name.toLowerCase()],
  };
}
const nobody = () => undefined;

describe('admit', () => {
  it('reads id, name, role and room from the query, or from headers', () => {
    expect(admit(request('/ws/room1', { id: 'a1', name: 'alice' }), 'tok', nobody)).toEqual({
      accept: true,
      user: { id: 'a1', name: 'alice', role: 'member' },
      room: 'room1',
    });
    expect(admit(request('/', {}, { 'X-Client-Id': 'b1', 'X-Name': 'bob', Authorization: 'Bearer tok' }), 'tok', nobody)).toEqual({
      accept: true,
      user: { id: 'b1', name: 'bob', role: 'admin' },
      room: 'lobby',
    });
  });

  it('makes up an id and a guest name when none is given', () => {
    const admission = admit(request('/room1'), 'tok', nobody);
    expect(admission).toMatchObject({ accept: true, room: 'room1' });
    if (!admission.accept) return;
    expect(admission.user.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(admission.user.name).toBe(`guest-${admission.user.id.slice(0, 4)}`);
  });

  it('refuses a wrong token (401), a bad id or name (400), and a name someone else holds (409)', () => {
    expect(admit(request('/r', { name: 'x', token: 'nope' }), 'tok', nobody)).toEqual({ accept: false, status: 401, reason: 'invalid token' });
    expect(admit(request('/r', { id: 'a b' }), 'tok', nobody)).toMatchObject({ accept: false, status: 400 });
    expect(admit(request('/r', { name: 'a'.repeat(25) }), 'tok', nobody)).toMatchObject({ accept: false, status: 400 });
    expect(admit(request('/r', { id: 'me', name: 'alice' }), 'tok', () => 'someone-else')).toEqual({
      accept: false,
      status: 409,
      reason: 'the name "alice" is taken',
    });
    // The holder itself (a reconnect with the same id) is welcome.
    expect(admit(request('/r', { id: 'me', name: 'alice' }), 'tok', () => 'me')).toMatchObject({ accept: true });
  });
});

describe('Presence', () => {
  const alice: User = { id: 'a', name: 'Alice', role: 'member' };
  const bob: User = { id: 'b', name: 'bob', role: 'admin' };

  it('counts connections, so a reconnect that overlaps its old connection is no leave', () => {
    const presence = new Presence();
    expect(presence.add('r', alice)).toBe(true);
    expect(presence.add('r', alice)).toBe(false);
    expect(presence.remove('r', 'a')).toBe(false);
    expect(presence.members('r').members).toEqual([alice]);
    expect(presence.remove('r', 'a')).toBe(true);
    expect(presence.members('r').members).toEqual([]);
    expect(presence.remove('r', 'a')).toBe(false);
  });

  it('finds people by name in any room, ignoring case', () => {
    const presence = new Presence();
    presence.add('r1', alice);
    presence.add('r2', bob);
    expect(presence.findByName('alice')).toEqual(alice);
    expect(presence.findByName('BOB')).toEqual(bob);
    expect(presence.findByName('carol')).toBeUndefined();
  });

  it('watches a room: the list now, the latest list after changes, and stops on abort', async () => {
    const presence = new Presence();
    presence.add('r', alice);
    const controller = new AbortController();
    const watch = presence.watch('r', controller.signal);
    expect((await watch.next()).value).toEqual({ room: 'r', members: [alice] });
    presence.add('r', bob);
    presence.add('other', { id: 'c', name: 'carol', role: 'member' });
    presence.remove('r', 'a');
    // Two changes while nobody read: one item, the latest.
    expect((await watch.next()).value).toEqual({ room: 'r', members: [bob] });
    const pending = watch.next();
    controller.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});

describe('RoomHistory', () => {
  const line = (room: string, text: string): ChatLine => ({ type: 'chat', id: text, room, from: { id: 'a', name: 'a', role: 'member' }, text, at: 0 });

  it('keeps the last `size` lines per room, oldest first', () => {
    const history = new RoomHistory(2);
    for (const text of ['1', '2', '3']) history.add(line('r', text));
    history.add(line('s', 'x'));
    expect(history.recent('r').map((l) => l.text)).toEqual(['2', '3']);
    expect(history.recent('s').map((l) => l.text)).toEqual(['x']);
    expect(history.recent('none')).toEqual([]);
    const none = new RoomHistory(0);
    none.add(line('r', '1'));
    expect(none.recent('r')).toEqual([]);
  });
});

describe('options and flags', () => {
  it('reads --kebab-case flags, falls back to the environment, and refuses bad values', () => {
    const specs = { port: { kind: 'integer', env: 'PORT' }, adminToken: 'string' } as const;
    expect(readFlags(specs, ['--port', '0', '--admin-token', 's3cret'])).toEqual({ port: 0, adminToken: 's3cret' });
    expect(readFlags(specs, [], { PORT: '4000' })).toEqual({ port: 4000 });
    expect(readFlags(specs, ['--port', '5000'], { PORT: '4000' })).toEqual({ port: 5000 });
    expect(() => readFlags(specs, ['--port', '8o'])).toThrow(/--port: expected a non-negative integer/);
    expect(() => readFlags(specs, [], { PORT: 'x' })).toThrow(/PORT: expected a non-negative integer/);
    expect(() => readFlags(specs, ['--nope'])).toThrow(/nope/);
  });

  it('resolves defaults and refuses impossible values', () => {
    expect(resolveBackendOptions()).toEqual({ broker: '127.0.0.1:8081', adminToken: 'admin', historySize: 50, logLevel: 'warn' });
    expect(resolveLaunchOptions()).toEqual({ wsPort: 8080, tcpPort: 8081, port: 3000, host: '127.0.0.1', adminToken: 'admin', cluster: false });
    expect(() => resolveBackendOptions({ broker: 'localhost' })).toThrow(/expected host:port/);
    expect(() => resolveBackendOptions({ adminToken: '' })).toThrow(/adminToken/);
    expect(() => resolveLaunchOptions({ port: 70000 })).toThrow(/not a port/);
  });
});
