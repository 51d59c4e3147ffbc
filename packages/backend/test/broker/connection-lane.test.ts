// Connection decisions in their own lane: clients already connected are served while connection
// requests wait on a slow `onConnectionRequest` (issue 15), and those run at most
// `maxConcurrentConnectionRequests` at once.
import { describe, expect, it } from 'vitest';
import { until } from '../support/fake-broker.js';
import { TestClient, brokerWithBackend } from '../support/real-broker.js';

describe('connection requests in a lane of their own', () => {
  it('serves connected clients while decisions are pending, and runs the decisions bounded, all of them once released', async () => {
    // Two handler slots for events: before the lane, two pending decisions took both of them.
    const { addresses, backend } = await brokerWithBackend({ maxConcurrency: 2, maxConcurrentConnectionRequests: 3 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    backend.onConnectionRequest(async (request) => {
      request.clientId = request.query.id![0]!;
      if (request.query.hold === undefined) return true;
      started.push(request.clientId);
      await gate;
      return true;
    });
    backend.onMessage((m) => m.reply(`echo ${m.message}`));
    const existing = [await TestClient.open(`${addresses.wsUrl}/room?id=e1`), await TestClient.open(`${addresses.wsUrl}/room?id=e2`)];

    const held = Array.from({ length: 6 }, (_, i) => TestClient.open(`${addresses.wsUrl}/room?id=h${i}&hold=1`));
    await until(() => started.length === 3, 'three decisions started');

    const count = 25;
    for (let i = 0; i < count; i++) for (const client of existing) client.send(`m${i}`);
    for (const client of existing) await until(() => client.received.length === count, `${count} echoes`);
    for (const client of existing) expect(client.received).toEqual(Array.from({ length: count }, (_, i) => `echo m${i}`));
    // Still held at the gate: no more than three decisions ran at once.
    expect(started).toHaveLength(3);

    release();
    const opened = await Promise.all(held);
    expect(opened).toHaveLength(6);
    expect(started.sort()).toEqual(['h0', 'h1', 'h2', 'h3', 'h4', 'h5']);
    opened[5]!.send('late');
    await opened[5]!.next((m) => m === 'echo late');
  });
});
