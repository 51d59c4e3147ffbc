// The chat page in real Chromium against a real broker, the chat backend and the page server.
import { launchChromium } from '@strands/testing';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { joinChat, openJoinForm, type ChatPage } from './support/chat-page.js';
import { ADMIN_TOKEN, startChatStack, type ChatStack } from './support/stack.js';

let browser: Browser;
let stack: ChatStack;
let pageUrl: string;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await startChatStack({ page: true });
  pageUrl = stack.pageUrl!;
});
afterEach(async () => {
  for (const context of browser.contexts()) await context.close();
  await stack.stop();
});

// Real browsers on a loaded 2-core machine: a guard well above the usual few seconds.
describe('the chat page', { timeout: 90_000 }, () => {
  it('lets two people chat in a room and shows who is here', async () => {
    const alice = await joinChat(browser, pageUrl, 'alice', 'room1');
    const bob = await joinChat(browser, pageUrl, 'bob', 'room1');
    await alice.waitForLine('bob joined #room1', 'notice');
    await alice.page.waitForFunction(() => document.querySelectorAll('#who li').length === 2);
    expect(await alice.members()).toEqual(['alice', 'bob']);

    await alice.say('hello bob');
    await bob.waitForLine('hello bob', 'chat');
    await bob.say('hi alice');
    await alice.waitForLine('hi alice', 'chat');
    expect((await bob.lines()).filter((l) => l.includes('hello bob'))).toHaveLength(1);
    expect((await bob.lines()).find((l) => l.includes('hello bob'))).toContain('alice');

    await bob.page.click('#leave');
    await alice.waitForLine('bob left #room1', 'notice');
    await alice.page.waitForFunction(() => document.querySelectorAll('#who li').length === 1);
  });

  it('delivers a DM to its target only', async () => {
    const alice = await joinChat(browser, pageUrl, 'alice', 'room1');
    const bob = await joinChat(browser, pageUrl, 'bob', 'room1');
    const carol = await joinChat(browser, pageUrl, 'carol', 'room1');
    await alice.say('@bob the secret is 42');
    await bob.waitForLine('the secret is 42', 'dm');
    await alice.waitForLine('you → bob', 'dm');
    expect((await bob.lines()).find((l) => l.includes('the secret'))).toContain('alice → you');
    await alice.say('now for everyone');
    await carol.waitForLine('now for everyone', 'chat');
    expect((await carol.lines()).some((l) => l.includes('the secret'))).toBe(false);
  });

  it('shows a newcomer the room\'s history', async () => {
    const alice = await joinChat(browser, pageUrl, 'alice', 'history-room');
    await alice.say('first message');
    await alice.say('second message');
    await alice.waitForLine('second message', 'chat');
    const dave = await joinChat(browser, pageUrl, 'dave', 'history-room');
    await dave.waitForLine('second message', 'chat');
    const lines = await dave.lines();
    expect(lines.findIndex((l) => l.includes('first message'))).toBeLessThan(lines.findIndex((l) => l.includes('second message')));
  });

  it('shows a rejected token\'s reason on the join form', async () => {
    const page = await openJoinForm(browser, pageUrl, 'mallory', 'room1', 'not-the-token');
    await page.click('#join');
    await page.waitForSelector('#join-error:not([hidden])');
    expect(await page.textContent('#join-error')).toBe('Rejected: invalid token');
    expect(await page.isVisible('#join-form')).toBe(true);
  });

  it('shows a taken name\'s reason on the join form (a 409 is a refusal, not "replaced")', async () => {
    await joinChat(browser, pageUrl, 'alice', 'room1');
    const page = await openJoinForm(browser, pageUrl, 'alice', 'room2');
    await page.click('#join');
    await page.waitForSelector('#join-error:not([hidden])');
    expect(await page.textContent('#join-error')).toBe('Rejected: the name "alice" is taken');
    expect(await page.isVisible('#join-form')).toBe(true);
  });

  it('lets an admin announce to everyone, and answers /who through the request route', async () => {
    const admin = await joinChat(browser, pageUrl, 'root', 'ops', ADMIN_TOKEN);
    const alice: ChatPage = await joinChat(browser, pageUrl, 'alice', 'room1');
    await admin.say('/announce deploy at five');
    await alice.waitForLine('deploy at five', 'announce');
    await alice.say('/announce me too');
    await alice.waitForLine('only admins may /announce', 'error');
    await alice.say('/who');
    await alice.waitForLine('In #room1: alice', 'notice');
  });
});
