// The Backplane contract: what every implementation must do, checked end to end through real brokers, clients and backends.
import { afterEach, describe, expect, it } from 'vitest';
import type { Backplane, BrokerOptions, BrokerParts } from '../../src/index.js';
import { startBroker, waitFor, type Harness, type RawBackend, type TestClient, type WireFrame } from '../support/harness.js';

/** The backplanes of one test's brokers. */
export interface ContractNodes {
  /** One per broker; `undefined` leaves the broker its default backplane. */
  backplanes: (Backplane | undefined)[];
  /** Resolves once the started backplanes know each other (a cluster's discovery). */
  ready?(): Promise<void>;
  /** Takes broker `index` out of the cluster without a goodbye, as a crash would. Needed when `nodes` > 1. */
  vanish?(index: number): void;
  /** Lets a vanished broker be heard again, as after a partition healed. Needed when `reappears`. */
  reappear?(index: number): void;
}

/** One implementation under test. */
export interface BackplaneContract {
  /** Shown in the test names. */
  name: string;
  /** Brokers per test: 1 skips the cross-broker cases. */
  nodes: number;
  /** A vanished broker goes on hearing the others, and can come back (`reappear`): runs the give-up-and-back case. */
  reappears?: boolean;
  /** Fresh backplanes for one test, `nodes` of them. */
  makeBackplanes(): ContractNodes;
}

/** A started broker with its own backend (connection requests are not forwarded between brokers). */
interface Node {
  harness: Harness;
  backend: RawBackend;
}

type Member = { client_id: string; metadata: Record<string, unknown> };

/**
 * Registers the contract tests for one implementation. Clients are spread over the brokers by
 * index (`at(i)`), so on one broker the same tests run with everything local.
 * @example
 * runBackplaneContract({ name: 'local', nodes: 1, makeBackplanes: () => ({ backplanes: [undefined] }) });
 */
export function runBackplaneContract(contract: BackplaneContract): void {
  const { name, nodes: count } = contract;
  const cluster = count > 1;
  let nodes: Node[] = [];
  let setup: ContractNodes | undefined;

  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.harness.cleanup()));
    nodes = [];
    setup = undefined;
  });

  /** Starts the brokers, each with a hello'd backend that accepts everyone (id from `?id=`, room from the path). */
  async function start(): Promise<Node[]> {
    setup = contract.makeBackplanes();
    expect(setup.backplanes).toHaveLength(count);
    for (const backplane of setup.backplanes) {
      // startBroker is typed with BrokerOptions only; it spreads everything into createBroker, which takes BrokerParts too.
      const options: BrokerOptions & BrokerParts = backplane === undefined ? {} : { backplane };
      const harness = await startBroker(options);
      const backend = await harness.backend();
      nodes.push({ harness, backend });
      await backend.hello();
    }
    await setup.ready?.();
    return nodes;
  }

  /** The broker for index `i`: spread over the cluster, always broker 0 alone. */
  const at = (i: number): Node => nodes[i % count] as Node;
  const client = (i: number, room: string, id: string): Promise<TestClient> => at(i).harness.client(`/ws/${room}?id=${id}`);
  const commander = (): RawBackend => at(0).backend;

  /** Asks `room_members` through broker 0's backend; sorted by client id. */
  async function members(room: string): Promise<Member[]> {
    const backend = commander();
    const id = backend.send('room_members', { room_id: room });
    const reply = await backend.waitFrame((f) => f.action === 'room_members_reply' && f.request_id === id, 'room_members_reply');
    expect(reply.params.room_id).toBe(room);
    return (reply.params.members as Member[]).slice().sort((a, b) => a.client_id.localeCompare(b.client_id));
  }

  const memberIds = async (room: string): Promise<string[]> => (await members(room)).map((m) => m.client_id);

  /**
   * What `read` gives once it gives `expected`, or its last answer after a wait, for the caller's
   * `expect` to show. Cluster presence is eventually consistent: a broker writes its client's entry
   * when it attaches or drops the client, over its own Redis connection, so a read through another
   * broker right after a connect or a close can be answered without it (traced once under load: a
   * write sent 2.5 ms before the read was not in its answer).
   */
  async function settled<T>(read: () => Promise<T>, expected: T): Promise<T> {
    const want = JSON.stringify(expected);
    const until = Date.now() + 5_000;
    let last = await read();
    while (JSON.stringify(last) !== want && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      last = await read();
    }
    return last;
  }
  const settledIds = (room: string, expected: string[]): Promise<string[]> => settled(() => memberIds(room), expected);

  /** Sends a broadcast marker and waits for it everywhere: whatever was misrouted before it would have arrived too. */
  async function marker(clients: TestClient[], text = 'marker'): Promise<void> {
    commander().send('broadcast', { message: text });
    await Promise.all(clients.map((c) => c.waitMessage(text)));
  }

  /** Waits for broker 0's backend to answer `requestId` with an error_reply. */
  const errorReply = (requestId: string): Promise<WireFrame> =>
    commander().waitFrame((f) => f.action === 'error_reply' && f.request_id === requestId, `error_reply to ${requestId}`);

  describe(`Backplane contract: ${name} (${count} broker${count === 1 ? '' : 's'})`, () => {
    it('delivers a room message from one backend to the members on every broker, exactly once, in order', async () => {
      await start();
      const inRoom = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => client(i, 'r', `r${i}`)));
      const outside = await Promise.all([0, 1, 2].map((i) => client(i, 'other', `o${i}`)));
      const sent = ['m1', 'm2', 'm3', 'm4', 'm5'];
      for (const message of sent) commander().send('message_to_room', { room_id: 'r', message });
      await marker([...inRoom, ...outside]);
      for (const c of inRoom) expect(c.messages).toEqual([...sent, 'marker']);
      for (const c of outside) expect(c.messages).toEqual(['marker']);
    });

    it('broadcasts to every client of every broker once', async () => {
      await start();
      const clients = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => client(i, `room${i}`, `b${i}`)));
      commander().send('broadcast', { message: 'everyone' });
      await marker(clients, 'end');
      for (const c of clients) expect(c.messages).toEqual(['everyone', 'end']);
    });

    it('delivers message_to_connection to one client, wherever it is connected', async () => {
      await start();
      const target = await client(count - 1, 'r', 'target');
      const sameBroker = await client(count - 1, 'r', 'neighbour');
      const elsewhere = await client(0, 'r', 'elsewhere');
      commander().send('message_to_connection', { conn_id: 'target', message: 'private' });
      await marker([target, sameBroker, elsewhere]);
      expect(target.messages).toEqual(['private', 'marker']);
      expect(sameBroker.messages).toEqual(['marker']);
      expect(elsewhere.messages).toEqual(['marker']);
    });

    it('joins and leaves a client wherever it is connected, and room messages follow', async () => {
      await start();
      const mover = await client(count - 1, 'home', 'mover');
      const resident = await client(0, 'extra', 'resident');
      commander().send('join_room', { conn_id: 'mover', room_id: 'extra' });
      await waitFor(async () => (await memberIds('extra')).includes('mover'), 'mover in extra');
      commander().send('message_to_room', { room_id: 'extra', message: 'extra-1' });
      await marker([mover, resident]);
      expect(mover.messages).toEqual(['extra-1', 'marker']);

      commander().send('leave_room', { conn_id: 'mover', room_id: 'extra' });
      await waitFor(async () => !(await memberIds('extra')).includes('mover'), 'mover out of extra');
      commander().send('message_to_room', { room_id: 'extra', message: 'extra-2' });
      commander().send('message_to_room', { room_id: 'home', message: 'home-1' });
      await marker([mover, resident], 'marker-2');
      expect(mover.messages).toEqual(['extra-1', 'marker', 'home-1', 'marker-2']);
      expect(resident.messages).toEqual(['extra-1', 'marker', 'extra-2', 'marker-2']);
    });

    it('answers room_members with the members of every broker and their metadata', async () => {
      await start();
      await Promise.all([0, 1, 2, 3].map((i) => client(i, 'team', `t${i}`)));
      await client(1, 'elsewhere', 'not-a-member');
      const team = [0, 1, 2, 3].map((i) => ({ client_id: `t${i}`, metadata: { url: '/ws/team' } }));
      expect(await settled(() => members('team'), team)).toEqual(team);
      expect(await members('nobody-here')).toEqual([]);
    });

    it('disconnects a client wherever it is connected: it gets the close code, its backend gets disconnected', async () => {
      await start();
      const kicked = await client(count - 1, 'r', 'kick');
      const stays = await client(0, 'r', 'stays');
      commander().send('disconnect_connection', { conn_id: 'kick', code: 4001, reason: 'bye' });
      expect(await kicked.waitClose()).toBe(4001);
      expect(kicked.closeReason).toBe('bye');
      const owner = at(count - 1).backend;
      const gone = await owner.waitFrame((f) => f.action === 'disconnected', 'disconnected');
      expect(gone.params).toMatchObject({ context: { client_id: 'kick' }, code: 4001, reason: 'bye' });
      expect(await settledIds('r', ['stays'])).toEqual(['stays']);
      expect(stays.closed).toBe(false);
    });

    it('answers not_found for a client no broker has', async () => {
      await start();
      await Promise.all([0, 1, 2].map((i) => client(i, 'r', `real${i}`)));
      const join = commander().send('join_room', { conn_id: 'ghost', room_id: 'r' });
      const leave = commander().send('leave_room', { conn_id: 'ghost', room_id: 'r' });
      const kick = commander().send('disconnect_connection', { conn_id: 'ghost', code: 4000, reason: 'x' });
      for (const id of [join, leave, kick]) expect((await errorReply(id)).params.code).toBe('not_found');
      expect(await settledIds('r', ['real0', 'real1', 'real2'])).toEqual(['real0', 'real1', 'real2']);
    });

    it.skipIf(!cluster)('replaces a connection with the same client id on another broker (4900 replaced)', async () => {
      await start();
      const older = await client(1, 'r', 'dup');
      const newer = await client(2, 'r', 'dup');
      expect(await older.waitClose()).toBe(4900);
      expect(older.closeReason).toBe('replaced');
      const gone = await at(1).backend.waitFrame((f) => f.action === 'disconnected', 'disconnected of the older');
      expect(gone.params).toMatchObject({ context: { client_id: 'dup' }, code: 4900 });
      commander().send('message_to_connection', { conn_id: 'dup', message: 'to the newer' });
      await newer.waitMessage('to the newer');
      expect(newer.closed).toBe(false);
      expect(await settledIds('r', ['dup'])).toEqual(['dup']);
    });

    it.skipIf(!cluster)('gives up a broker that vanishes: its members leave room_members and requests stop waiting for it', async () => {
      await start();
      const survivors = await Promise.all([0, 1].map((i) => client(i, 'r', `s${i}`)));
      await client(2, 'r', 'doomed');
      expect(await settledIds('r', ['doomed', 's0', 's1'])).toEqual(['doomed', 's0', 's1']);
      setup?.vanish?.(2);
      // Asked while broker 2 may still count as alive: the answer waits for it to be given up, never for it to reply.
      await waitFor(async () => !(await memberIds('r')).includes('doomed'), 'doomed out of room_members');
      expect(await memberIds('r')).toEqual(['s0', 's1']);
      const kick = commander().send('disconnect_connection', { conn_id: 'doomed', code: 4000, reason: 'x' });
      expect((await errorReply(kick)).params.code).toBe('not_found');
      commander().send('message_to_room', { room_id: 'r', message: 'after' });
      await Promise.all(survivors.map((c) => c.waitMessage('after')));
    });

    it.skipIf(!cluster || contract.reappears !== true)('closes the clients of a broker that was given up and comes back (1001), so no backend keeps a ghost', async () => {
      await start();
      const stays = await client(0, 'r', 'stays');
      const ghost = await client(2, 'r', 'ghost');
      setup?.vanish?.(2);
      // A survivor reports the vanished broker's client gone to its backend, though it is still connected.
      await Promise.any([0, 1].map((i) => at(i).backend.waitFrame((f) => f.action === 'disconnected' && (f.params.context as { client_id?: string })?.client_id === 'ghost', 'ghost reported gone')));
      expect(ghost.closed).toBe(false);
      setup?.reappear?.(2);
      expect(await ghost.waitClose()).toBe(1001);
      expect(ghost.closeReason).toBe('broker was cut off from the cluster');
      // Back through a fresh connection request: a member again, seen everywhere; the survivors' clients were left alone.
      const back = await client(2, 'r', 'ghost');
      expect(await settledIds('r', ['ghost', 'stays'])).toEqual(['ghost', 'stays']);
      commander().send('message_to_room', { room_id: 'r', message: 'after' });
      await Promise.all([stays, back].map((c) => c.waitMessage('after')));
      expect(stays.closed).toBe(false);
    });
  });
}
