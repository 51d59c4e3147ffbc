// The chat page's small promises in real Chromium: ?name/?token/?room on its URL, one name and id per
// tab, typing notices only for room messages, no favicon request to fail.
import { launchChromium } from '@strands/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { joinChat } from './support/chat-page.js';
import { ADMIN_TOKEN, startChatStack, type ChatStack } from './support/stack.js';
import { connectClient, roomUrl, type TestClient } from './support/ws-client.js';

let browser: Browser;
let stack: ChatStack;
let pageUrl: string;
const watchers: TestClient[] = [];

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
  for (const watcher of watchers.splice(0)) await watcher.close();
  for (const context of browser.contexts()) await context.close();
  await stack.stop();
});

/** A raw client in `room` that records everything the room is sent. */
async function watch(room: string, name: string): Promise<TestClient> {
  const watcher = await connectClient(roomUrl(stack.wsUrl, room, { name }));
  watchers.push(watcher);
  return watcher;
}

async function open(page: Page, url: string): Promise<Page> {
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

const joined = (page: Page, name: string) =>
  page.waitForFunction((me) => document.getElementById('me')?.textContent?.includes(me), name);

// Real browsers on a loaded 2-core machine: a guard well above the usual few seconds.
describe('the chat page, details', { timeout: 90_000 }, () => {
  it('fills name, admin token and room from its URL, and the token reaches the broker', async () => {
    const lobby = await watch('lobby', 'watcher');
    const page = await open(await browser.newPage(), `${pageUrl}?name=ada&token=${ADMIN_TOKEN}&room=ops`);
    expect(await page.inputValue('#name')).toBe('ada');
    expect(await page.inputValue('#token')).toBe(ADMIN_TOKEN);
    expect(await page.inputValue('#room')).toBe('ops');
    await page.click('#join');
    await joined(page, 'ada (admin)');
    await page.fill('#text', '/announce tea in five');
    await page.press('#text', 'Enter');
    // An announcement reaches every room, so the admin role was really granted.
    await lobby.waitFor((m) => m.type === 'announce' && m.text === 'tea in five');
  });

  it('keeps the name per tab: a second tab starts empty, a reload keeps its own', async () => {
    const context = await browser.newContext();
    const first = await open(await context.newPage(), pageUrl);
    await first.fill('#name', 'alice');
    await first.fill('#room', 'tabs');
    await first.click('#join');
    await joined(first, 'alice');

    const second = await open(await context.newPage(), pageUrl);
    expect(await second.inputValue('#name')).toBe('');
    await second.fill('#name', 'bob');
    await second.fill('#room', 'tabs');
    await second.click('#join');
    await joined(second, 'bob');
    // Two members, not one replacing the other: the tabs have different client ids too.
    await first.waitForFunction(() => document.querySelectorAll('#who li').length === 2);

    await first.reload();
    await first.waitForSelector('body[data-ready="true"]');
    expect(await first.inputValue('#name')).toBe('alice');
  });

  it('sends typing notices for room messages only, not for /commands or @name DMs', async () => {
    const room = await watch('room1', 'watcher');
    const alice = await joinChat(browser, pageUrl, 'alice', 'room1');
    // Typed key by key, as a person does: every keystroke is an input event.
    await alice.page.type('#text', '/who');
    await alice.page.press('#text', 'Enter');
    await alice.waitForLine('In #room1:', 'notice');
    await alice.page.type('#text', '/announce hello');
    await alice.page.press('#text', 'Enter');
    await alice.waitForLine('only admins may /announce', 'error');
    await alice.page.type('#text', '@watcher psst');
    await alice.page.press('#text', 'Enter');
    await room.waitFor((m) => m.type === 'dm' && m.text === 'psst');
    await alice.page.type('#text', 'hello room');
    await alice.page.press('#text', 'Enter');
    // The room's messages arrive in order, so the chat line comes after every notice sent before it.
    await room.waitFor((m) => m.type === 'chat' && m.text === 'hello room');
    const kinds = room.received.filter((m) => m.type === 'typing' || m.type === 'chat').map((m) => m.type);
    expect(kinds).toEqual(['typing', 'chat']);
  });

  it('declares an icon that loads, so no /favicon.ico request fails', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await open(page, pageUrl);
    // What a browser fetches for the tab's icon: the declared one, else /favicon.ico.
    const status = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel~="icon"]')?.href ?? new URL('/favicon.ico', location.href).href;
      return (await fetch(href)).status;
    });
    expect(status).toBe(200);
    expect(errors).toEqual([]);
  });
});
