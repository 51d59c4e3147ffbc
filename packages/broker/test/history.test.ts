// Room history end to end: offsets and epochs, recovery from memory on reconnect, resume tokens, backend commands.
import { afterEach, describe, expect, it } from 'vitest';
import { closeOf, startBroker, waitFor, type Harness, type TestClient, type WireFrame } from './support/harness.js';

let h: Harness;
afterEach(async () => {
  await h?.cleanup();
});

const STRANDS = { protocols: ['strands.v1'] };

interface Envelope {
  strands: string;
  room?: string;
  offset?: number;
  epoch?: string;
  data?: string;
  token?: string;
  client_id?: string;
  resumed?: boolean;
  replayed?: number;
  reason?: string;
}

function envelopes(client: TestClient, from = 0): Envelope[] {
  return client.messages.slice(from).map((m) => JSON.parse(m) as Envelope);
}

function waitEnvelope(client: TestClient, match: (e: Envelope) => boolean, what: string, from = 0): Promise<Envelope> {
  return waitFor(() => envelopes(client, from).find(match), what);
}

/** A client that asks for a session; `extra` adds query params (a resume token, positions). */
function sessionPath(room: string, id: string, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({ id, strands_session: '1', ...extra });
  return `/ws/${room}?${query}`;
}

/** One backend frame as a line, for several in one write. */
function line(action: string, params: Record<string, unknown>): string {
  return `${JSON.stringify({ action, request_id: `l-${action}-${String(params.room_id)}`, params })}\n`;
}

/** Publishes `texts` to a room, in order. */
async function publish(backend: { send(action: string, params: Record<string, unknown>): string }, room: string, texts: string[]): Promise<void> {
  for (const message of texts) backend.send('message_to_room', { room_id: room, message });
}

describe('room history', () => {
  it('gives messages of rooms with history offsets and one epoch; plain clients and other rooms get plain text', async () => {
    h = await startBroker({ historyRooms: ['chat:*'] });
    const backend = await h.backend();
    const s = await h.client(sessionPath('chat:a', 's'), STRANDS);
    const plain = await h.client('/ws/chat:a?id=p', STRANDS);
    const other = await h.client(sessionPath('news', 'o'), STRANDS);
    await waitEnvelope(s, (e) => e.strands === 'position', 'position');
    await publish(backend, 'chat:a', ['m1', 'm2', 'm3']);
    backend.send('message_to_room', { room_id: 'news', message: 'n1' });
    await waitEnvelope(s, (e) => e.data === 'm3', 'm3');
    await plain.waitMessage('m3');
    await other.waitMessage('n1');

    const [session, position, ...pubs] = envelopes(s);
    expect(session).toMatchObject({ strands: 'session', client_id: 's', resumed: false });
    expect(typeof session!.token).toBe('string');
    expect(position).toMatchObject({ strands: 'position', room: 'chat:a', offset: 0 });
    expect(pubs.map((p) => [p.strands, p.room, p.offset, p.data])).toEqual([
      ['pub', 'chat:a', 1, 'm1'],
      ['pub', 'chat:a', 2, 'm2'],
      ['pub', 'chat:a', 3, 'm3'],
    ]);
    expect(new Set(pubs.map((p) => p.epoch))).toEqual(new Set([position!.epoch]));
    expect(plain.messages).toEqual(['m1', 'm2', 'm3']);
    // A room without history: the session client gets its message as is (after its session frame).
    expect(other.messages.slice(1)).toEqual(['n1']);
  });

  it('a client that reconnects within the window resumes its id and rooms and gets what it missed once, in order, then live', async () => {
    h = await startBroker({ historyRooms: ['chat:*'] });
    const backend = await h.backend();
    const first = await h.client(sessionPath('chat:a', 'c1'), STRANDS);
    backend.send('join_room', { conn_id: 'c1', room_id: 'chat:b' });
    await waitEnvelope(first, (e) => e.strands === 'position' && e.room === 'chat:b', 'position in chat:b');
    await publish(backend, 'chat:a', ['a1', 'a2']);
    const seen = await waitEnvelope(first, (e) => e.data === 'a2', 'a2');
    const token = envelopes(first).find((e) => e.strands === 'session')!.token!;
    first.ws.terminate();
    await waitFor(() => backend.of('disconnected').length === 1, 'disconnected');
    await publish(backend, 'chat:a', ['a3', 'a4', 'a5', 'a6', 'a7']);
    backend.send('message_to_room', { room_id: 'chat:b', message: 'b1' });

    const recover = JSON.stringify([['chat:a', seen.offset, seen.epoch]]);
    // The backend answers a new id (as a PyStrands backend would): the token's id is kept.
    const second = await h.client(sessionPath('chat:a', 'someone-new', { strands_resume: token, strands_recover: recover }), STRANDS);
    await waitEnvelope(second, (e) => e.strands === 'recovered', 'recovered');
    await publish(backend, 'chat:a', ['a8']);
    backend.send('message_to_room', { room_id: 'chat:b', message: 'b2' });
    await waitEnvelope(second, (e) => e.data === 'b2', 'b2');

    const got = envelopes(second);
    expect(got[0]).toMatchObject({ strands: 'session', client_id: 'c1', resumed: true });
    const inA = got.filter((e) => e.room === 'chat:a');
    expect(inA.map((e) => (e.strands === 'pub' ? e.data : e.strands))).toEqual(['a3', 'a4', 'a5', 'a6', 'a7', 'recovered', 'a8']);
    expect(inA.find((e) => e.strands === 'recovered')).toMatchObject({ offset: 7, epoch: seen.epoch, replayed: 5 });
    // Its other room came back with the session: b1 was sent while it was away (it asked nothing there), b2 live.
    expect(got.filter((e) => e.room === 'chat:b').map((e) => e.data ?? e.strands)).toEqual(['position', 'b2']);
    const resumed = await backend.waitFrame((f) => f.action === 'new_connection' && f.params.resumed === true, 'resumed new_connection');
    expect(resumed.params.context.client_id).toBe('c1');
    expect(backend.of('new_connection').filter((f: WireFrame) => f.params.resumed === undefined)).toHaveLength(1);
  });

  it('a gap larger than the history gives unrecoverable and no partial replay', async () => {
    h = await startBroker({ historyRooms: ['chat:*'], historySize: 5 });
    const backend = await h.backend();
    const first = await h.client(sessionPath('chat:a', 'c1'), STRANDS);
    await publish(backend, 'chat:a', ['x1']);
    const seen = await waitEnvelope(first, (e) => e.data === 'x1', 'x1');
    const token = envelopes(first).find((e) => e.strands === 'session')!.token!;
    first.ws.terminate();
    await waitFor(() => backend.of('disconnected').length === 1, 'disconnected');
    await publish(backend, 'chat:a', Array.from({ length: 10 }, (_, i) => `y${i}`));
    const recover = JSON.stringify([['chat:a', seen.offset, seen.epoch]]);
    const second = await h.client(sessionPath('chat:a', 'c1', { strands_resume: token, strands_recover: recover }), STRANDS);
    await waitEnvelope(second, (e) => e.strands === 'unrecoverable', 'unrecoverable');
    await publish(backend, 'chat:a', ['live']);
    await waitEnvelope(second, (e) => e.data === 'live', 'live');
    const got = envelopes(second);
    expect(got.map((e) => e.strands)).toEqual(['session', 'unrecoverable', 'pub']);
    expect(got[1]).toMatchObject({ room: 'chat:a', reason: 'trimmed', offset: 11, epoch: seen.epoch });
    expect(got[2]).toMatchObject({ offset: 12, data: 'live' });
  });

  it('another epoch is unrecoverable', async () => {
    h = await startBroker({ historyRooms: ['chat:*'] });
    await h.backend();
    const c = await h.client(sessionPath('chat:a', 'c1', { strands_recover: JSON.stringify([['chat:a', 3, 'an-epoch-of-another-run']]) }), STRANDS);
    const e = await waitEnvelope(c, (x) => x.strands === 'unrecoverable', 'unrecoverable');
    expect(e).toMatchObject({ room: 'chat:a', reason: 'epoch', offset: 0 });
  });

  it('a forged or expired resume token is a new connection', async () => {
    h = await startBroker({ historyRooms: ['chat:*'], resumeWindowMs: 1000 });
    const backend = await h.backend();
    const first = await h.client(sessionPath('chat:a', 'victim'), STRANDS);
    const token = (await waitEnvelope(first, (e) => e.strands === 'session', 'session')).token!;
    first.ws.terminate();
    await waitFor(() => backend.of('disconnected').length === 1, 'disconnected');

    const [id, expiry, mac] = token.split('.') as [string, string, string];
    const forgedMac = `${id}.${expiry}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const otherId = `${Buffer.from('victim-2').toString('base64url')}.${expiry}.${mac}`;
    const later = `${id}.${(parseInt(expiry, 36) + 3_600_000).toString(36)}.${mac}`;
    // The token lists its rooms (['chat:a']) in its MACed part: another list, or none, is a forgery too.
    const [at, rooms] = expiry.split('~') as [string, string];
    expect(JSON.parse(Buffer.from(rooms, 'base64url').toString())).toEqual(['chat:a']);
    const moreRooms = `${id}.${at}~${Buffer.from(JSON.stringify(['chat:a', 'admins'])).toString('base64url')}.${mac}`;
    const noRooms = `${id}.${at}.${mac}`;
    for (const [i, bad] of [forgedMac, otherId, later, 'garbage', moreRooms, noRooms].entries()) {
      const c = await h.client(sessionPath('chat:a', `attacker${i}`, { strands_resume: bad }), STRANDS);
      expect(await waitEnvelope(c, (e) => e.strands === 'session', 'session')).toMatchObject({ client_id: `attacker${i}`, resumed: false });
    }
    // The genuine token, once expired (the window is 1 s), is refused too.
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const late = await h.client(sessionPath('chat:a', 'late', { strands_resume: token }), STRANDS);
    expect(await waitEnvelope(late, (e) => e.strands === 'session', 'session')).toMatchObject({ client_id: 'late', resumed: false });
    expect(backend.of('new_connection').some((f) => f.params.resumed === true)).toBe(false);
    expect(backend.of('new_connection').some((f) => f.params.context.client_id === 'victim' && f !== backend.of('new_connection')[0])).toBe(false);
  });

  it('a client whose rooms change gets one new token per turn listing them; a broker that never saw its session rejoins them', async () => {
    const resumeSecret = 'history-test-resume-secret';
    h = await startBroker({ historyRooms: ['chat:*'], resumeSecret });
    let backend = await h.backend();
    const first = await h.client(sessionPath('chat:a', 'c1'), STRANDS);
    await waitEnvelope(first, (e) => e.strands === 'position' && e.room === 'chat:a', 'position in chat:a');
    const sessions = () => envelopes(first).filter((e) => e.strands === 'session');
    // Three joins and a leave in one write: read in one turn of the event loop, so one new token.
    const joins = ['plain-1', 'plain-2', 'chat:b'].map((room) => line('join_room', { conn_id: 'c1', room_id: room }));
    backend.raw(joins.join('') + line('leave_room', { conn_id: 'c1', room_id: 'plain-1' }));
    await waitFor(() => sessions().length === 2, 'a new token');
    backend.send('message_to_connection', { conn_id: 'c1', message: '{"probe":1}' });
    await waitFor(() => first.messages.includes('{"probe":1}'), 'probe');
    expect(sessions()).toHaveLength(2);
    expect(sessions()[1]).toMatchObject({ client_id: 'c1', resumed: false });
    const token = sessions()[1]!.token!;
    first.ws.terminate();

    // A new broker process, as another broker of a cluster would be: it knows the secret, not the session.
    await h.cleanup();
    h = await startBroker({ historyRooms: ['chat:*'], resumeSecret });
    backend = await h.backend();
    const second = await h.client(sessionPath('chat:a', 'someone-new', { strands_resume: token }), STRANDS);
    expect(await waitEnvelope(second, (e) => e.strands === 'session', 'session')).toMatchObject({ client_id: 'c1', resumed: true });
    await waitEnvelope(second, (e) => e.strands === 'position' && e.room === 'chat:b', 'position in chat:b');
    const asked = backend.send('room_members', { room_id: 'plain-2' });
    const reply = await backend.waitFrame((f) => f.request_id === asked, 'room_members_reply');
    expect(reply.params.members).toEqual([expect.objectContaining({ client_id: 'c1' })]);
    for (const room of ['plain-1', 'plain-2', 'chat:b']) backend.send('message_to_room', { room_id: room, message: JSON.stringify({ to: room }) });
    await waitEnvelope(second, (e) => e.data === '{"to":"chat:b"}', 'the message to chat:b');
    // The room it had left is not among them (the messages came in order on one link).
    expect(second.messages.filter((m) => m.startsWith('{"to"'))).toEqual(['{"to":"plain-2"}']);
    // The broker's own session frame after the resume lists the same rooms, without another for the joins it made.
    expect(envelopes(second).filter((e) => e.strands === 'session')).toHaveLength(1);
  });

  it('a client that closed with 1000 resumes its id on that broker, not the rooms its token lists', async () => {
    h = await startBroker({ historyRooms: ['chat:*'] });
    const backend = await h.backend();
    const first = await h.client(sessionPath('chat:a', 'c1'), STRANDS);
    backend.send('join_room', { conn_id: 'c1', room_id: 'plain-x' });
    const sessions = () => envelopes(first).filter((e) => e.strands === 'session');
    await waitFor(() => sessions().length === 2, 'a token listing plain-x');
    const token = sessions()[1]!.token!;
    first.ws.close(1000);
    await waitFor(() => backend.of('disconnected').length === 1, 'disconnected');
    const second = await h.client(sessionPath('chat:a', 'c1', { strands_resume: token }), STRANDS);
    expect(await waitEnvelope(second, (e) => e.strands === 'session', 'session')).toMatchObject({ client_id: 'c1', resumed: true });
    backend.send('message_to_room', { room_id: 'plain-x', message: '{"to":"plain-x"}' });
    backend.send('message_to_connection', { conn_id: 'c1', message: '{"probe":1}' });
    await waitFor(() => second.messages.includes('{"probe":1}'), 'probe');
    expect(second.messages).not.toContain('{"to":"plain-x"}');
  });

  it('the backend may still refuse a resuming client', async () => {
    h = await startBroker({ historyRooms: ['chat:*'] });
    const backend = await h.backend();
    const first = await h.client(sessionPath('chat:a', 'c1'), STRANDS);
    const token = (await waitEnvelope(first, (e) => e.strands === 'session', 'session')).token!;
    first.ws.terminate();
    await waitFor(() => backend.of('disconnected').length === 1, 'disconnected');
    backend.decide = () => ({ accepted: false, status: 403, reason: 'banned' });
    const result = await h.attempt(sessionPath('chat:a', 'c1', { strands_resume: token }), STRANDS);
    expect((await closeOf(result)).code).toBe(4403);
    // The broker's own params never reach the backend.
    const asked = backend.of('connection_request').at(-1)!;
    expect(Object.keys(asked.params.query)).toEqual(['id']);
  });

  it('set_room_history turns history on for one room, room_history reads it (latest, or after an offset)', async () => {
    h = await startBroker();
    const backend = await h.backend();
    const hello = await backend.hello();
    expect(hello.params.capabilities).toContain('history');
    backend.send('set_room_history', { room_id: 'solo', size: 3 });
    const c = await h.client(sessionPath('solo', 'c'), STRANDS);
    await publish(backend, 'solo', ['s1', 's2', 's3', 's4', 's5']);
    await waitEnvelope(c, (e) => e.data === 's5', 's5');
    expect(envelopes(c).filter((e) => e.strands === 'pub').map((e) => e.offset)).toEqual([1, 2, 3, 4, 5]);

    const latest = backend.send('room_history', { room_id: 'solo', limit: 2 });
    const r1 = await backend.waitFrame((f) => f.request_id === latest, 'room_history_reply');
    expect(r1.action).toBe('room_history_reply');
    expect(r1.params).toMatchObject({ room_id: 'solo', offset: 5 });
    expect(r1.params.publications).toEqual([
      { offset: 4, message: 's4' },
      { offset: 5, message: 's5' },
    ]);
    const after = backend.send('room_history', { room_id: 'solo', since: 3 });
    const r2 = await backend.waitFrame((f) => f.request_id === after, 'room_history_reply');
    expect(r2.params.publications.map((p: { message: string }) => p.message)).toEqual(['s4', 's5']);

    backend.send('set_room_history', { room_id: 'solo', size: 0 });
    backend.send('message_to_room', { room_id: 'solo', message: 'plain now' });
    await c.waitMessage('plain now');
    const bad = backend.send('room_history', { room_id: 'solo', limit: 0 });
    const refused = await backend.waitFrame((f) => f.request_id === bad, 'error_reply');
    expect(refused.params.code).toBe('invalid_params');
  });
});
