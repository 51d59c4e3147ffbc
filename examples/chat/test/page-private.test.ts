// Private messages the reactive way, in real Chromium: the "listen for private messages" toggle
// opens the `messages.incoming` stream and cancels it; `/msg name text` calls the `message` route.
import { connectWithContract } from '@strands/browser/contract';
import { launchChromium } from '@strands/testing';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { chatContract } from '../src/contract.js';
import { joinChat } from './support/chat-page.js';
import { startChatStack, type ChatStack } from './support/stack.js';

let browser: Browser;
let stack: ChatStack;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await startChatStack({ page: true });
});
afterEach(async () => {
  for (const context of browser.contexts()) await context.close();
  await stack.stop();
});

/** Waits until `check` holds (the backend's state changes after the page's). */
async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('private messages through routes', { timeout: 90_000 }, () => {
  it('user2 listens, user1 sends: exactly that message arrives; after cancel nothing does and no producer is left', async () => {
    const user1 = await joinChat(browser, stack.pageUrl!, 'user1', 'room1');
    const user2 = await joinChat(browser, stack.pageUrl!, 'user2', 'room2'); // another room: names reach across rooms
    const privates = () => user2.page.$$eval('#messages li.private', (lis) => lis.map((li) => li.textContent ?? ''));

    await user2.page.check('#listen');
    await until(() => stack.backend.privateMessages.producers === 1, 'the messages.incoming producer');
    await user1.say('/msg user2 meet at noon');
    await user1.waitForLine('you → user2 (private)meet at noon', 'private');
    await user2.waitForLine('meet at noon', 'private');
    expect(await privates()).toEqual(['user1 → you (private)meet at noon']);

    await user2.page.uncheck('#listen');
    await until(() => stack.backend.privateMessages.producers === 0, 'the producer to end after cancel');
    await user1.say('/msg user2 are you there?');
    await user1.waitForLine('you → user2 (private)are you there?', 'private'); // queued for user2, resolved
    await user1.say('@user2 a plain DM still arrives'); // a round trip through user2's connection
    await user2.waitForLine('a plain DM still arrives', 'dm');
    expect(await privates()).toEqual(['user1 → you (private)meet at noon']);
    expect(stack.backend.privateMessages.producers).toBe(0);
  });

  it('refuses a private message to an unknown user with a typed error', async () => {
    const user1 = await joinChat(browser, stack.pageUrl!, 'user1', 'room1');
    await user1.say('/msg nobody hello?');
    await user1.waitForLine('⚠ /msg failed: nobody called "nobody" is connected', 'error');
    // The same through the client API: a RemoteError with the route's code.
    const client = connectWithContract(`${stack.wsUrl}/ws/room1?name=user3`, chatContract, { WebSocket });
    try {
      await expect(client.request('message', { user: 'nobody', content: 'hello?' })).rejects.toMatchObject({ code: 'remote_error', remoteCode: 'not_found' });
      await expect(client.request('message', { user: 'user1', content: 'hi' })).resolves.toEqual({ user: 'user1' });
    } finally {
      client.close();
    }
  });

  it('the stream ends when the page leaves', async () => {
    const user2 = await joinChat(browser, stack.pageUrl!, 'user2', 'room2');
    await user2.page.check('#listen');
    await until(() => stack.backend.privateMessages.producers === 1, 'the producer');
    await user2.page.click('#leave');
    await until(() => stack.backend.privateMessages.producers === 0, 'the producer to end after leaving');
  });
});
