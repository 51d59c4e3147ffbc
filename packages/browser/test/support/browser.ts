// Real Chromium (Debian's, never a downloaded one) driven by playwright-core, with a page that
// loads the client bundled from source and served from a tiny HTTP server on port 0.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '@strands/testing';
import type { Browser, Page } from 'playwright-core';
import { bundle } from './bundle.js';

const PAGE =
  '<!doctype html><meta charset="utf-8"><title>strands e2e</title><script src="/strands.js"></script><script src="/recovery.js"></script><script src="/confirm.js"></script>';

export interface BrowserHarness {
  browser: Browser;
  /** A fresh page with `window.Strands` (the client's exports) loaded. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<BrowserHarness> {
  const scripts: Record<string, string> = {
    '/strands.js': await bundle('index', 'iife'),
    // `window.StrandsRecovery`: the recovery entry (its own bundle, as a page would load it).
    '/recovery.js': await bundle('recovery', 'iife', 'StrandsRecovery'),
    // `window.StrandsConfirm`: the confirmed-sends entry.
    '/confirm.js': await bundle('confirm', 'iife', 'StrandsConfirm'),
  };
  const server: Server = createServer((req, res) => {
    const js = scripts[req.url ?? ''];
    res.writeHead(200, { 'content-type': js === undefined ? 'text/html' : 'text/javascript' });
    res.end(js ?? PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  return {
    browser,
    async newPage() {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => 'Strands' in window);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
