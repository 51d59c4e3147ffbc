// The chat backend given both brokers of a cluster carries on when one of them goes away: the
// clients of the other keep chatting, and presence (in the one backend) stays right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChatCluster, type ChatClusterStack } from './support/cluster-stack.js';
import { connectClient, roomUrl } from './support/ws-client.js';

let stack: ChatClusterStack;

beforeAll(async () => {
  stack = await startChatCluster();
});
afterAll(async () => {
  await stack?.stop();
});

describe('the chat backend on a cluster of two brokers', { timeout: 60_000 }, () => {
  it('keeps serving the clients of broker 2 after broker 1, the one it sent its commands through, stops', async () => {
    const [one, two] = stack.brokers;
    const alice = await connectClient(roomUrl(one!.wsUrl, 'room1', { name: 'alice' }));
    const bob = await connectClient(roomUrl(two!.wsUrl, 'room1', { name: 'bob' }));
    const carol = await connectClient(roomUrl(two!.wsUrl, 'room1', { name: 'carol' }));
    await alice.waitFor((m) => m.type === 'join' && m.user.name === 'carol');

    await stack.stopBroker(0);
    await carol.waitFor((m) => m.type === 'leave' && m.user.name === 'alice'); // alice's disconnected reached the backend
    bob.send({ type: 'chat', text: 'still here?' });
    await carol.waitFor((m) => m.type === 'chat' && m.text === 'still here?');
    bob.send({ type: 'chat', text: '@carol yes, through broker 2' });
    await carol.waitFor((m) => m.type === 'dm' && m.text === 'yes, through broker 2');
    // A newcomer on broker 2 is admitted and sees the room's history.
    const dave = await connectClient(roomUrl(two!.wsUrl, 'room1', { name: 'dave' }));
    const history = dave.received.find((m) => m.type === 'history');
    expect(history?.type === 'history' && history.messages.map((line) => line.text)).toContain('still here?');
    expect(alice.ws.readyState).toBe(alice.ws.CLOSED);
  });
});
