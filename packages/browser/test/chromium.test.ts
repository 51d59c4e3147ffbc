// End to end in real Chromium: the bundled client, a real broker and a real backend.
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as StrandsModule from '../src/index.js';
import { startBrowser, type BrowserHarness } from './support/browser.js';
import { startStack, type Stack } from './support/stack.js';

declare global {
  interface Window {
    Strands: typeof StrandsModule;
    client: StrandsModule.StrandsClient;
    events: { type: string; payload: unknown }[];
  }
}

let harness: BrowserHarness;
let stack: Stack;
let page: Page;

beforeAll(async () => {
  harness = await startBrowser();
});
afterAll(async () => {
  await harness?.close();
});
beforeEach(async () => {
  stack = await startStack();
  page = await harness.newPage();
});
afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    console.error('page events:', JSON.stringify(await page.evaluate(() => window.events).catch(() => 'unavailable')));
  }
  await page?.close();
  await stack?.stop();
});

/** Opens `window.client` in the page, recording every event into `window.events`. */
async function openClient(url: string, options: StrandsModule.ConnectOptions = {}): Promise<void> {
  await page.evaluate(
    ({ url, options }) => {
      window.events = [];
      window.client = window.Strands.connect(url, { initialBackoffMs: 50, maxBackoffMs: 500, ...options });
      for (const type of ['open', 'message', 'close', 'reconnecting', 'error'] as const) {
        window.client.on(type, (payload) => {
          const recorded = payload instanceof Error ? { ...payload, name: payload.name, code: payload.code, message: payload.message } : payload;
          window.events.push({ type, payload: recorded });
        });
      }
    },
    { url, options },
  );
}

/** Waits in the page for the n-th event of `type` and returns its payload. */
async function waitForEvent(type: string, nth = 1): Promise<unknown> {
  await page.waitForFunction(({ type, nth }) => window.events.filter((e) => e.type === type).length >= nth, { type, nth });
  return page.evaluate(({ type, nth }) => window.events.filter((e) => e.type === type)[nth - 1]!.payload, { type, nth });
}

describe('@strands/browser in Chromium', () => {
  it('connects with strands.v1 and exchanges room messages between two clients', async () => {
    const result = await page.evaluate(async (url) => {
      const { connect } = window.Strands;
      const alice = connect(url);
      const bob = connect(url);
      const opened = await Promise.all([alice, bob].map((c) => new Promise((resolve) => c.on('open', resolve))));
      const received = new Promise((resolve) => bob.on('message', resolve));
      await alice.send('hello from alice');
      const message = await received;
      alice.close();
      bob.close();
      return { opened, message };
    }, `${stack.wsUrl}/ws/lobby`);
    expect(result.opened).toEqual([
      { reconnected: false, protocol: 'strands.v1' },
      { reconnected: false, protocol: 'strands.v1' },
    ]);
    expect(result.message).toBe('hello from alice');
  });

  it('receives bytes a backend sends as an ArrayBuffer with exactly those bytes', async () => {
    const result = await page.evaluate(async (url) => {
      const { connect } = window.Strands;
      const alice = connect(url);
      const bob = connect(url);
      await Promise.all([alice, bob].map((c) => new Promise((resolve) => c.on('open', resolve))));
      const received = new Promise<string | ArrayBuffer>((resolve) => bob.on('message', resolve));
      await alice.send(new Uint8Array([0, 1, 127, 128, 255]));
      const message = await received;
      alice.close();
      bob.close();
      return message instanceof ArrayBuffer ? { binary: [...new Uint8Array(message)] } : { text: message };
    }, `${stack.wsUrl}/ws/bytes`);
    expect(result).toEqual({ binary: [0, 1, 127, 128, 255] });
  });

  it('reports a rejection with the backend reason and does not reconnect', async () => {
    await openClient(`${stack.wsUrl}/ws/vip?reject=${encodeURIComponent('banned: spam')}`);
    // Sent before the verdict: it must fail with the rejection, never vanish.
    await page.evaluate(() => {
      (window as unknown as { early: Promise<string> }).early = window.client.send('early').then(
        () => 'sent',
        (e: StrandsModule.StrandsClientError) => e.code,
      );
    });
    const error = await waitForEvent('error');
    expect(error).toMatchObject({ name: 'RejectedError', code: 'rejected', closeCode: 4403, reason: 'banned: spam' });
    const after = await page.evaluate(async () => ({
      state: window.client.state,
      types: window.events.map((e) => e.type).filter((type) => type !== 'open'),
      early: await (window as unknown as { early: Promise<string> }).early,
      late: await window.client.send('late').then(
        () => 'sent',
        (e: StrandsModule.RejectedError) => `${e.code} ${e.status}`,
      ),
    }));
    // Closed when the rejection arrived: no reconnect timer exists. (The socket may report
    // "open" just before: the broker upgrades a strands.v1 client in order to close it.)
    expect(after).toEqual({ state: 'closed', types: ['error', 'close'], early: 'rejected', late: 'rejected 403' });
    expect(stack.decisions).toEqual([{ path: '/ws/vip', accepted: false }]);
  });

  it('reports a 409 refusal as rejected with the backend reason, not as replaced', async () => {
    await openClient(`${stack.wsUrl}/ws/names?reject=${encodeURIComponent('name taken')}&status=409`);
    const error = await waitForEvent('error');
    expect(error).toMatchObject({ name: 'RejectedError', code: 'rejected', closeCode: 4409, reason: 'name taken', message: 'connection rejected (4409): name taken' });
    expect(await page.evaluate(() => window.client.state)).toBe('closed');
  });

  it('reports a connection replaced by a newer one with the same client id as replaced (4900)', async () => {
    await openClient(`${stack.wsUrl}/ws/dup?id=same`);
    await waitForEvent('open');
    const newer = await harness.newPage();
    try {
      await newer.evaluate((url) => new Promise((resolve) => window.Strands.connect(url).on('open', resolve)), `${stack.wsUrl}/ws/dup?id=same`);
      expect(await waitForEvent('error')).toMatchObject({ name: 'RejectedError', code: 'replaced', closeCode: 4900, reason: 'replaced' });
      expect(await waitForEvent('close')).toEqual({ code: 4900, reason: 'replaced', willReconnect: false });
      expect(await page.evaluate(() => window.client.state)).toBe('closed');
    } finally {
      await newer.close();
    }
  });

  it('reconnects by itself after a broker restart and delivers what was sent meanwhile', async () => {
    await openClient(`${stack.wsUrl}/ws/restart`);
    await waitForEvent('open');

    await stack.stopBroker();
    expect(await waitForEvent('close')).toMatchObject({ code: 1001, willReconnect: true });
    await waitForEvent('reconnecting');
    await page.evaluate(() => {
      (window as unknown as { pending: Promise<void> }).pending = window.client.send('sent while the broker was down');
    });
    expect(await page.evaluate(() => window.client.state)).toBe('reconnecting');

    await stack.startBroker();
    expect(await waitForEvent('open', 2)).toEqual({ reconnected: true, protocol: 'strands.v1' });
    // The buffered message went out on the new connection and came back through the room.
    expect(await waitForEvent('message')).toBe('sent while the broker was down');
    await page.evaluate(() => (window as unknown as { pending: Promise<void> }).pending);
    expect(await page.evaluate(() => window.client.state)).toBe('open');
  });

  it('answers requests with typed results and remote errors', async () => {
    await openClient(`${stack.wsUrl}/ws/math`);
    const result = await page.evaluate(async () => {
      const outcome = (p: Promise<unknown>) =>
        p.then(
          (value) => ({ value }),
          (e: StrandsModule.RemoteError) => ({ code: e.code, remoteCode: e.remoteCode, message: e.message }),
        );
      return Promise.all([
        outcome(window.client.request('math.add', { a: 2, b: 3 })),
        outcome(window.client.request('math.add', { a: 40, b: 2 })),
        outcome(window.client.request('math.fail', {})),
        outcome(window.client.request('math.add', { a: 'two' })),
        outcome(window.client.request('math.nope', {})),
      ]);
    });
    expect(result).toEqual([
      { value: 5 },
      { value: 42 },
      { code: 'remote_error', remoteCode: 'handler_error', message: 'no luck today' },
      { code: 'remote_error', remoteCode: 'invalid_input', message: expect.stringContaining('a') },
      { code: 'remote_error', remoteCode: 'unknown_route', message: expect.stringContaining('math.nope') },
    ]);
  });

  it('receives typed events the backend pushes to its room', async () => {
    await openClient(`${stack.wsUrl}/ws/pushes?id=page1`);
    await page.evaluate(async () => {
      await window.client.request('math.add', { a: 0, b: 0 }); // the backend has the client in its room
      window.client.on('chat.message', (data) => window.events.push({ type: 'chat.message', payload: data }));
    });
    await stack.router.sendEvent('/ws/pushes', 'chat.message', { from: 'ada', text: 'hello from the backend', at: 1 });
    await stack.router.sendEventToConnection('page1', 'chat.message', { from: 'bob', text: 'just you', at: 2 });
    expect(await waitForEvent('chat.message', 2)).toEqual({ from: 'bob', text: 'just you', at: 2 });
    const seen = await page.evaluate(() => window.events.filter((e) => e.type === 'chat.message' || e.type === 'message'));
    expect(seen).toEqual([
      { type: 'chat.message', payload: { from: 'ada', text: 'hello from the backend', at: 1 } },
      { type: 'chat.message', payload: { from: 'bob', text: 'just you', at: 2 } },
    ]);
  });

  it('streams under credits and cancels the producer when the loop breaks', async () => {
    const credits = 4;
    await openClient(`${stack.wsUrl}/ws/ticks`, { streamCredits: credits });
    const items = await page.evaluate(async () => {
      const seen: unknown[] = [];
      for await (const n of window.client.stream('ticks.count', { from: 10 })) {
        seen.push(n);
        if (seen.length === 6) break;
      }
      return seen;
    });
    expect(items).toEqual([10, 11, 12, 13, 14, 15]);
    const stream = await stack.streams.next();
    expect(await stream.cancelled).toMatch(/cancel/);
    // An infinite producer stopped within the credits it was granted.
    expect(stream.produced).toBeLessThanOrEqual(items.length + credits + 1);
  });
});
