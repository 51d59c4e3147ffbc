// `pnpm start`: the broker, the chat backend and the page server as child processes of this one,
// the URL to open, and on Ctrl-C (or SIGTERM) everything stopped, exit code 0. `pnpm start --cluster`:
// a redis-server and two brokers in cluster mode instead of one broker, the tabs spread over them.
import { startChild, type Child } from './children.js';
import { parseOrExit, readFlags } from './cli.js';
import {
  CLUSTER_BROKERS,
  DEFAULT_ADMIN_TOKEN,
  DEFAULT_HOST,
  DEFAULT_PAGE_PORT,
  DEFAULT_TCP_PORT,
  DEFAULT_WS_PORT,
  clusterPort,
  resolveLaunchOptions,
} from './options.js';

const USAGE = [
  'flags (0 picks a free port):',
  `  --port n            the page's HTTP port (default ${DEFAULT_PAGE_PORT}; env PORT)`,
  `  --ws-port n         the broker's WebSocket port (default ${DEFAULT_WS_PORT}; env STRANDS_WS_PORT)`,
  `  --tcp-port n        the broker's backend port, loopback only (default ${DEFAULT_TCP_PORT}; env STRANDS_TCP_PORT)`,
  `  --host address      where the page and the broker listen (default ${DEFAULT_HOST}; 0.0.0.0 for the network)`,
  `  --admin-token text  the token that makes a client an admin (default "${DEFAULT_ADMIN_TOKEN}"; env CHAT_ADMIN_TOKEN)`,
  `  --cluster           ${CLUSTER_BROKERS} brokers in cluster mode on a redis-server started on a free port (needs redis-server;`,
  '                      env CHAT_CLUSTER=1); broker n listens on --ws-port + 2(n-1) and --tcp-port + 2(n-1)',
  '  --redis-url url     cluster mode on a Redis already running (redis://host:port/0) instead of starting one',
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
        cluster: { kind: 'boolean', env: 'CHAT_CLUSTER' },
        redisUrl: 'string',
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
 * Stops the backend and the page first, then the brokers (so that the backend does not see its
 * brokers vanish and try to reconnect), then Redis (which the brokers use until they are gone),
 * then exits with `code`.
 */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    const last = ['broker', 'redis'];
    await Promise.all(children.filter((child) => !last.includes(child.part)).map((child) => child.stop()));
    for (const part of last) await Promise.all(children.filter((child) => child.part === part).map((child) => child.stop()));
    return process.exit(code);
  })();
  return stopping;
}

/**
 * Starts a child (`name` says which in messages, for parts that run more than once); if it ever
 * exits while we are not stopping, everything stops with code 1.
 */
function start(part: string, script: string, args: (string | number)[], env?: NodeJS.ProcessEnv, name = part): Child {
  const child = startChild(part, script, args.map(String), env);
  children.push(child);
  void child.exited.then((how) => {
    if (stopping) return;
    console.error(`chat: the ${name} exited (${how}); stopping everything`);
    void stopAll(1);
  });
  return child;
}

/** The brokers: one on its own, or a cluster's on Redis (started here unless `--redis-url` names one). */
async function startBrokers(): Promise<{ brokers: Record<string, unknown>[]; redis: Record<string, unknown> | undefined }> {
  const brokerArgs = (index: number): (string | number)[] => [
    '--ws-port', clusterPort(options.wsPort, index),
    '--tcp-port', clusterPort(options.tcpPort, index),
    '--host', options.host,
  ];
  if (!options.cluster) return { brokers: [await start('broker', 'broker-main.ts', brokerArgs(0)).ready], redis: undefined };
  const redis = options.redisUrl === undefined ? await start('redis', 'redis-main.ts', []).ready : { url: options.redisUrl };
  const indexes = Array.from({ length: CLUSTER_BROKERS }, (_, index) => index);
  const brokers = await Promise.all(
    indexes.map((index) => start('broker', 'broker-main.ts', [...brokerArgs(index), '--cluster', String(redis.url)], {}, `broker ${index + 1}`).ready),
  );
  return { brokers, redis };
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
  const { brokers, redis } = await startBrokers();
  // One backend for every broker: in a cluster it sends each command through one of them and
  // carries on through the other while one is gone.
  const backendBrokers = brokers.map((broker) => `127.0.0.1:${String(broker.tcpPort)}`).join(',');
  const backend = start('backend', 'main.ts', ['--broker', backendBrokers], { CHAT_ADMIN_TOKEN: options.adminToken });
  const page = start('page', 'page-main.ts', ['--port', options.port, '--host', options.host, '--ws-port', brokers.map((broker) => String(broker.wsPort)).join(',')]);
  const [, pageReady] = await Promise.all([backend.ready, page.ready]);
  const pageUrl = String(pageReady.url);
  const lines =
    redis === undefined
      ? [
          'Strands chat is running.',
          `  open ${pageUrl}  (in two windows, with two names)`,
          `  clients connect to ${String(brokers[0]!.wsUrl)}/ws/<room>?name=<name>; admin token "${options.adminToken}"`,
        ]
      : [
          `Strands chat is running as a cluster of ${brokers.length} brokers on Redis ${String(redis.url)}${redis.pid === undefined ? '' : ` (redis-server pid ${String(redis.pid)})`}.`,
          `  open ${pageUrl}  (in two windows, with two names: each new tab takes the next broker)`,
          ...brokers.map((broker, index) => `  broker ${index + 1}: ${pageUrl}?broker=${index + 1}  clients connect to ${String(broker.wsUrl)}/ws/<room>?name=<name>`),
          `  admin token "${options.adminToken}"`,
        ];
  console.log(['', ...lines, 'Ctrl-C stops everything.', ''].join('\n'));
} catch (error) {
  if (!stopping) {
    console.error(`chat: ${(error as Error).message}`);
    await stopAll(1);
  }
}
