// The chat backend against the PyStrands Go broker (opt-in: set PYSTRANDS_BROKER to its binary).
// That broker passes no query string, so clients identify themselves with headers, and it serves
// only /ws/... paths.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { StrandsBackend } from '@strands/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatBackend } from '../src/chat-backend.js';
import type { ServerMessage } from '../src/messages.js';
import { connectClient, type TestClient } from './support/ws-client.js';

const binary = process.env.PYSTRANDS_BROKER;

/** A port free right now (the Go broker cannot be given port 0 and report back). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(binary === undefined)('the chat backend on the PyStrands Go broker', () => {
  let broker: ChildProcess;
  let backend: StrandsBackend;
  let wsPort: number;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    wsPort = await freePort();
    const tcpPort = await freePort();
    broker = spawn(binary!, ['--ws-port', String(wsPort), '--tcp-port', String(tcpPort)], { stdio: 'ignore' });
    backend = createChatBackend({ broker: `127.0.0.1:${tcpPort}`, adminToken: 'go-admin', logLevel: 'silent' });
    // The SDK retries until the broker listens.
    await backend.start();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await backend?.close({ timeoutMs: 1000 });
    broker?.kill('SIGTERM');
    if (broker?.exitCode === null) await once(broker, 'exit');
  });

  async function join(room: string, name: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const client = await connectClient(`ws://127.0.0.1:${wsPort}/ws/${room}`, { headers: { 'X-Name': name, 'X-Client-Id': `${name}-id`, ...headers } });
    clients.push(client);
    return client;
  }
  const said = (text: string) => (m: ServerMessage) => (m.type === 'chat' || m.type === 'dm' || m.type === 'announce') && m.text === text;

  it('serves rooms, DMs, history, admin announcements and routes', async () => {
    const alice = await join('room1', 'alice');
    const bob = await join('room1', 'bob');
    const carol = await join('room2', 'carol');
    const admin = await join('ops', 'root', { Authorization: 'Bearer go-admin' });
    expect(admin.received[0]).toMatchObject({ type: 'history', room: 'ops', you: { name: 'root', role: 'admin' } });

    alice.send({ type: 'chat', text: 'hello room1' });
    await bob.waitFor(said('hello room1'));
    alice.send({ type: 'chat', text: '@carol psst' });
    await carol.waitFor(said('psst'));
    await alice.waitFor(said('psst'));
    admin.send({ type: 'chat', text: '/announce everyone' });
    await Promise.all([alice, bob, carol].map((c) => c.waitFor(said('everyone'))));
    carol.send({ type: 'chat', text: 'hello room2' });
    await carol.waitFor(said('hello room2'));

    const dave = await join('room1', 'dave');
    expect(dave.received[0]).toMatchObject({ type: 'history', messages: [{ text: 'hello room1' }] });
    expect(bob.received.some(said('psst'))).toBe(false);
    expect(bob.received.some(said('hello room2'))).toBe(false);
    expect(carol.received.some(said('hello room1'))).toBe(false);

    // Route envelopes are plain message strings to this broker: the contract works through it too.
    alice.send({ strands: 'request', id: 'who', route: 'room.who', data: {} });
    const isWho = (m: unknown): boolean => (m as { id?: string }).id === 'who';
    await alice.waitFor(() => alice.received.some(isWho));
    const envelope = alice.received.find(isWho) as unknown as { strands: string; data: { members: { name: string }[] } };
    expect(envelope.strands).toBe('response');
    expect(envelope.data.members.map((m) => m.name)).toEqual(['alice', 'bob', 'dave']);
  });
});
