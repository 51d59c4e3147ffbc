// Room history in cluster mode, end to end: two strands-broker processes on one real redis-server,
// a session client (raw ws, the session query params) on broker A, A killed with SIGKILL while a
// backend on broker B publishes, and the client resuming on B from the room's Redis stream (in the
// rooms its newest resume token lists, also those a backend joined it to after it connected); and a
// broker whose subscriber connection was killed filling the hole from the stream for its clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { RawBackend, TestClient, waitFor, type Decide, type WireFrame } from '../support/harness.js';
import { openClient } from '../support/open-client.js';
import { readMetric } from '../support/read-metric.js';
import { membersAre } from './redis-cluster-support.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'history-cluster-test-secret';

interface BrokerProcess {
  name: string;
  child: ChildProcess;
  wsUrl: string;
  tcpPort: number;
  logs: () => string;
}

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

const children: ChildProcess[] = [];
const sockets: { close(): void }[] = [];
let redis: TestRedis;
let prefix: string;
let a: BrokerProcess;
let b: BrokerProcess;
let backendB: RawBackend;
let backendA: RawBackend;
let admin: Redis;

async function startBrokerProcess(name: string, extra: string[] = []): Promise<BrokerProcess> {
  const args = ['--import', 'tsx', 'src/cli.ts', '--cluster', redis.url, '--cluster-prefix', prefix, '--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1', '--log-level', 'warn'];
  args.push('--history-rooms', 'chat:*', '--resume-secret', SECRET, ...extra);
  const child = spawn(process.execPath, args, { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const match = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`broker ${name} exited (${child.exitCode}): ${err}`);
    return /clients (ws:\/\/127\.0\.0\.1:\d+) .*backends tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
  }, `broker ${name} listening`);
  return { name, child, wsUrl: match[1]!, tcpPort: Number(match[2]), logs: () => err };
}

const acceptAll: Decide = (frame) => {
  const id = frame.params.query?.id?.[0];
  const room = String(frame.params.url).split('/').filter(Boolean).at(-1)?.split('?')[0] ?? 'lobby';
  return { accepted: true, client_id: id, room_id: room, metadata: {} };
};

/** A session client (strands.v1, `strands_session=1` plus `extra`); a broker without a backend answers 503 until it heard of one: retried. */
async function sessionClient(broker: BrokerProcess, room: string, id: string, extra: Record<string, string> = {}): Promise<TestClient> {
  const query = new URLSearchParams({ id, strands_session: '1', ...extra });
  const client = await openClient(`${broker.wsUrl}/ws/${room}?${query}`, ['strands.v1'], `${id} on ${broker.name}`);
  sockets.push(client);
  return client;
}

function envelopes(client: TestClient): Envelope[] {
  return client.messages.map((m) => JSON.parse(m) as Envelope);
}

function waitEnvelope(client: TestClient, match: (e: Envelope) => boolean, what: string): Promise<Envelope> {
  return waitFor(() => envelopes(client).find(match), what);
}

const pubs = (client: TestClient, room: string) => envelopes(client).filter((e) => e.strands === 'pub' && e.room === room);

/** The rooms a resume token lists (behind `~` in its MACed middle part; see the broker's resume-tokens.ts). */
function tokenRooms(token: string): string[] {
  const listed = token.split('.')[1]?.split('~')[1];
  return listed === undefined ? [] : (JSON.parse(Buffer.from(listed, 'base64url').toString('utf8')) as string[]);
}


function publish(room: string, texts: string[]): void {
  for (const message of texts) backendB.send('message_to_room', { room_id: room, message });
}

/** Lets `ms` of wall-clock time pass (for ages, not for events: those are waited for). */
function elapse(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A backend on `broker`, said hello. */
async function backendOn(broker: BrokerProcess): Promise<RawBackend> {
  const backend = await RawBackend.connect(broker.tcpPort, acceptAll);
  sockets.push(backend);
  await backend.hello();
  return backend;
}

/** `room_history` of `room` through `backend`: its reply, or the error_reply of a room without history. */
async function historyOf(backend: RawBackend, room: string): Promise<WireFrame> {
  const id = backend.send('room_history', { room_id: room });
  return backend.waitFrame((f) => f.request_id === id, `room_history of ${room}`);
}

beforeAll(async () => {
  redis = await startRedis();
  prefix = `hist${process.pid}`;
  [a, b] = await Promise.all([startBrokerProcess('A'), startBrokerProcess('B')]);
  [backendB, backendA] = await Promise.all([backendOn(b), backendOn(a)]);
  admin = new Redis(redis.url);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  admin?.disconnect();
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await redis?.stop();
});

describe('room history in cluster mode (two broker processes, real Redis)', () => {
  it('gives every broker\'s members the same offsets and epoch for a room\'s messages', { timeout: 30_000 }, async () => {
    const onA = await sessionClient(a, 'chat:same', 'sa');
    const onB = await sessionClient(b, 'chat:same', 'sb');
    // The position comes once the broker listens to the room: from then on nothing is missed.
    const posA = await waitEnvelope(onA, (e) => e.strands === 'position', 'position on A');
    const posB = await waitEnvelope(onB, (e) => e.strands === 'position', 'position on B');
    expect(posA).toMatchObject({ room: 'chat:same', offset: 0 });
    expect(posB.epoch).toBe(posA.epoch);
    publish('chat:same', ['x1', 'x2', 'x3', 'x4', 'x5']);
    await waitFor(() => pubs(onA, 'chat:same').length === 5 && pubs(onB, 'chat:same').length === 5, 'five pubs on both brokers');
    const seen = (client: TestClient) => pubs(client, 'chat:same').map((e) => [e.offset, e.epoch, e.data]);
    expect(seen(onA)).toEqual([1, 2, 3, 4, 5].map((n) => [n, posA.epoch, `x${n}`]));
    expect(seen(onB)).toEqual(seen(onA));

    // room_history reads the room's Redis stream.
    const id = backendB.send('room_history', { room_id: 'chat:same', since: 3 });
    const reply = await backendB.waitFrame((f) => f.request_id === id, 'room_history_reply');
    expect(reply.action).toBe('room_history_reply');
    expect(reply.params).toMatchObject({ room_id: 'chat:same', epoch: posA.epoch, offset: 5 });
    expect((reply.params.publications as { offset: number }[]).map((p) => p.offset)).toEqual([4, 5]);
    // A room outside historyRooms (and never set): refused, so a backend keeps its own.
    expect(await historyOf(backendB, 'plain')).toMatchObject({ action: 'error_reply', params: { code: 'unavailable' } });
  });

  it('set_room_history on one broker reaches every broker, also one started after it: bounded by its size, then off', { timeout: 40_000 }, async () => {
    const room = 'plain:set';
    const set = backendB.send('set_room_history', { room_id: room, size: 2 });
    // A hears it from B: its room_history answers, and its client gets the room's position and offsets.
    await waitFor(async () => (await historyOf(backendA, room)).action === 'room_history_reply', 'A keeps the room\'s history');
    const onA = await sessionClient(a, room, 'ps');
    const pos = await waitEnvelope(onA, (e) => e.strands === 'position', 'position on A');
    publish(room, ['s1', 's2', 's3']);
    await waitFor(() => pubs(onA, room).length === 3, 'three pubs on A');
    expect(pubs(onA, room).map((e) => [e.offset, e.epoch, e.data])).toEqual([1, 2, 3].map((n) => [n, pos.epoch, `s${n}`]));

    // A broker started after the setting reads it from Redis: the room's last two messages.
    const c = await startBrokerProcess('C');
    const backendC = await backendOn(c);
    const kept = await historyOf(backendC, room);
    expect(kept.params).toMatchObject({ room_id: room, epoch: pos.epoch, offset: 3 });
    expect((kept.params.publications as { offset: number }[]).map((p) => p.offset)).toEqual([2, 3]);

    // Size 0 turns it off on every broker.
    const off = backendB.send('set_room_history', { room_id: room, size: 0 });
    await waitFor(async () => (await historyOf(backendA, room)).action === 'error_reply' && (await historyOf(backendC, room)).action === 'error_reply', 'off on A and C');
    expect(backendB.frames.filter((f) => f.request_id === set || f.request_id === off)).toEqual([]);
    c.child.kill('SIGTERM');
  });

  it('a message older than its room\'s ttl is not replayed: a recovery that needs it is unrecoverable (trimmed), a later one replays the rest', { timeout: 30_000 }, async () => {
    const room = 'plain:ttl';
    backendB.send('set_room_history', { room_id: room, size: 10, ttl_ms: 3000 });
    const first = await sessionClient(b, room, 't1');
    const pos = await waitEnvelope(first, (e) => e.strands === 'position', 'position');
    first.ws.terminate();
    publish(room, ['old']);
    // Time has to pass (each message is aged by its own time in Redis): 'old' ends 3.6 s old, 'newer' 1.8 s.
    await elapse(1800);
    publish(room, ['newer']);
    expect((await historyOf(backendB, room)).params).toMatchObject({ offset: 2 });
    await elapse(1800);
    const lost = await sessionClient(b, room, 't2', { strands_recover: JSON.stringify([[room, 0, pos.epoch]]) });
    expect(await waitEnvelope(lost, (e) => e.strands === 'unrecoverable', 'unrecoverable')).toMatchObject({ reason: 'trimmed', offset: 2, epoch: pos.epoch });
    expect(pubs(lost, room)).toHaveLength(0);
    const kept = await sessionClient(b, room, 't3', { strands_recover: JSON.stringify([[room, 1, pos.epoch]]) });
    expect(await waitEnvelope(kept, (e) => e.strands === 'recovered', 'recovered')).toMatchObject({ replayed: 1, offset: 2 });
    expect(pubs(kept, room).map((e) => e.data)).toEqual(['newer']);
  });

  it('a broker whose subscriber connection was killed fills the hole from the stream: its client gets every offset once, in order', { timeout: 40_000 }, async () => {
    const room = 'chat:repair';
    const client = await sessionClient(b, room, 'r1');
    await waitEnvelope(client, (e) => e.strands === 'position', 'position');
    let sent = 0;
    const send = () => backendA.send('message_to_room', { room_id: room, message: `m${++sent}` });
    for (let i = 0; i < 5; i++) send();
    await waitFor(() => pubs(client, room).length === 5, 'five live pubs on B');

    const reconnects = await readMetric(b.wsUrl, 'strands_cluster_redis_reconnects_total');
    expect(await admin.client('KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(1);
    // A keeps publishing while B's subscriber is away, until it is back, and a few after.
    const timer = setInterval(send, 2);
    try {
      await waitFor(async () => (await readMetric(b.wsUrl, 'strands_cluster_redis_reconnects_total')) > reconnects, 'B resubscribed');
    } finally {
      clearInterval(timer);
    }
    for (let i = 0; i < 5; i++) send();
    const last = `m${sent}`;
    await waitFor(() => pubs(client, room).some((e) => e.data === last), `${last} on B`);

    const got = pubs(client, room);
    expect(got.map((e) => e.offset)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    expect(got.map((e) => e.data)).toEqual(Array.from({ length: sent }, (_, i) => `m${i + 1}`));
    expect(envelopes(client).some((e) => e.strands === 'unrecoverable')).toBe(false);
    expect(await readMetric(b.wsUrl, 'strands_history_gap_replayed_total')).toBeGreaterThan(0);
  });

  it.each([3, 0])('what was published only while the subscriber was away reaches the client once it is subscribed again, with no live message to show the hole (%i live before)', { timeout: 30_000 }, async (live) => {
    const room = `chat:quiet${live}`;
    const client = await sessionClient(b, room, `q${live}`);
    await waitEnvelope(client, (e) => e.strands === 'position', 'position');
    const texts = Array.from({ length: 13 }, (_, i) => `q${i + 1}`);
    for (const message of texts.slice(0, live)) backendA.send('message_to_room', { room_id: room, message });
    await waitFor(() => pubs(client, room).length === live, `${live} live pubs on B`);

    const replayed = await readMetric(b.wsUrl, 'strands_history_gap_replayed_total');
    expect(await admin.client('KILL', 'TYPE', 'pubsub')).toBeGreaterThanOrEqual(1);
    // Sent at once: published long before B's subscriber reconnects (its first retry waits about 50 ms).
    for (const message of texts.slice(live)) backendA.send('message_to_room', { room_id: room, message });

    await waitFor(() => pubs(client, room).length === 13, 'all thirteen on B');
    expect(pubs(client, room).map((e) => [e.offset, e.data])).toEqual(texts.map((t, i) => [i + 1, t]));
    // They came from the repair's read, not live.
    expect(await readMetric(b.wsUrl, 'strands_history_gap_replayed_total')).toBeGreaterThan(replayed);
  });

  it('a hole the stream cannot fill (the room\'s history gone: another epoch) is told to the client as unrecoverable, then it goes on', { timeout: 30_000 }, async () => {
    const room = 'chat:lost';
    const client = await sessionClient(b, room, 'l1');
    const pos = await waitEnvelope(client, (e) => e.strands === 'position', 'position');
    publish(room, ['old1', 'old2']);
    await waitFor(() => pubs(client, room).length === 2, 'two pubs');
    // The room's history vanishes (as when Redis restarts empty): the next message starts a new epoch.
    const prefix = `hist${process.pid}`;
    expect(await admin.del(`${prefix}:{room:${room}}:meta`, `${prefix}:{room:${room}}:hist`)).toBe(2);
    publish(room, ['new1', 'new2', 'new3']);
    const lost = await waitEnvelope(client, (e) => e.strands === 'unrecoverable', 'unrecoverable');
    expect(lost).toMatchObject({ room, reason: 'epoch' });
    expect(lost.epoch).not.toBe(pos.epoch);
    publish(room, ['new4']);
    await waitFor(() => pubs(client, room).some((e) => e.data === 'new4'), 'new4');
    const got = envelopes(client).filter((e) => e.room === room && (e.strands === 'pub' || e.strands === 'unrecoverable'));
    const at = got.findIndex((e) => e.strands === 'unrecoverable');
    expect(got.slice(0, at).map((e) => [e.offset, e.epoch])).toEqual([[1, pos.epoch], [2, pos.epoch]]);
    // After it: the new epoch only, from past the position it gave, each offset once.
    const after = got.slice(at + 1);
    expect(after.every((e) => e.strands === 'pub' && e.epoch === lost.epoch)).toBe(true);
    expect(after.map((e) => e.offset)).toEqual(Array.from({ length: 4 - lost.offset! }, (_, i) => lost.offset! + 1 + i));
  });

  it('a client of a broker killed with SIGKILL resumes on another broker: the missed messages once, in order, then live ones', { timeout: 40_000 }, async () => {
    const room = 'chat:kill';
    const first = await sessionClient(a, room, 'c1');
    const session = await waitEnvelope(first, (e) => e.strands === 'session', 'session');
    await waitEnvelope(first, (e) => e.strands === 'position', 'position');
    publish(room, ['live1', 'live2']);
    await waitFor(() => pubs(first, room).length === 2, 'two live pubs on A');
    const last = pubs(first, room).at(-1)!;
    expect(last).toMatchObject({ offset: 2, data: 'live2' });

    a.child.kill('SIGKILL');
    await waitFor(() => a.child.exitCode !== null || a.child.signalCode !== null, 'broker A gone');
    const missed = Array.from({ length: 10 }, (_, i) => `missed${i + 1}`);
    publish(room, missed);
    // Published, and in the stream, before the client comes back (the reply follows them on the same link).
    const probe = backendB.send('room_history', { room_id: room, since: 2 });
    await backendB.waitFrame((f) => f.request_id === probe && f.action === 'room_history_reply', 'history after the missed ones');

    const recover = JSON.stringify([[room, last.offset, last.epoch]]);
    const second = await sessionClient(b, room, 'someone-else', { strands_resume: session.token!, strands_recover: recover });
    // Live traffic while the recovery read may be in flight: held, then sent after the replay.
    publish(room, ['after1', 'after2', 'after3']);
    await waitFor(() => envelopes(second).some((e) => e.data === 'after3'), 'after3 on B', 15_000);

    const got = envelopes(second);
    expect(got[0]).toMatchObject({ strands: 'session', client_id: 'c1', resumed: true });
    // Every message after offset 2 exactly once, in order: the missed ones, then the live ones.
    const texts = got.filter((e) => e.strands === 'pub').map((e) => e.data);
    expect(texts).toEqual([...missed, 'after1', 'after2', 'after3']);
    const offsets = got.filter((e) => e.strands === 'pub').map((e) => e.offset);
    expect(offsets).toEqual(Array.from({ length: 13 }, (_, i) => i + 3));
    // The replay (what the stream held when read: the missed ones, and live ones already in it) comes before `recovered`.
    const recovered = got.findIndex((e) => e.strands === 'recovered');
    const done = got[recovered]!;
    expect(done).toMatchObject({ room, epoch: last.epoch });
    expect(done.offset).toBeGreaterThanOrEqual(12);
    expect(done.replayed).toBe(done.offset! - 2);
    expect(got.slice(1, recovered).map((e) => e.offset)).toEqual(offsets.slice(0, done.replayed));
    expect(got.some((e) => e.strands === 'unrecoverable')).toBe(false);
  });

  it('a client of a broker killed with SIGKILL resumes on another broker in the rooms a backend joined it to, with their missed messages', { timeout: 60_000 }, async () => {
    const [c, d] = await Promise.all([startBrokerProcess('C'), startBrokerProcess('D')]);
    // A backend on a third broker sees the memberships through the cluster's presence in Redis only.
    const backendD = await RawBackend.connect(d.tcpPort, acceptAll);
    sockets.push(backendD);
    await backendD.hello();
    const first = await sessionClient(c, 'chat:own', 'j1');
    await waitEnvelope(first, (e) => e.strands === 'position', 'position');
    backendB.send('join_room', { conn_id: 'j1', room_id: 'chat:joined' });
    backendB.send('join_room', { conn_id: 'j1', room_id: 'plain-joined' });
    await waitEnvelope(first, (e) => e.strands === 'position' && e.room === 'chat:joined', 'position in chat:joined');
    publish('chat:joined', ['j-live']);
    const seen = await waitEnvelope(first, (e) => e.data === 'j-live', 'j-live on C');
    // Each change of its rooms brought a new token; the newest lists all three.
    const newest = () => envelopes(first).filter((e) => e.strands === 'session').at(-1)!.token!;
    await waitFor(() => tokenRooms(newest()).length === 3, 'a token listing the joined rooms');
    expect(tokenRooms(newest()).sort()).toEqual(['chat:joined', 'chat:own', 'plain-joined']);
    const token = newest();

    c.child.kill('SIGKILL');
    await waitFor(() => c.child.exitCode !== null || c.child.signalCode !== null, 'broker C gone');
    publish('chat:joined', ['j-missed']);
    // Once C's presence is reaped, whatever membership the client has is B's doing.
    await membersAre(backendB, 'plain-joined', []);

    const recover = JSON.stringify([['chat:joined', seen.offset, seen.epoch]]);
    const second = await sessionClient(b, 'chat:own', 'someone-else', { strands_resume: token, strands_recover: recover });
    expect(await waitEnvelope(second, (e) => e.strands === 'session', 'session')).toMatchObject({ client_id: 'j1', resumed: true });
    expect(await waitEnvelope(second, (e) => e.room === 'chat:joined' && e.strands !== 'pub', 'recovery of chat:joined')).toMatchObject({ strands: 'recovered', replayed: 1 });
    expect(pubs(second, 'chat:joined').map((e) => e.data)).toEqual(['j-missed']);
    expect((await membersAre(backendB, 'plain-joined', ['j1']))[0]!.client_id).toBe('j1');
    await membersAre(backendD, 'plain-joined', ['j1']);
    await membersAre(backendD, 'chat:joined', ['j1']);
    backendB.send('message_to_room', { room_id: 'plain-joined', message: '{"to":"plain-joined"}' });
    await waitFor(() => second.messages.includes('{"to":"plain-joined"}'), 'the message to plain-joined on B');
  });

  it('a resume token whose rooms were changed is a new connection, in none of them', { timeout: 30_000 }, async () => {
    const first = await sessionClient(b, 'chat:mine', 'v1');
    const token = (await waitEnvelope(first, (e) => e.strands === 'session', 'session')).token!;
    first.ws.terminate();
    const [id, expiry, mac] = token.split('.') as [string, string, string];
    const rooms = Buffer.from(JSON.stringify(['chat:mine', 'admins'])).toString('base64url');
    const forged = `${id}.${expiry.split('~')[0]}~${rooms}.${mac}`;
    const second = await sessionClient(b, 'chat:mine', 'v2', { strands_resume: forged });
    expect(await waitEnvelope(second, (e) => e.strands === 'session', 'session')).toMatchObject({ client_id: 'v2', resumed: false });
    await membersAre(backendB, 'chat:mine', ['v2']);
    expect(await membersAre(backendB, 'admins', [])).toEqual([]);
  });

  it('a gap beyond the bounded read, or another epoch, is unrecoverable with nothing of the gap', { timeout: 30_000 }, async () => {
    const room = 'chat:gap';
    const first = await sessionClient(b, room, 'g1');
    const pos = await waitEnvelope(first, (e) => e.strands === 'position', 'position');
    first.ws.terminate();
    // More than maxRecoveryMessages (300) since offset 0.
    publish(room, Array.from({ length: 301 }, (_, i) => `g${i}`));
    const probe = backendB.send('room_history', { room_id: room, limit: 1 });
    const reply = await backendB.waitFrame((f) => f.request_id === probe && f.action === 'room_history_reply', 'history');
    expect(reply.params.offset).toBe(301);
    const tooMany = await sessionClient(b, room, 'g2', { strands_recover: JSON.stringify([[room, 0, pos.epoch]]) });
    await waitEnvelope(tooMany, (e) => e.strands === 'unrecoverable', 'unrecoverable');
    expect(envelopes(tooMany).find((e) => e.strands === 'unrecoverable')).toMatchObject({ reason: 'too_many', offset: 301, epoch: pos.epoch });
    const otherEpoch = await sessionClient(b, room, 'g3', { strands_recover: JSON.stringify([[room, 300, 'not-the-epoch']]) });
    await waitEnvelope(otherEpoch, (e) => e.strands === 'unrecoverable', 'unrecoverable');
    expect(envelopes(otherEpoch).find((e) => e.strands === 'unrecoverable')).toMatchObject({ reason: 'epoch' });
    for (const c of [tooMany, otherEpoch]) expect(pubs(c, room)).toHaveLength(0);
  });
});
