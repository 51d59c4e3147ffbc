// Three strands-broker processes in cluster mode on one real redis-server, driven over the bare wire:
// one newline-JSON backend on TCP (on broker C only) and WebSocket clients on all three. Rooms,
// forwarded admission and relayed events, direct messages, broadcast, remote join/leave,
// room_members and order across brokers; a Redis restart; a broker killed with SIGKILL; one paused with SIGSTOP.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../testing/src/redis.js';
import { RawBackend, TestClient, waitFor, type Decide, type WireFrame } from '../support/harness.js';
import { openClient } from '../support/open-client.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

/** A broker process and what its listening line said. */
interface BrokerProcess {
  name: string;
  child: ChildProcess;
  wsUrl: string;
  wsPort: number;
  tcpPort: number;
  /** The tail of its stderr (pino JSON lines), for failure messages. */
  logs: () => string;
}

const children: ChildProcess[] = [];
const sockets: { close(): void }[] = [];
let redis: TestRedis;
let a: BrokerProcess;
let b: BrokerProcess;
let c: BrokerProcess;
/** The cluster's one backend: connected to broker C only; A and B forward connection requests and relay events to it. */
let backendC: RawBackend;

/** Starts `strands-broker --cluster` as a child process and waits for its listening line. */
async function startBrokerProcess(name: string, clusterUrl: string, prefix: string): Promise<BrokerProcess> {
  const args = ['--import', 'tsx', 'src/cli.ts', '--cluster', clusterUrl, '--cluster-prefix', prefix, '--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1', '--log-level', 'warn'];
  const child = spawn(process.execPath, args, { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const match = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`broker ${name} exited (${child.exitCode}): ${err}`);
    return /clients (ws:\/\/127\.0\.0\.1:(\d+)) .*backends tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
  }, `broker ${name} listening`);
  return { name, child, wsUrl: match[1]!, wsPort: Number(match[2]), tcpPort: Number(match[3]), logs: () => err };
}

/**
 * Accepts everyone: id from `?id=`, room from the path, and metadata naming the broker the client
 * connected to (`?via=`, which `client()` sets; a request forwarded from another broker says the same).
 */
const acceptAll: Decide = (frame) => {
  const id = frame.params.query?.id?.[0];
  const room = String(frame.params.url).split('/').filter(Boolean).at(-1) ?? 'lobby';
  return { accepted: true, client_id: id, room_id: room, metadata: { via: frame.params.query?.via?.[0], id } };
};

async function connectBackend(broker: BrokerProcess): Promise<RawBackend> {
  const backend = await RawBackend.connect(broker.tcpPort, acceptAll);
  sockets.push(backend);
  const reply = await backend.hello();
  expect(reply.params.capabilities).toContain('cluster');
  return backend;
}

/**
 * A WebSocket client `id` on `broker` in `room`, open. A broker without a backend of its own
 * answers 503 until it has heard (from a heartbeat) that another broker has one: retried, as a
 * client honouring Retry-After would, for a bounded time.
 */
async function client(broker: BrokerProcess, room: string, id: string): Promise<TestClient> {
  const test = await openClient(`${broker.wsUrl}/ws/${room}?id=${id}&via=${broker.name}`, [], `${id} on ${broker.name}`);
  sockets.push(test);
  return test;
}

/** Asks backend C for a room's members (one fresh request each time). */
async function members(room: string): Promise<{ client_id: string; metadata: Record<string, unknown> }[]> {
  const id = backendC.send('room_members', { room_id: room });
  const reply = await backendC.waitFrame((f) => f.request_id === id && (f.action === 'room_members_reply' || f.action === 'error_reply'), `room_members ${room}`);
  if (reply.action === 'error_reply') return [];
  return reply.params.members as { client_id: string; metadata: Record<string, unknown> }[];
}

/** Waits until backend C sees exactly `ids` in `room`. */
function membersAre(room: string, ids: string[]): Promise<{ client_id: string; metadata: Record<string, unknown> }[]> {
  const wanted = [...ids].sort().join(',');
  return waitFor(async () => {
    const list = await members(room);
    return list.map((m) => m.client_id).sort().join(',') === wanted ? list : undefined;
  }, `members of ${room} to be ${wanted}`);
}

/**
 * Sends numbered probes to `room` from backend C until every client has seen one: a broker
 * subscribes a room's channel a tick after its first local member joins, and a message published
 * before that does not reach it (rooms are at-most-once). The real assertions follow.
 */
async function untilRoomReaches(room: string, clients: TestClient[]): Promise<void> {
  let n = 0;
  await waitFor(async () => {
    backendC.send('message_to_room', { room_id: room, message: `probe:${room}:${++n}` });
    await new Promise((resolve) => setTimeout(resolve, 50));
    return clients.every((cl) => cl.messages.some((m) => m.startsWith(`probe:${room}:`)));
  }, `probes to ${room} reaching every member`);
}

const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (cl: TestClient, text: string) => cl.messages.filter((m) => m === text).length;

/** GET /readyz (or `path`) of `broker`. */
async function health(broker: BrokerProcess, path = '/readyz'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${broker.wsPort}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  redis = await startRedis();
  const prefix = `procs${process.pid}`;
  [a, b, c] = await Promise.all([startBrokerProcess('A', redis.url, prefix), startBrokerProcess('B', redis.url, prefix), startBrokerProcess('C', redis.url, prefix)]);
  backendC = await connectBackend(c);
}, 60_000);

afterAll(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }),
  );
  await redis?.stop();
});

// Processes under tsx on a 2-core machine: guards well above the usual second or two.
describe('three broker processes on one Redis', { timeout: 30_000 }, () => {
  let a1: TestClient;
  let a2: TestClient;
  let b1: TestClient;
  let c1: TestClient;

  beforeAll(async () => {
    [a1, a2, b1, c1] = await Promise.all([client(a, 'r1', 'a1'), client(a, 'r1', 'a2'), client(b, 'r1', 'b1'), client(c, 'r1', 'c1')]);
    await membersAre('r1', ['a1', 'a2', 'b1', 'c1']);
    await untilRoomReaches('r1', [a1, a2, b1, c1]);
  });

  it('admits the clients of every broker through the backend on C, and hands it their events', async () => {
    const requests = backendC.of('connection_request').map((f) => f.params.query?.id?.[0]);
    expect(requests.sort()).toEqual(['a1', 'a2', 'b1', 'c1']);
    await waitFor(() => ['a1', 'a2', 'b1', 'c1'].every((id) => backendC.of('new_connection').some((f) => f.params.context.client_id === id)), 'new_connection of every client at C');
    a1.send('from a1');
    b1.send('from b1');
    const seen = (id: string, text: string) => backendC.of('new_message').find((f) => f.params.context.client_id === id && f.params.message === text);
    const fromA = await waitFor(() => seen('a1', 'from a1'), "a1's message at C");
    await waitFor(() => seen('b1', 'from b1'), "b1's message at C");
    expect(fromA.params.context).toMatchObject({ client_id: 'a1', room_id: 'r1', metadata: { via: 'A', id: 'a1' } });
  });

  it('delivers a room message sent by the backend on C to the room on every broker, once', async () => {
    backendC.send('message_to_room', { room_id: 'r1', message: 'hello r1' });
    await Promise.all([a1, a2, b1, c1].map((cl) => cl.waitMessage('hello r1')));
    await settle();
    expect([a1, a2, b1, c1].map((cl) => count(cl, 'hello r1'))).toEqual([1, 1, 1, 1]);
  });

  it('delivers message_to_connection to a client on another broker, and to nobody else', async () => {
    backendC.send('message_to_connection', { conn_id: 'a1', message: 'just for a1' });
    backendC.send('message_to_connection', { conn_id: 'b1', message: 'just for b1' });
    await a1.waitMessage('just for a1');
    await b1.waitMessage('just for b1');
    await settle();
    expect([a1, a2, b1, c1].map((cl) => cl.messages.filter((m) => m.startsWith('just for')))).toEqual([['just for a1'], [], ['just for b1'], []]);
  });

  it('delivers a broadcast to every client of every broker exactly once', async () => {
    const elsewhere = await client(b, 'r-other', 'b2'); // not in r1: a broadcast is not a room message
    await membersAre('r-other', ['b2']);
    backendC.send('broadcast', { message: 'to everyone' });
    const all = [a1, a2, b1, c1, elsewhere];
    await Promise.all(all.map((cl) => cl.waitMessage('to everyone')));
    await settle();
    expect(all.map((cl) => count(cl, 'to everyone'))).toEqual([1, 1, 1, 1, 1]);
  });

  it('joins and leaves a client on another broker to and from a room', async () => {
    const witness = await client(b, 'r2', 'b3');
    await membersAre('r2', ['b3']);
    const joined = backendC.send('join_room', { conn_id: 'a1', room_id: 'r2' });
    await membersAre('r2', ['a1', 'b3']);
    await untilRoomReaches('r2', [a1, witness]);
    backendC.send('message_to_room', { room_id: 'r2', message: 'r2 with a1' });
    await a1.waitMessage('r2 with a1');
    await witness.waitMessage('r2 with a1');
    expect(count(a2, 'r2 with a1')).toBe(0);

    const left = backendC.send('leave_room', { conn_id: 'a1', room_id: 'r2' });
    await membersAre('r2', ['b3']);
    backendC.send('message_to_room', { room_id: 'r2', message: 'r2 without a1' });
    await witness.waitMessage('r2 without a1');
    await settle();
    expect(count(a1, 'r2 without a1')).toBe(0);
    // a1 is still in its own room.
    backendC.send('message_to_room', { room_id: 'r1', message: 'r1 still' });
    await a1.waitMessage('r1 still');
    // Success has no answer; a failure would be an error_reply (not_found).
    expect(backendC.of('error_reply').filter((f) => f.request_id === joined || f.request_id === left)).toEqual([]);
  });

  it('lists room_members across brokers with each member\'s metadata', async () => {
    const list = await membersAre('r1', ['a1', 'a2', 'b1', 'c1']);
    const byId = Object.fromEntries(list.map((m) => [m.client_id, m.metadata]));
    expect(byId).toEqual({
      a1: { via: 'A', id: 'a1' },
      a2: { via: 'A', id: 'a2' },
      b1: { via: 'B', id: 'b1' },
      c1: { via: 'C', id: 'c1' },
    });
  });

  it('keeps the order of 1,000 numbered messages from one backend to a room spread over three brokers', async () => {
    const room = 'ordered';
    const group = await Promise.all([client(a, room, 'oa1'), client(a, room, 'oa2'), client(b, room, 'ob1'), client(b, room, 'ob2'), client(c, room, 'oc1')]);
    await membersAre(room, ['oa1', 'oa2', 'ob1', 'ob2', 'oc1']);
    await untilRoomReaches(room, group);
    const total = 1000;
    let lines = '';
    for (let i = 1; i <= total; i++) lines += `${JSON.stringify({ action: 'message_to_room', request_id: `o${i}`, params: { room_id: room, message: `n:${i}` } })}\n`;
    backendC.raw(lines);
    for (const member of group) {
      await waitFor(() => member.messages.filter((m) => m.startsWith('n:')).length >= total, `all ${total} at a member`, 20_000);
    }
    for (const member of group) {
      const numbers = member.messages.filter((m) => m.startsWith('n:')).map((m) => Number(m.slice(2)));
      expect(numbers).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
  });

  it('goes 503 on /readyz with a reason while Redis is down (/healthz stays 200), back to 200 after its restart, and delivers again without restarting brokers', async () => {
    expect((await health(a)).status).toBe(200);
    await redis.kill();
    const down = await waitFor(async () => {
      const h = await health(a);
      return h.status === 503 ? h : undefined;
    }, '/readyz 503 on A');
    expect(down.body.status).toBe('not_ready');
    // Liveness is not readiness: the process serves, so an orchestrator must not restart it.
    expect((await health(a, '/healthz')).status).toBe(200);
    expect(down.body.reason).toMatch(/Redis/); // e.g. "Redis command connection lost: connection closed"
    // A membership call that needs Redis is refused, not answered with a partial list.
    const asked = backendC.send('room_members', { room_id: 'r1' });
    const refused = await backendC.waitFrame((f) => f.request_id === asked, 'an answer to room_members while Redis is down');
    expect(refused).toMatchObject({ action: 'error_reply', params: { code: 'unavailable', action: 'room_members' } });
    await redis.restart();
    for (const broker of [a, b, c]) {
      await waitFor(async () => ((await health(broker)).status === 200 ? true : undefined), `/readyz 200 on ${broker.name}`);
    }
    // Redis came back empty: the brokers resubscribe their rooms, and membership is what it was.
    await membersAre('r1', ['a1', 'a2', 'b1', 'c1']);
    let n = 0;
    await waitFor(async () => {
      backendC.send('message_to_room', { room_id: 'r1', message: `after restart ${++n}` });
      await new Promise((resolve) => setTimeout(resolve, 100));
      return [a1, a2, b1].every((cl) => cl.messages.some((m) => m.startsWith('after restart'))) ? true : undefined;
    }, 'a room message reaching A and B after the restart', 15_000);
    // Direct delivery finds clients again, a2 included, which nothing was sent to directly before.
    backendC.send('message_to_connection', { conn_id: 'b1', message: 'direct after restart' });
    backendC.send('message_to_connection', { conn_id: 'a2', message: 'direct after restart' });
    await b1.waitMessage('direct after restart');
    await a2.waitMessage('direct after restart');
    for (const broker of [a, b, c]) expect(broker.child.exitCode, `broker ${broker.name} still running`).toBeNull();
  });

  it('forgets the clients of a broker killed with SIGKILL: gone from room_members, a disconnected (1006) for each at the survivors\' backends', { timeout: 40_000 }, async () => {
    await client(b, 'r1', 'b4');
    await membersAre('r1', ['a1', 'a2', 'b1', 'b4', 'c1']);
    const survivors = [backendC];
    const from = survivors.map((backend) => backend.frames.length);
    b.child.kill('SIGKILL');
    await waitFor(async () => ((await members('r1')).some((m) => m.client_id.startsWith('b')) ? undefined : true), "B's clients gone from room_members", 25_000);
    const disconnectedOf = (id: string): WireFrame[] =>
      survivors.flatMap((backend, i) => backend.frames.slice(from[i]).filter((f) => f.action === 'disconnected' && f.params.context?.client_id === id));
    for (const id of ['b1', 'b2', 'b3', 'b4']) {
      await waitFor(() => disconnectedOf(id).length > 0, `disconnected for ${id} at a survivor's backend`, 25_000);
    }
    await settle(500);
    for (const id of ['b1', 'b2', 'b3', 'b4']) {
      expect(disconnectedOf(id).map((f) => f.params.code)).toEqual([1006]);
    }
    // The survivors carry on.
    backendC.send('message_to_room', { room_id: 'r1', message: 'after B' });
    await a1.waitMessage('after B');
  });

  // After the SIGKILL case: A and C are left, with the backend on C.
  it('closes the clients of a broker paused past the node timeout (SIGSTOP) once it runs again (1001): the survivor had reported them gone', { timeout: 60_000 }, async () => {
    const paused = await client(a, 'r9', 'p1');
    const onC = await client(c, 'r9', 'q1');
    await membersAre('r9', ['p1', 'q1']);
    const from = backendC.frames.length;
    a.child.kill('SIGSTOP');
    try {
      // C gives A up after the node timeout (10 s by default) and reports its client gone, though it is still connected.
      await waitFor(
        () => backendC.frames.slice(from).some((f) => f.action === 'disconnected' && f.params.context?.client_id === 'p1'),
        'p1 reported gone while A is paused',
        30_000,
      );
    } finally {
      a.child.kill('SIGCONT');
    }
    // Once A runs again, C hears it and tells it; A closes its clients so they come back through a connection request.
    expect(await paused.waitClose()).toBe(1001);
    expect(paused.closeReason).toBe('broker was cut off from the cluster');
    const back = await client(a, 'r9', 'p1');
    await membersAre('r9', ['p1', 'q1']);
    await untilRoomReaches('r9', [back, onC]);
    backendC.send('message_to_room', { room_id: 'r9', message: 'after the pause' });
    await Promise.all([back, onC].map((cl) => cl.waitMessage('after the pause')));
    // A did not count its own pause as C's silence: had it given C up, C would have been told and closed its clients too.
    expect(onC.closed).toBe(false);
    expect(a.child.exitCode).toBeNull();
  });
});
