// roomHistory / setRoomHistory against the real broker.
import { createBroker } from '@strands/broker';
import { describe, expect, it } from 'vitest';
import { cleanup, testBackend } from '../support/backend.js';
import { until } from '../support/fake-broker.js';
import { TestClient } from '../support/real-broker.js';

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition never held');
}

async function setup() {
  const broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent', historyRooms: ['chat:*'] });
  const addresses = await broker.start();
  cleanup(broker);
  const backend = testBackend({ brokers: [`127.0.0.1:${addresses.tcpPort}`] });
  await backend.start();
  await until(() => backend.connectedBrokers.length === 1);
  return { addresses, backend };
}

describe('room history through the SDK', () => {
  it('reads the latest messages of a room, or those after an offset, with its epoch and latest offset', async () => {
    const { addresses, backend } = await setup();
    backend.onConnectionRequest((request) => {
      request.roomId = 'chat:lobby';
    });
    const client = await TestClient.open(`${addresses.wsUrl}/`);
    for (let i = 1; i <= 5; i++) await backend.sendToRoom('chat:lobby', `m${i}`);
    await backend.sendToRoom('chat:lobby', new Uint8Array([1, 2, 3]));
    await client.next((m) => m === '\x01\x02\x03');

    const latest = await backend.roomHistory('chat:lobby', { limit: 3 });
    expect(latest).toMatchObject({ roomId: 'chat:lobby', offset: 6 });
    expect(typeof latest.epoch).toBe('string');
    expect(latest.messages).toEqual([
      { offset: 4, message: 'm4', isBinary: false },
      { offset: 5, message: 'm5', isBinary: false },
      { offset: 6, message: 'AQID', isBinary: true },
    ]);
    const after = await backend.roomHistory('chat:lobby', { since: 2, limit: 2 });
    expect(after.messages.map((m) => m.message)).toEqual(['m3', 'm4']);
    expect((await backend.roomHistory('chat:empty')).messages).toEqual([]);
    // A plain client in a room with history still gets plain messages.
    expect(client.received.slice(0, 5)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  });

  it('setRoomHistory turns history on (and off) for a room no pattern names', async () => {
    const { backend } = await setup();
    // The broker's hello_reply (which lists `history`) may still be on its way.
    await eventually(() => backend.roomHistory('solo').then(() => true, () => false));
    expect((await backend.roomHistory('solo')).messages).toEqual([]);
    await backend.setRoomHistory('solo', { size: 2 });
    for (const m of ['a', 'b', 'c']) await backend.sendToRoom('solo', m);
    await eventually(async () => (await backend.roomHistory('solo')).offset === 3);
    expect((await backend.roomHistory('solo')).messages.map((m) => m.message)).toEqual(['b', 'c']);
    await backend.setRoomHistory('solo', { size: 0 });
    await backend.sendToRoom('solo', 'd');
    // Off: what it held is forgotten, and the next message is not kept.
    await eventually(async () => (await backend.roomHistory('solo')).offset === 0);
    expect((await backend.roomHistory('solo')).messages).toEqual([]);
  });
});
