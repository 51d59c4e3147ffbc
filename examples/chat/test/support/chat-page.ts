// Drives the chat page in Chromium the way a person would: fill the form, join, type, read.
import type { Browser, Page } from 'playwright-core';

export interface ChatPage {
  page: Page;
  /** Sends `text` through the message box. */
  say(text: string): Promise<void>;
  /** Waits for a conversation line containing `text`, with the given class (chat, dm, notice, ...). */
  waitForLine(text: string, kind?: string): Promise<void>;
  /** The text of every conversation line. */
  lines(): Promise<string[]>;
  /** The names listed under "Who is here". */
  members(): Promise<string[]>;
}

/** Opens the page and joins `room` as `name` (with `token`); waits until joined. */
export async function joinChat(browser: Browser, pageUrl: string, name: string, room: string, token = ''): Promise<ChatPage> {
  const page = await openJoinForm(browser, pageUrl, name, room, token);
  await page.click('#join');
  await page.waitForSelector('#status[data-state="open"]');
  await page.waitForFunction((me) => document.getElementById('me')?.textContent?.includes(me), name);
  return {
    page,
    async say(text) {
      await page.fill('#text', text);
      await page.press('#text', 'Enter');
    },
    async waitForLine(text, kind) {
      await page.waitForFunction(
        ({ text, kind }) => [...document.querySelectorAll(`#messages li${kind ? `.${kind}` : ''}`)].some((li) => li.textContent?.includes(text)),
        { text, kind },
      );
    },
    lines: () => page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent ?? '')),
    members: () => page.$$eval('#who li', (lis) => lis.map((li) => li.firstChild?.textContent ?? '')),
  };
}

/** Opens the page with the join form filled, not yet submitted. */
export async function openJoinForm(browser: Browser, pageUrl: string, name: string, room: string, token = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  await page.goto(pageUrl);
  await page.waitForSelector('body[data-ready="true"]');
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.fill('#token', token);
  return page;
}
