// `pnpm start`: the broker, the chat backend and the page server as child processes of this one,
// the URL to open, and on Ctrl-C (or SIGTERM) everything stopped, exit code 0.
import { startChild, type Child } from './children.js';
import { parseOrExit, readFlags } from './cli.js';
import { DEFAULT_ADMIN_TOKEN, DEFAULT_HOST, DEFAULT_PAGE_PORT, DEFAULT_TCP_PORT, DEFAULT_WS_PORT, resolveLaunchOptions } from './options.js';

const USAGE = [
  'flags (0 picks a free port):',
  `  --port n            the page's HTTP port (default ${DEFAULT_PAGE_PORT}; env PORT)`,
  `  --ws-port n         the broker's WebSocket port (default ${DEFAULT_WS_PORT}; env STRANDS_WS_PORT)`,
  `  --tcp-port n        the broker's backend port, loopback only (default ${DEFAULT_TCP_PORT}; env STRANDS_TCP_PORT)`,
  `  --host address      where the page and the broker listen (default ${DEFAULT_HOST}; 0.0.0.0 for the network)`,
  `  --admin-token text  the token that makes a client an admin (default "${DEFAULT_ADMIN_TOKEN}"; env CHAT_ADMIN_TOKEN)`,
].join('\n');

const options = parseOrExit('chat', USAGE, () =>
  resolveLaunchOptions(
    readFlags(
      {
        port: { kind: 'integer', env: 'PORT' },
        wsPort: { kind: 'integer', env: 'STRANDS_WS_PORT' },
        tcpPort: { kind: 'integer', env: 'STRANDS_TCP_PORT' },
        host: 'string',
        adminToken: { kind: 'string', env: 'CHAT_ADMIN_TOKEN' },
      },
      process.argv.slice(2),
      process.env,
    ),
  ),
);

/** How often the launcher checks that whoever started it is still there, in ms. */
const ORPHAN_CHECK_INTERVAL_MS = 1000;

const children: Child[] = [];
let stopping: Promise<never> | undefined;

/**
 * Stops the backend and the page first, then the broker (so that the backend does not see its
 * broker vanish and try to reconnect), then exits with `code`.
 */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    await Promise.all(children.filter((child) => child.part !== 'broker').map((child) => child.stop()));
    await Promise.all(children.filter((child) => child.part === 'broker').map((child) => child.stop()));
    return process.exit(code);
  })();
  return stopping;
}

/** Starts a child; if it ever exits while we are not stopping, everything stops with code 1. */
function start(part: string, script: string, args: (string | number)[], env?: NodeJS.ProcessEnv): Child {
  const child = startChild(part, script, args.map(String), env);
  children.push(child);
  void child.exited.then((how) => {
    if (stopping) return;
    console.error(`chat: the ${part} exited (${how}); stopping everything`);
    void stopAll(1);
  });
  return child;
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
// A wrapper that dies without passing its signal on (pnpm sends SIGTERM to its shell only)
// leaves this process to init: seeing the parent change is the cue to stop as well.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stopAll(0);
}, ORPHAN_CHECK_INTERVAL_MS).unref();

try {
  const broker = await start('broker', 'broker-main.ts', ['--ws-port', options.wsPort, '--tcp-port', options.tcpPort, '--host', options.host]).ready;
  const backend = start('backend', 'main.ts', ['--broker', `127.0.0.1:${String(broker.tcpPort)}`], { CHAT_ADMIN_TOKEN: options.adminToken });
  const page = start('page', 'page-main.ts', ['--port', options.port, '--host', options.host, '--ws-port', String(broker.wsPort)]);
  const [, pageReady] = await Promise.all([backend.ready, page.ready]);
  console.log(
    [
      '',
      'Strands chat is running.',
      `  open ${String(pageReady.url)}  (in two windows, with two names)`,
      `  clients connect to ${String(broker.wsUrl)}/ws/<room>?name=<name>; admin token "${options.adminToken}"`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
} catch (error) {
  if (!stopping) {
    console.error(`chat: ${(error as Error).message}`);
    await stopAll(1);
  }
}
