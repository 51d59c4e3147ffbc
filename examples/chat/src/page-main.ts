// The page server on its own: `pnpm page --port 3000 --ws-port 8080` (`--ws-port 8080,8082`: the
// brokers of a cluster, tabs spread over them).
import { runUntilSignal } from '@strands/example-shared';
import { parseOrExit, readFlags, reportReady } from './cli.js';
import { DEFAULT_HOST, DEFAULT_PAGE_PORT, DEFAULT_WS_PORT, resolvePageServerOptions } from './options.js';
import { startPageServer } from './page-server.js';

const USAGE = [
  'flags:',
  `  --port n          the page's HTTP port (default ${DEFAULT_PAGE_PORT}; env PORT)`,
  `  --host address    the interface to listen on (default ${DEFAULT_HOST})`,
  `  --ws-port n       the broker's WebSocket port, on the page's host (default ${DEFAULT_WS_PORT}); several, comma-separated, for a cluster`,
  '  --ws-url url      the broker\'s WebSocket URL (ws://host:port), when it is elsewhere; several, comma-separated, for a cluster',
].join('\n');

const options = parseOrExit('chat page', USAGE, () =>
  resolvePageServerOptions(
    readFlags({ port: { kind: 'integer', env: 'PORT' }, host: 'string', wsPort: 'integers', wsUrl: 'string' }, process.argv.slice(2), process.env),
  ),
);
try {
  const page = await startPageServer(options);
  console.log(`chat page: serving ${page.url}`);
  reportReady('page', { url: page.url, port: page.port });
  runUntilSignal(() => page.close());
} catch (error) {
  console.error(`chat page: could not start: ${(error as Error).message}`);
  process.exit(1);
}
