// The chat's history is the broker's: a chat backend that starts fresh still shows newcomers the room's last lines.
import { createBroker } from '@strands/broker';
import { afterEach, describe, expect, it } from 'vitest';
import { createChatBackend, type ChatBackend } from '../src/chat-backend.js';
import type { ServerMessage } from '../src/messages.js';
import { connectClient, roomUrl, type TestClient } from './support/ws-client.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function chatBackend(tcpPort: number): Promise<ChatBackend> {
  const backend = createChatBackend({ broker: `127.0.0.1:${tcpPort}`, logLevel: 'silent', historySize: 3 });
  await backend.start();
  return backend;
}

describe('chat history kept by the broker', () => {
  it('survives the chat backend: a fresh backend shows a newcomer the last lines, chat lines only', async () => {
    const broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent' });
    const { wsUrl, tcpPort } = await broker.start();
    stops.push(() => broker.stop());
    const first = await chatBackend(tcpPort);
    const alice: TestClient = await connectClient(roomUrl(wsUrl, 'kept', { name: 'alice' }));
    stops.push(() => alice.close());
    await alice.waitFor((m) => m.type === 'history');
    for (const text of ['one', 'two', 'three', 'four']) alice.send(JSON.stringify({ type: 'chat', text }));
    await alice.waitFor((m) => m.type === 'chat' && m.text === 'four');
    await first.close({ timeoutMs: 1000 });

    // Its own list went with it: only the broker still knows the room's lines.
    const second = await chatBackend(tcpPort);
    stops.push(() => second.close({ timeoutMs: 1000 }));
    const bob = await connectClient(roomUrl(wsUrl, 'kept', { name: 'bob' }));
    stops.push(() => bob.close());
    const history = await bob.waitFor<Extract<ServerMessage, { type: 'history' }>>((m) => m.type === 'history');
    expect(history.messages.map((line) => line.text)).toEqual(['two', 'three', 'four']);
  });
});
