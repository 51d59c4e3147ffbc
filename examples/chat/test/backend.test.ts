// The chat backend behind a real broker, driven by raw `ws` clients: rooms, history, DMs,
// announcements, typing, join and leave, error replies, rejections and the contract's routes.
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ChatLine, RoomMembers, ServerMessage } from '../src/messages.js';
import { ADMIN_TOKEN, startChatStack, type ChatStack } from './support/stack.js';
import { connectClient, roomUrl, type TestClient } from './support/ws-client.js';

let stack: ChatStack;
const clients: TestClient[] = [];

beforeEach(async () => {
  stack = await startChatStack({ backend: { historySize: 3 } });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await stack.stop();
});

async function join(name: string, room = 'room1', query: Record<string, string> = {}): Promise<TestClient> {
  const client = await connectClient(roomUrl(stack.wsUrl, room, { name, ...query }));
  clients.push(client);
  return client;
}

const chat = (text: string) => ({ type: 'chat', text });
const isChat = (text: string) => (m: ServerMessage) => m.type === 'chat' && m.text === text;

describe('rooms and history', () => {
  it('delivers room messages to the room only, /room1 and /ws/room1 alike', async () => {
    const alice = await join('alice');
    const bob = await connectClient(`${stack.wsUrl}/room1?name=bob`);
    clients.push(bob);
    const carol = await join('carol', 'room2');
    alice.send(chat('hello room1'));
    const got = await bob.waitFor<ChatLine>(isChat('hello room1'));
    expect(got).toMatchObject({ room: 'room1', from: { name: 'alice', role: 'member' } });
    await alice.waitFor(isChat('hello room1'));
    carol.send(chat('hello room2'));
    await carol.waitFor(isChat('hello room2'));
    bob.send(chat('marker'));
    await alice.waitFor(isChat('marker'));
    expect(alice.received.some(isChat('hello room2'))).toBe(false);
    expect(carol.received.some(isChat('hello room1'))).toBe(false);
  });

  it('puts a client with no room in the lobby', async () => {
    const client = await connectClient(`${stack.wsUrl}/?name=lobbyist`);
    clients.push(client);
    expect(client.received[0]).toMatchObject({ type: 'history', room: 'lobby', you: { name: 'lobbyist' } });
  });

  it('sends each newcomer the room\'s last messages (historySize), oldest first', async () => {
    const alice = await join('alice');
    for (const text of ['one', 'two', 'three', 'four']) alice.send(chat(text));
    await alice.waitFor(isChat('four'));
    const bob = await join('bob');
    const history = bob.received[0]!;
    expect(history.type).toBe('history');
    if (history.type !== 'history') return;
    expect(history.you).toMatchObject({ name: 'bob', role: 'member' });
    expect(history.messages.map((m) => m.text)).toEqual(['two', 'three', 'four']);
  });

  it('tells the room when someone joins and leaves', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    await alice.waitFor((m) => m.type === 'join' && m.user.name === 'bob');
    await bob.close();
    await alice.waitFor((m) => m.type === 'leave' && m.user.name === 'bob');
  });

  it('relays typing notices to the room', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    alice.send({ type: 'typing' });
    const typing = await bob.waitFor((m) => m.type === 'typing');
    expect(typing).toMatchObject({ room: 'room1', from: { name: 'alice' } });
  });
});

describe('private messages and announcements', () => {
  it('delivers "@name text" to its target and back to its sender only', async () => {
    const alice = await join('alice');
    const bob = await join('bob', 'room2');
    const carol = await join('carol');
    alice.send(chat('@Bob  psst, over here'));
    const dm = await bob.waitFor((m) => m.type === 'dm');
    expect(dm).toMatchObject({ from: { name: 'alice' }, to: { name: 'bob' }, text: 'psst, over here' });
    await alice.waitFor((m) => m.type === 'dm');
    alice.send(chat('after the dm'));
    await carol.waitFor(isChat('after the dm'));
    expect(carol.received.some((m) => m.type === 'dm')).toBe(false);
  });

  it('answers a DM to nobody, or without text, with an error', async () => {
    const alice = await join('alice');
    alice.send(chat('@nobody hi'));
    expect(await alice.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'no_such_user' });
    alice.send(chat('@alice'));
    await alice.waitFor((m) => m.type === 'error' && m.code === 'bad_message' && m.message.includes('@name text'));
  });

  it('lets admins /announce to every room, and refuses everyone else', async () => {
    const admin = await connectClient(roomUrl(stack.wsUrl, 'ops', { name: 'root' }), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    clients.push(admin);
    expect(admin.received[0]).toMatchObject({ type: 'history', you: { name: 'root', role: 'admin' } });
    const alice = await join('alice');
    alice.send(chat('/announce I am in charge'));
    expect(await alice.waitFor((m) => m.type === 'error')).toMatchObject({ code: 'forbidden' });
    admin.send(chat('/announce maintenance at noon'));
    const announce = await alice.waitFor((m) => m.type === 'announce');
    expect(announce).toMatchObject({ text: 'maintenance at noon', from: { name: 'root', role: 'admin' } });
    expect(alice.received.filter((m) => m.type === 'announce')).toHaveLength(1);
    alice.send(chat('/shout hi'));
    expect(await alice.waitFor((m) => m.type === 'error' && m.code === 'unknown_command')).toBeDefined();
  });
});

describe('malformed messages', () => {
  it('answers the sender with a clear error and nothing else happens', async () => {
    const alice = await join('alice');
    const bob = await join('bob');
    const errors: { send: unknown; code: string; says: RegExp }[] = [
      { send: 'not json', code: 'bad_json', says: /must be JSON/ },
      { send: { type: 'shout', text: 'x' }, code: 'unknown_type', says: /"type" must be one of chat, typing \(got "shout"\)/ },
      { send: [1, 2], code: 'unknown_type', says: /got nothing/ },
      { send: { type: 'chat' }, code: 'bad_message', says: /invalid chat message: text/ },
      { send: { type: 'chat', text: '   ' }, code: 'bad_message', says: /text/ },
      { send: { type: 'chat', text: 'x'.repeat(2001) }, code: 'bad_message', says: /text/ },
    ];
    for (const [index, { send, code, says }] of errors.entries()) {
      alice.send(send);
      await alice.waitFor(() => alice.received.filter((m) => m.type === 'error').length > index);
      const error = alice.received.filter((m) => m.type === 'error')[index]!;
      expect(error).toMatchObject({ code });
      expect(error.type === 'error' && error.message).toMatch(says);
    }
    alice.ws.send(Buffer.from('binary'), { binary: true });
    await alice.waitFor((m) => m.type === 'error' && m.message.includes('binary'));
    alice.send(chat('still here'));
    await bob.waitFor(isChat('still here'));
    expect(bob.received.filter((m) => m.type === 'error' || m.type === 'chat')).toHaveLength(1);
  });
});

describe('admission', () => {
  /** Opens a raw connection expected to be refused; returns how. */
  async function refused(url: string, protocols: string[] = [], headers: Record<string, string> = {}) {
    const ws = new WebSocket(url, protocols, { headers });
    const outcome = await Promise.race([
      once(ws, 'unexpected-response').then(async ([, res]) => {
        const response = res as IncomingMessage;
        let body = '';
        for await (const chunk of response) body += String(chunk);
        return { status: response.statusCode, body };
      }),
      once(ws, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) })),
    ]);
    ws.terminate();
    return outcome;
  }

  it('refuses a bad token with its reason: a close code for strands.v1 clients, an HTTP status for others', async () => {
    expect(await refused(roomUrl(stack.wsUrl, 'room1', { name: 'mallory', token: 'guess' }), ['strands.v1'])).toEqual({
      code: 4401,
      reason: 'invalid token',
    });
    const http = await refused(`${stack.wsUrl}/ws/room1?name=mallory`, [], { authorization: 'Bearer guess' });
    expect(http).toMatchObject({ status: 401 });
    expect((http as { body: string }).body).toContain('invalid token');
  });

  it('refuses a taken name and a bad name', async () => {
    await join('alice');
    expect(await refused(roomUrl(stack.wsUrl, 'room2', { name: 'ALICE', id: 'other' }), ['strands.v1'])).toEqual({
      code: 4409,
      reason: 'the name "ALICE" is taken',
    });
    const bad = await refused(roomUrl(stack.wsUrl, 'room1', { name: 'two words' }), ['strands.v1']);
    expect(bad).toMatchObject({ code: 4400 });
  });

  it('takes the id and name from headers when the query has none', async () => {
    const client = await connectClient(`${stack.wsUrl}/ws/room1`, { headers: { 'x-client-id': 'dev-42', 'x-name': 'headers' } });
    clients.push(client);
    expect(client.received[0]).toMatchObject({ type: 'history', you: { id: 'dev-42', name: 'headers', role: 'member' } });
  });
});

describe('routes of the contract', () => {
  it('answers room.who with the room\'s members', async () => {
    const alice = await join('alice');
    await join('bob');
    await join('carol', 'elsewhere');
    alice.send({ strands: 'request', id: 'who-1', route: 'room.who', data: {} });
    const reply = await waitForEnvelope(alice, 'who-1');
    expect(reply).toMatchObject({ strands: 'response', data: { room: 'room1' } });
    expect((reply.data as RoomMembers).members.map((m) => m.name)).toEqual(['alice', 'bob']);
    alice.send({ strands: 'request', id: 'who-2', route: 'room.who', data: { room: 'elsewhere' } });
    expect(((await waitForEnvelope(alice, 'who-2')).data as RoomMembers).members.map((m) => m.name)).toEqual(['carol']);
  });

  it('streams room.presence: the members now, then after each join and leave', async () => {
    const alice = await join('alice');
    alice.send({ strands: 'stream', id: 'p', route: 'room.presence', data: {}, n: 10 });
    const names = (nth: number) => waitForEnvelope(alice, 'p', nth).then((e) => (e.data as RoomMembers).members.map((m) => m.name));
    expect(await names(1)).toEqual(['alice']);
    const bob = await join('bob');
    expect(await names(2)).toEqual(['alice', 'bob']);
    await bob.close();
    expect(await names(3)).toEqual(['alice']);
  });
});

/** Waits for the nth envelope with `id` (envelopes are not ServerMessages, so read them raw). */
async function waitForEnvelope(client: TestClient, id: string, nth = 1): Promise<{ strands: string; data: unknown }> {
  const envelopes = () => (client.received as unknown as { strands?: string; id?: string; data: unknown }[]).filter((m) => m.id === id && m.strands !== undefined);
  await client.waitFor(() => envelopes().length >= nth);
  return envelopes()[nth - 1] as { strands: string; data: unknown };
}
