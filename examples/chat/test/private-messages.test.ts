// The private-message routes with raw ws clients against a real broker and the chat backend:
// `message` resolves once the recipient's queue took it, `messages.incoming` sends only under the
// credits granted, and cancel ends the producer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChatStack, type ChatStack } from './support/stack.js';
import { connectClient, roomUrl, type TestClient } from './support/ws-client.js';

let stack: ChatStack;

beforeEach(async () => {
  stack = await startChatStack();
});
afterEach(async () => {
  await stack.stop();
});

interface Envelope {
  strands?: string;
  id?: string;
  data?: unknown;
  code?: string;
}

const envelopes = (client: TestClient, id: string) => (client.received as unknown as Envelope[]).filter((m) => m.id === id && m.strands !== undefined);
async function nth(client: TestClient, id: string, n: number): Promise<Envelope> {
  await client.waitFor(() => envelopes(client, id).length >= n);
  return envelopes(client, id)[n - 1]!;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('private messages: message and messages.incoming', () => {
  it('queues for the recipient, sends under credits, and stops the producer on cancel', async () => {
    const alice = await connectClient(roomUrl(stack.wsUrl, 'room1', { name: 'alice' }));
    const bob = await connectClient(roomUrl(stack.wsUrl, 'room2', { name: 'bob' }));
    bob.send({ strands: 'stream', id: 'in', route: 'messages.incoming', data: {}, n: 1 });
    await until(() => stack.backend.privateMessages.producers === 1, 'the producer');
    for (const [i, content] of ['one', 'two', 'three'].entries()) {
      alice.send({ strands: 'request', id: `m${i}`, route: 'message', data: { user: 'BOB', content } });
      expect(await nth(alice, `m${i}`, 1)).toEqual({ strands: 'response', id: `m${i}`, data: { user: 'bob' } });
    }
    expect(await nth(bob, 'in', 1)).toEqual({ strands: 'next', id: 'in', data: { user: 'alice', content: 'one' } });
    // One credit: the rest wait in bob's queue until he grants more.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(envelopes(bob, 'in')).toHaveLength(1);
    bob.send({ strands: 'request_n', id: 'in', n: 2 });
    expect((await nth(bob, 'in', 3)).data).toEqual({ user: 'alice', content: 'three' });
    bob.send({ strands: 'cancel', id: 'in' });
    await until(() => stack.backend.privateMessages.producers === 0, 'the producer to end');
    alice.send({ strands: 'request', id: 'late', route: 'message', data: { user: 'bob', content: 'later' } });
    await nth(alice, 'late', 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(envelopes(bob, 'in')).toHaveLength(3);
  });

  it('refuses an unknown user (not_found) and bad input (invalid_input)', async () => {
    const alice = await connectClient(roomUrl(stack.wsUrl, 'room1', { name: 'alice' }));
    alice.send({ strands: 'request', id: 'x', route: 'message', data: { user: 'nobody', content: 'hi' } });
    expect(await nth(alice, 'x', 1)).toMatchObject({ strands: 'error', code: 'not_found' });
    alice.send({ strands: 'request', id: 'y', route: 'message', data: { user: 'alice', content: '' } });
    expect(await nth(alice, 'y', 1)).toMatchObject({ strands: 'error', code: 'invalid_input' });
  });

  it('ends the producer when the listener leaves', async () => {
    const bob = await connectClient(roomUrl(stack.wsUrl, 'room2', { name: 'bob' }));
    bob.send({ strands: 'stream', id: 'in', route: 'messages.incoming', data: {}, n: 4 });
    await until(() => stack.backend.privateMessages.producers === 1, 'the producer');
    await bob.close();
    await until(() => stack.backend.privateMessages.producers === 0, 'the producer to end');
  });
});
