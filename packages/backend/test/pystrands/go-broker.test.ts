// The SDK against the PyStrands Go broker (which knows no hello, nor the Strands-only actions).
// Runs only when PYSTRANDS_BROKER names its binary (comma-separated for several builds):
//   PYSTRANDS_BROKER=/path/to/pystrands-broker pnpm vitest run packages/backend/test/pystrands
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ClientContext, Disconnection } from '../../src/index.js';
import { cleanup, testBackend } from '../support/backend.js';
import { until } from '../support/fake-broker.js';
import { TestClient } from '../support/real-broker.js';

const binaries = (process.env.PYSTRANDS_BROKER ?? '').split(',').filter(Boolean);

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startGoBroker(binary: string): Promise<{ wsUrl: string; tcpPort: number }> {
  const [wsPort, tcpPort] = [await freePort(), await freePort()];
  const child = spawn(binary, ['--ws-port', String(wsPort), '--tcp-port', String(tcpPort)], { stdio: 'ignore' });
  cleanup({ close: async () => void child.kill('SIGKILL') });
  // Wait until its TCP port accepts (it prints nothing we could wait for).
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(tcpPort, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      }).on('error', () => resolve(false));
    });
  while (!(await accepts())) await new Promise((resolve) => setTimeout(resolve, 50));
  return { wsUrl: `ws://127.0.0.1:${wsPort}/ws`, tcpPort };
}

describe.skipIf(binaries.length === 0)('PyStrands Go broker (set PYSTRANDS_BROKER to run)', () => {
  it.each(binaries.length > 0 ? binaries : ['(unset)'])('%s serves accept, rooms, private messages, broadcast and disconnect events unchanged', async (binary) => {
    const { wsUrl, tcpPort } = await startGoBroker(binary);
    const backend = testBackend({ brokers: [`127.0.0.1:${tcpPort}`] });
    const connected: ClientContext[] = [];
    const gone: Disconnection[] = [];
    backend.onConnectionRequest((request) => {
      const id = request.header('x-client-id');
      if (id === undefined) return false;
      request.clientId = id;
      request.roomId = request.path.replace('/ws/', '');
      request.metadata = { name: id.toUpperCase() };
      return true;
    });
    backend.onConnect((client) => {
      connected.push(client);
    });
    backend.onDisconnect((event) => {
      gone.push(event);
    });
    backend.onMessage(async (message) => {
      const [kind, target, text] = message.message.split(' ');
      const from = `${message.client.clientId}(${String(message.client.metadata.name)})`;
      if (kind === 'room') await backend.sendToRoom(message.client.roomId, `${from}: ${text}`);
      else if (kind === 'dm') await backend.sendToConnection(target!, `${from}: ${text}`);
      else await backend.broadcast(`${from}: ${text}`);
    });
    await backend.start();

    const a1 = await TestClient.open(`${wsUrl}/a`, { headers: { 'X-Client-Id': 'a1' } });
    const a2 = await TestClient.open(`${wsUrl}/a`, { headers: { 'X-Client-Id': 'a2' } });
    const b1 = await TestClient.open(`${wsUrl}/b`, { headers: { 'X-Client-Id': 'b1' } });
    await until(() => connected.length === 3, 'three connects');
    expect(connected.map((c) => [c.clientId, c.roomId, c.metadata])).toContainEqual(['a1', 'a', { name: 'A1' }]);

    a1.send('room - hi');
    await a2.next((m) => m === 'a1(A1): hi');
    b1.send('dm a2 psst');
    await a2.next((m) => m === 'b1(B1): psst');
    a2.send('all - yo');
    for (const client of [a1, a2, b1]) await client.next((m) => m === 'a2(A2): yo');
    expect(b1.received).toEqual(['a2(A2): yo']);

    // Rejected: the Go broker upgrades and then drops the socket (a PyStrands quirk); some builds
    // answer a bare HTTP 200 instead. Either way the client never gets a usable connection.
    const refused = await TestClient.open(`${wsUrl}/a`).then(
      async (client) => ({ code: (await client.closed).code, received: client.received }),
      (error: { status?: number }) => ({ status: error.status }),
    );
    expect([{ code: 1006, received: [] }, { status: 200 }]).toContainEqual(refused);
    expect(connected).toHaveLength(3);

    await b1.close();
    await until(() => gone.length === 1, 'the disconnect');
    expect(gone[0]!.client).toMatchObject({ clientId: 'b1', roomId: 'b', metadata: { name: 'B1' } });
  });
});
