// A small HTTP server for the chat page: its HTML, CSS and bundled script, and `/config.json`
// telling the page where the broker's WebSocket side is (or the brokers', for a cluster).
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bundlePage } from './bundle.js';
import { listOf, resolvePageServerOptions, type PageServerOptions } from './options.js';

/** A started page server. */
export interface PageServer {
  /** `http://host:port/`, with the port really bound. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What `/config.json` holds. */
export interface PageConfig {
  /** `ws://host:port` of the broker; the page adds `/ws/<room>?id=..&name=..`. */
  wsUrl: string;
  /**
   * Every broker's `ws://host:port` (the first is `wsUrl`); with more than one (a cluster), each
   * tab takes one in turn, or the one its `?broker=<n>` names (1-based), and shows which.
   */
  brokers: string[];
}

const pageFile = (name: string): URL => new URL(`../page/${name}`, import.meta.url);

/**
 * Bundles the page and serves it.
 * @example
 * const page = await startPageServer({ port: 3000, wsPort: 8080 });
 * console.log(`open ${page.url}`);
 */
export async function startPageServer(options: PageServerOptions = {}): Promise<PageServer> {
  const o = resolvePageServerOptions(options);
  const [html, css, script] = await Promise.all([
    readFile(pageFile('index.html'), 'utf8'),
    readFile(pageFile('style.css'), 'utf8'),
    bundlePage(),
  ]);
  const files: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: html },
    '/index.html': { type: 'text/html; charset=utf-8', body: html },
    '/style.css': { type: 'text/css; charset=utf-8', body: css },
    '/app.js': { type: 'text/javascript; charset=utf-8', body: script },
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/config.json') {
      // The broker is reached on the host the page was loaded from, unless told otherwise.
      const hostname = new URL(`http://${req.headers.host ?? '127.0.0.1'}`).hostname;
      const host = hostname.includes(':') ? `[${hostname}]` : hostname;
      const brokers = o.wsUrl === undefined ? listOf(o.wsPort).map((wsPort) => `ws://${host}:${wsPort}`) : listOf(o.wsUrl);
      const config: PageConfig = { wsUrl: brokers[0]!, brokers };
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(config));
      return;
    }
    const file = files[path];
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' }).end(req.method === 'HEAD' ? undefined : file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : o.host;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
