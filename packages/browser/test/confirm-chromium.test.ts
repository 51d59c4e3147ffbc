// Confirmed sends end to end in real Chromium: the bundled client with its confirm entry, a real
// broker and backend; and a server that does not know `confirm` (an older broker).
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as ConfirmModule from '../src/confirm.js';
import type * as StrandsModule from '../src/index.js';
import { startBrowser, type BrowserHarness } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';
import { startServer, type TestServer } from './support/ws-server.js';

declare global {
  interface Window {
    StrandsConfirm: typeof ConfirmModule;
    confirming: StrandsModule.StrandsClient;
    /** What each confirmed send came to, by its label, in the order they settled. */
    outcomes: { label: string; result: string }[];
    refusals: StrandsModule.Refusal[];
    received: string[];
  }
}

let harness: BrowserHarness;
let stack: Stack | undefined;
let server: TestServer | undefined;
let page: Page;

beforeAll(async () => {
  harness = await startBrowser();
});
afterAll(async () => {
  await harness?.close();
});
afterEach(async () => {
  await page?.close();
  await stack?.stop();
  await server?.stop();
  stack = undefined;
  server = undefined;
});

async function openClient(url: string): Promise<void> {
  page = await harness.newPage();
  await page.evaluate((url) => {
    window.outcomes = [];
    window.refusals = [];
    window.received = [];
    window.confirming = window.Strands.connect(url, { confirms: window.StrandsConfirm.confirmedSends(), initialBackoffMs: 50, maxBackoffMs: 200 });
    window.confirming.on('refused', (refusal) => window.refusals.push(refusal));
    window.confirming.on('message', (data) => window.received.push(String(data)));
  }, url);
  await page.waitForFunction(() => window.confirming.state === 'open');
}

/** Starts a confirmed send in the page; its outcome lands in `window.outcomes`. */
async function confirmSend(label: string, text = label): Promise<void> {
  await page.evaluate(
    ({ label, text }) => {
      window.confirming.send(text, { confirm: true }).then(
        () => window.outcomes.push({ label, result: 'accepted' }),
        (error: StrandsModule.StrandsClientError) => window.outcomes.push({ label, result: error.code }),
      );
    },
    { label, text },
  );
}

const outcomes = () => page.evaluate(() => window.outcomes);

async function waitOutcomes(n: number): Promise<{ label: string; result: string }[]> {
  await page.waitForFunction((n) => window.outcomes.length >= n, n);
  return outcomes();
}

async function backends(stack: Stack): Promise<number> {
  const res = await fetch(`${stack.wsUrl.replace('ws://', 'http://')}/healthz`);
  return ((await res.json()) as { backends: number }).backends;
}

describe('confirmed sends in Chromium', () => {
  it('resolve once the broker passed the message on or queued it, and reject when the queue refuses it', async () => {
    stack = await startStack({ queueSize: 2, queueOverflow: 'reject' });
    await openClient(`${stack.wsUrl}/ws/room`);
    await confirmSend('live');
    expect(await waitOutcomes(1)).toEqual([{ label: 'live', result: 'accepted' }]);
    // The backend got the message itself (its room echo comes back), never the confirm frame.
    await page.waitForFunction(() => window.received.includes('live'));
    expect(await page.evaluate(() => window.received)).toEqual(['live']);

    // No backend: two fit in the queue, the third is refused to this very send.
    await stack.backend.close({ timeoutMs: 1000 });
    for (let i = 0; i < 100 && (await backends(stack)) > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    for (const label of ['q1', 'q2', 'q3']) await confirmSend(label);
    expect(await waitOutcomes(4)).toEqual([
      { label: 'live', result: 'accepted' },
      { label: 'q1', result: 'accepted' },
      { label: 'q2', result: 'accepted' },
      { label: 'q3', result: 'overloaded' },
    ]);
    // A plain send past the bound: its promise only says it was written; the refusal comes as an event.
    await page.evaluate(() => window.confirming.send('plain'));
    await page.waitForFunction(() => window.refusals.length === 1);
    expect(await page.evaluate(() => window.refusals)).toEqual([{ code: 'overloaded', message: 'queue full: message refused' }]);
  });

  it('rejects with no_backend when the queue is disabled and no backend is there', async () => {
    stack = await startStack({ queueSize: 0 });
    await openClient(`${stack.wsUrl}/ws/room`);
    await stack.backend.close({ timeoutMs: 1000 });
    for (let i = 0; i < 100 && (await backends(stack)) > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    await confirmSend('nowhere');
    expect(await waitOutcomes(1)).toEqual([{ label: 'nowhere', result: 'no_backend' }]);
  });

  it('against a server that never answers confirm (an older broker): pending until the connection closes, then closed', async () => {
    server = await startServer();
    await openClient(`${server.url}/ws/room`);
    const peer = await server.peers.next();
    await confirmSend('unanswered', 'hello');
    // The server sees the confirm frame, then the message itself, unchanged.
    expect(await peer.messages.next()).toBe('{"strands":"confirm","id":1}');
    expect(await peer.messages.next()).toBe('hello');
    // Nothing answers: the send is not confirmed...
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 200)));
    expect(await outcomes()).toEqual([]);
    // ...until the connection closes: it fails, it does not hang.
    peer.ws.close(1001, 'going away');
    expect(await waitOutcomes(1)).toEqual([{ label: 'unanswered', result: 'closed' }]);
  });
});
