// Room history recovery end to end in real Chromium: @strands/browser with its recovery entry, a real broker and backend.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as StrandsModule from '../src/index.js';
import type * as RecoveryModule from '../src/recovery.js';
import { startBrowser, type BrowserHarness } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';

declare global {
  interface Window {
    Strands: typeof StrandsModule;
    StrandsRecovery: typeof RecoveryModule;
    recovering: StrandsModule.StrandsClient;
    seen: { type: string; payload: unknown }[];
  }
}

let harness: BrowserHarness;
let stack: Stack;
let page: Page;

const ROOM = '/ws/hist';

beforeAll(async () => {
  harness = await startBrowser();
});
afterAll(async () => {
  await harness?.close();
});
beforeEach(async () => {
  stack = await startStack({ historyRooms: ['/ws/hist*'], historySize: 20 });
  page = await harness.newPage();
});
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') console.error('page events:', JSON.stringify(await page.evaluate(() => window.seen).catch(() => 'unavailable')));
  await page?.close();
  await stack?.stop();
});

/** Opens `window.recovering` with a session, recording its messages and session events. */
async function open(url: string): Promise<void> {
  await page.evaluate((url) => {
    window.seen = [];
    const { connect } = window.Strands;
    window.recovering = connect(url, { session: window.StrandsRecovery.recovery(), initialBackoffMs: 50, maxBackoffMs: 200 });
    for (const type of ['message', 'session', 'recovered', 'recovery_failed', 'close'] as const) {
      window.recovering.on(type, (payload: unknown) => window.seen.push({ type, payload }));
    }
  }, url);
}

function seen(type: string): Promise<unknown[]> {
  return page.evaluate((type) => window.seen.filter((e) => e.type === type).map((e) => e.payload), type);
}

async function waitSeen(type: string, n = 1): Promise<void> {
  await page.waitForFunction(({ type, n }) => window.seen.filter((e) => e.type === type).length >= n, { type, n });
}

async function waitMessage(text: string): Promise<void> {
  await page.waitForFunction((text) => window.seen.some((e) => e.type === 'message' && e.payload === text), text);
}

/** Cuts the page's connection from the broker side with a transient code (it reconnects), then publishes `missed` in the same breath. */
async function cutAndPublish(clientId: string, missed: string[]): Promise<void> {
  const disconnected = stack.backend.disconnect(clientId, { code: 3001, reason: 'cut' });
  const sent = missed.map((m) => stack.backend.sendToRoom(ROOM, m));
  await Promise.all([disconnected, ...sent]);
}

describe('@strands/browser recovery in Chromium (single broker)', () => {
  it('a page in a room with history gets what it missed while cut off, exactly once and in order, then live', async () => {
    await open(`${stack.wsUrl}${ROOM}`);
    await waitSeen('session');
    const [{ clientId }] = (await seen('session')) as [{ clientId: string }];
    for (const m of ['m1', 'm2', 'm3']) await stack.backend.sendToRoom(ROOM, m);
    await waitMessage('m3');
    const missed = Array.from({ length: 10 }, (_, i) => `gap${i + 1}`);
    await cutAndPublish(clientId, missed);
    await waitSeen('recovered');
    await stack.backend.sendToRoom(ROOM, 'live');
    await waitMessage('live');

    expect(await seen('message')).toEqual(['m1', 'm2', 'm3', ...missed, 'live']);
    expect(await seen('recovered')).toEqual([{ room: ROOM, replayed: 10 }]);
    expect(await seen('session')).toEqual([
      { clientId, resumed: false },
      { clientId, resumed: true },
    ]);
    expect(await seen('recovery_failed')).toEqual([]);
    const order = await page.evaluate(() => window.seen.map((e) => (e.type === 'message' ? e.payload : e.type)));
    // The missed messages come before `recovered`, and the live one after it.
    expect(order.indexOf('recovered')).toBe(order.indexOf('gap10') + 1);
    expect(order.indexOf('live')).toBeGreaterThan(order.indexOf('recovered'));
  });

  it('a gap larger than the history gives recovery_failed and no partial replay', async () => {
    await open(`${stack.wsUrl}${ROOM}`);
    await waitSeen('session');
    const [{ clientId }] = (await seen('session')) as [{ clientId: string }];
    await stack.backend.sendToRoom(ROOM, 'before');
    await waitMessage('before');
    await cutAndPublish(clientId, Array.from({ length: 30 }, (_, i) => `lost${i + 1}`));
    await waitSeen('recovery_failed');
    await stack.backend.sendToRoom(ROOM, 'after');
    await waitMessage('after');
    expect(await seen('message')).toEqual(['before', 'after']);
    expect(await seen('recovery_failed')).toEqual([{ room: ROOM, reason: 'trimmed' }]);
    expect(await seen('recovered')).toEqual([]);
  });
});
