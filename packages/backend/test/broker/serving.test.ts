// A backend written with the SDK serving real WebSocket clients through the real Strands broker.
import { describe, expect, it } from 'vitest';
import type { ClientContext, Disconnection } from '../../src/index.js';
import { until } from '../support/fake-broker.js';
import { TestClient, brokerWithBackend } from '../support/real-broker.js';

describe('serving clients through @strands/broker', () => {
  it('accepts with the id, room and metadata the handler set; rejects with a status', async () => {
    const { addresses, backend } = await brokerWithBackend();
    const connected: ClientContext[] = [];
    backend.onConnectionRequest((request) => {
      const user = request.header('x-user') ?? request.query.user?.[0];
      if (user === undefined) return { accept: false, status: 401, reason: 'who are you?' };
      request.clientId = user;
      request.roomId = request.path.replace(/^\//, '');
      request.metadata = { user, agent: request.header('User-Agent') ?? 'none' };
      return true;
    });
    backend.onConnect((client) => {
      connected.push(client);
    });
    await TestClient.open(`${addresses.wsUrl}/lobby`, { headers: { 'X-User': 'alice', 'User-Agent': 'test' } });
    await TestClient.open(`${addresses.wsUrl}/lobby?user=bob`);
    await until(() => connected.length === 2, 'two connects');
    const byId = Object.fromEntries(connected.map((c) => [c.clientId, c]));
    expect(byId.alice).toMatchObject({ roomId: 'lobby', metadata: { user: 'alice', agent: 'test' } });
    expect(byId.bob).toMatchObject({ roomId: 'lobby', metadata: { user: 'bob', agent: 'none' } });
    const refused = await TestClient.open(`${addresses.wsUrl}/lobby`).catch((error: { status?: number }) => error);
    expect(refused).toMatchObject({ status: 401 });
    const browser = await TestClient.open(`${addresses.wsUrl}/lobby`, { protocols: ['strands.v1'] }).catch((e: unknown) => e);
    if (browser instanceof TestClient) {
      expect(await browser.closed).toEqual({ code: 4401, reason: 'who are you?' });
    } else {
      throw browser;
    }
  });

  it('routes room messages, private messages and broadcasts, and reports disconnects', async () => {
    const { addresses, backend } = await brokerWithBackend();
    backend.onConnectionRequest((request) => {
      request.clientId = request.query.id![0]!;
      request.roomId = request.path.slice(1);
    });
    backend.onMessage(async (message) => {
      const command = message.json<{ to: 'room' | 'one' | 'all'; target?: string; text: string }>();
      const text = `${message.client.clientId}: ${command.text}`;
      if (command.to === 'room') await backend.sendToRoom(message.client.roomId, text);
      else if (command.to === 'one') await backend.sendToConnection(command.target!, text);
      else await backend.broadcast(text);
    });
    const gone: Disconnection[] = [];
    backend.onDisconnect((event) => {
      gone.push(event);
    });
    const a1 = await TestClient.open(`${addresses.wsUrl}/a?id=a1`);
    const a2 = await TestClient.open(`${addresses.wsUrl}/a?id=a2`);
    const b1 = await TestClient.open(`${addresses.wsUrl}/b?id=b1`);

    a1.send(JSON.stringify({ to: 'room', text: 'hello room a' }));
    await a2.next((m) => m === 'a1: hello room a');
    await a1.next((m) => m === 'a1: hello room a');
    b1.send(JSON.stringify({ to: 'one', target: 'a2', text: 'psst' }));
    await a2.next((m) => m === 'b1: psst');
    a2.send(JSON.stringify({ to: 'all', text: 'everyone' }));
    for (const client of [a1, a2, b1]) await client.next((m) => m === 'a2: everyone');
    expect(b1.received).toEqual(['a2: everyone']);
    expect(a1.received).toEqual(['a1: hello room a', 'a2: everyone']);

    await b1.close();
    await until(() => gone.length === 1, 'the disconnect');
    expect(gone[0]!.client).toMatchObject({ clientId: 'b1', roomId: 'b' });
  });

  it('joins and leaves rooms, lists members, and disconnects clients', async () => {
    const { addresses, backend } = await brokerWithBackend();
    backend.onConnectionRequest((request) => {
      request.clientId = request.query.id![0]!;
      request.roomId = 'home';
      request.metadata = { n: Number(request.query.n?.[0] ?? 0) };
    });
    const connected: string[] = [];
    backend.onConnect((client) => {
      connected.push(client.clientId);
    });
    const x = await TestClient.open(`${addresses.wsUrl}/?id=x&n=1`);
    const y = await TestClient.open(`${addresses.wsUrl}/?id=y&n=2`);
    await until(() => connected.length === 2);
    await backend.joinRoom('x', 'extra');
    const members = await backend.roomMembers('extra');
    expect(members.map((m) => [m.client_id, m.metadata])).toEqual([['x', { n: 1 }]]);
    await backend.sendToRoom('extra', 'in extra');
    await x.next((m) => m === 'in extra');
    await backend.leaveRoom('x', 'extra');
    expect(await backend.roomMembers('extra')).toEqual([]);
    expect((await backend.roomMembers('home')).map((m) => m.client_id).sort()).toEqual(['x', 'y']);
    await backend.disconnect('y', { code: 4000, reason: 'kicked' });
    expect(await y.closed).toEqual({ code: 4000, reason: 'kicked' });
  });

  it('sends bytes as binary frames with exactly those bytes: to a room, a connection, everyone, and as a reply', async () => {
    const { addresses, backend } = await brokerWithBackend();
    backend.onConnectionRequest((request) => {
      request.clientId = request.query.id![0]!;
      request.roomId = request.path.slice(1);
    });
    backend.onMessage((message) => message.reply(message.bytes()));
    const a = await TestClient.open(`${addresses.wsUrl}/a?id=a`);
    const b = await TestClient.open(`${addresses.wsUrl}/b?id=b`);
    // Every byte value, and a view into a larger buffer (only its own bytes go).
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const view = new Uint8Array(new Uint8Array([9, 9, 1, 2, 3, 9]).buffer, 2, 3);
    await backend.sendToRoom('a', all);
    await backend.sendToConnection('b', view);
    await backend.broadcast(new Uint8Array([0]));
    await backend.broadcast('text stays text');
    await until(() => a.frames.length === 3 && b.frames.length === 3, 'three frames each');
    expect(a.frames).toEqual([
      { binary: true, bytes: Buffer.from(all) },
      { binary: true, bytes: Buffer.from([0]) },
      { binary: false, bytes: Buffer.from('text stays text') },
    ]);
    expect(b.frames).toEqual([
      { binary: true, bytes: Buffer.from([1, 2, 3]) },
      { binary: true, bytes: Buffer.from([0]) },
      { binary: false, bytes: Buffer.from('text stays text') },
    ]);
    // A binary client frame echoed back by reply(bytes): binary both ways.
    a.ws.send(Buffer.from([255, 0, 128]));
    await until(() => a.frames.length === 4, 'the echo');
    expect(a.frames[3]).toEqual({ binary: true, bytes: Buffer.from([255, 0, 128]) });
  });

  it('an echo backend written with messages() as a stream', async () => {
    const { addresses, backend } = await brokerWithBackend();
    const stream = backend.messages();
    void (async () => {
      for await (const message of stream) await message.reply(`echo ${message.message}`);
    })();
    const client = await TestClient.open(`${addresses.wsUrl}/echo`);
    for (let i = 0; i < 20; i += 1) client.send(String(i));
    await until(() => client.received.length === 20, 'twenty echoes');
    expect(client.received).toEqual(Array.from({ length: 20 }, (_, i) => `echo ${i}`));
  });
});
