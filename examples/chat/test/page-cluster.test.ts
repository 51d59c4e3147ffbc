// The chat page in real Chromium on a cluster: two brokers on a real Redis, one tab on each; what
// one tab sends, the other shows, and each tab says which broker it is on.
import { launchChromium } from '@strands/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinChat } from './support/chat-page.js';
import { startChatCluster, type ChatClusterStack } from './support/cluster-stack.js';

let browser: Browser;
let stack: ChatClusterStack;

beforeAll(async () => {
  [browser, stack] = await Promise.all([launchChromium(), startChatCluster()]);
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const brokerShown = (page: Page) => page.$eval('#broker', (el) => ({ number: (el as HTMLElement).dataset.broker, text: el.textContent, hidden: (el as HTMLElement).hidden }));

// Real browsers on a loaded 2-core machine: a guard well above the usual few seconds.
describe('the chat page on a cluster of two brokers', { timeout: 90_000 }, () => {
  it('lets a tab on broker 1 and a tab on broker 2 chat, each showing its broker', async () => {
    const alice = await joinChat(browser, `${stack.pageUrl}?broker=1`, 'alice', 'room1');
    const bob = await joinChat(browser, `${stack.pageUrl}?broker=2`, 'bob', 'room1');
    expect(await brokerShown(alice.page)).toEqual({ number: '1', text: 'broker 1 of 2', hidden: false });
    expect(await brokerShown(bob.page)).toEqual({ number: '2', text: 'broker 2 of 2', hidden: false });

    await alice.waitForLine('bob joined #room1', 'notice');
    await alice.say('hello across brokers');
    await bob.waitForLine('hello across brokers', 'chat');
    await bob.say('and back');
    await alice.waitForLine('and back', 'chat');
    await alice.page.waitForFunction(() => document.querySelectorAll('#who li').length === 2);
    expect((await bob.lines()).filter((l) => l.includes('hello across brokers'))).toHaveLength(1);
    await Promise.all([alice.page.context().close(), bob.page.context().close()]);
  });

  it('gives two tabs of one browser two brokers in turn, and a reload keeps its broker', async () => {
    const context = await browser.newContext();
    const open = async (): Promise<Page> => {
      const page = await context.newPage();
      await page.goto(stack.pageUrl);
      await page.waitForSelector('body[data-ready="true"]');
      return page;
    };
    const first = await open();
    const second = await open();
    const numbers = [(await brokerShown(first)).number, (await brokerShown(second)).number];
    expect(numbers.sort()).toEqual(['1', '2']);
    const before = (await brokerShown(second)).number;
    await second.reload();
    await second.waitForSelector('body[data-ready="true"]');
    expect((await brokerShown(second)).number).toBe(before);
    await context.close();
  });
});
