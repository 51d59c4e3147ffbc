// Every option of the chat example, declared once with its default, and the checks on them.
import { DEFAULT_TCP_HOST, DEFAULT_TCP_PORT, DEFAULT_WS_PORT } from '@strands/broker';
import { OptionsError, checkBrokerAddress, checkPort } from '@strands/example-shared';

/** Options of the chat backend (`createChatBackend`, `pnpm backend`). */
export interface ChatBackendOptions {
  /**
   * The broker's backend address, `host:port`; several (a list, or `a:1,b:2`) for brokers of one
   * cluster, so the backend carries on while one of them is gone. @default '127.0.0.1:8081'
   */
  broker?: string | readonly string[];
  /** The token that makes a client an admin (allowed to `/announce`). @default 'admin' */
  adminToken?: string;
  /** Room messages kept per room and sent to each newcomer. @default 50 */
  historySize?: number;
  /** Level of the SDK's console logger. @default 'warn' */
  logLevel?: 'silent' | 'error' | 'warn' | 'info' | 'debug';
}

/** Options of the page server (`createPageServer`, `pnpm page`). */
export interface PageServerOptions {
  /** HTTP port of the page; 0 picks a free one. @default 3000 */
  port?: number;
  /** Interface the page listens on. @default '127.0.0.1' (this machine only) */
  host?: string;
  /**
   * The broker's WebSocket port; the page connects to `ws://<the host it was loaded from>:wsPort`,
   * so it also works when opened from another machine. Several (brokers of one cluster): each tab
   * picks one, in turn, or the one its `?broker=<n>` names (1 = the first). Ignored when `wsUrl` is set.
   * @default 8080
   */
  wsPort?: number | readonly number[];
  /** The broker's WebSocket URL (or several, as for `wsPort`), when it is not on the page's host. @default undefined */
  wsUrl?: string | readonly string[];
}

/** Options of `pnpm start`: the broker, the backend and the page together. */
export interface LaunchOptions {
  /** The broker's WebSocket port; 0 picks a free one. @default 8080 */
  wsPort?: number;
  /** The broker's backend TCP port (loopback only); 0 picks a free one. @default 8081 */
  tcpPort?: number;
  /** The page's HTTP port; 0 picks a free one. @default 3000 */
  port?: number;
  /** Interface of the broker's WebSocket side and of the page. @default '127.0.0.1' */
  host?: string;
  /** See {@link ChatBackendOptions.adminToken}. @default 'admin' */
  adminToken?: string;
  /**
   * Cluster mode: {@link CLUSTER_BROKERS} brokers sharing rooms through Redis (a `redis-server` the
   * launcher starts on a free port, unless `redisUrl` is given); broker n listens on
   * `wsPort + 2(n-1)` and `tcpPort + 2(n-1)` (0 stays 0), the backend serves both, and the page
   * spreads its tabs over them. @default false
   */
  cluster?: boolean;
  /** A Redis already running for cluster mode (`redis://host:port/db`); implies `cluster`. @default undefined (start one) */
  redisUrl?: string;
}

// The ports are the broker's own defaults, so the pieces started on their own find each other.
export { DEFAULT_TCP_PORT, DEFAULT_WS_PORT };
export const DEFAULT_BROKER = `${DEFAULT_TCP_HOST}:${DEFAULT_TCP_PORT}`;
export const DEFAULT_ADMIN_TOKEN = 'admin';
export const DEFAULT_HISTORY_SIZE = 50;
export const DEFAULT_LOG_LEVEL = 'warn';
export const DEFAULT_PAGE_PORT = 3000;
// Not the broker's 0.0.0.0: an example should not open a port to the network unless asked.
export const DEFAULT_HOST = '127.0.0.1';
/** Brokers `pnpm start --cluster` runs. */
export const CLUSTER_BROKERS = 2;

export type ResolvedChatBackendOptions = Required<ChatBackendOptions>;
export type ResolvedPageServerOptions = Required<Omit<PageServerOptions, 'wsUrl'>> & { wsUrl: string | readonly string[] | undefined };
export type ResolvedLaunchOptions = Required<Omit<LaunchOptions, 'redisUrl'>> & { redisUrl: string | undefined };

/** `'a,b'` or `['a', 'b']` (or one value) as a list, empty items dropped. */
export function listOf<T extends string | number>(value: T | readonly T[]): T[] {
  const items = Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
  return items.flatMap((item) => (typeof item === 'string' ? (item.split(',').map((part) => part.trim()) as T[]) : [item])).filter((item) => item !== '');
}

/** Merges the backend's defaults in; throws an OptionsError naming the first impossible value. */
export function resolveBackendOptions(options: ChatBackendOptions = {}): ResolvedChatBackendOptions {
  const resolved: ResolvedChatBackendOptions = {
    broker: options.broker ?? DEFAULT_BROKER,
    adminToken: options.adminToken ?? DEFAULT_ADMIN_TOKEN,
    historySize: options.historySize ?? DEFAULT_HISTORY_SIZE,
    logLevel: options.logLevel ?? DEFAULT_LOG_LEVEL,
  };
  const brokers = listOf(resolved.broker);
  if (brokers.length === 0) throw new OptionsError('broker: give at least one host:port');
  for (const broker of brokers) checkBrokerAddress('broker', broker);
  if (resolved.adminToken === '') throw new OptionsError('adminToken must not be empty');
  if (!Number.isInteger(resolved.historySize) || resolved.historySize < 0) {
    throw new OptionsError(`historySize must be an integer >= 0 (got ${resolved.historySize})`);
  }
  return resolved;
}

/** Merges the page server's defaults in; throws an OptionsError naming the first impossible value. */
export function resolvePageServerOptions(options: PageServerOptions = {}): ResolvedPageServerOptions {
  const resolved: ResolvedPageServerOptions = {
    port: options.port ?? DEFAULT_PAGE_PORT,
    host: options.host ?? DEFAULT_HOST,
    wsPort: options.wsPort ?? DEFAULT_WS_PORT,
    wsUrl: options.wsUrl,
  };
  checkPort('port', resolved.port);
  const wsPorts = listOf(resolved.wsPort);
  if (wsPorts.length === 0) throw new OptionsError('wsPort: give at least one port');
  for (const wsPort of wsPorts) checkPort('wsPort', wsPort);
  if (resolved.wsUrl !== undefined) {
    const wsUrls = listOf(resolved.wsUrl);
    if (wsUrls.length === 0) throw new OptionsError('wsUrl: give at least one ws://host:port');
    for (const wsUrl of wsUrls) {
      if (!/^wss?:\/\/[^/,]+$/.test(wsUrl)) throw new OptionsError(`wsUrl: expected ws://host:port with no path (got "${wsUrl}")`);
    }
  }
  return resolved;
}

/** Merges the launcher's defaults in; throws an OptionsError naming the first impossible value. */
export function resolveLaunchOptions(options: LaunchOptions = {}): ResolvedLaunchOptions {
  const resolved: ResolvedLaunchOptions = {
    wsPort: options.wsPort ?? DEFAULT_WS_PORT,
    tcpPort: options.tcpPort ?? DEFAULT_TCP_PORT,
    port: options.port ?? DEFAULT_PAGE_PORT,
    host: options.host ?? DEFAULT_HOST,
    adminToken: options.adminToken ?? DEFAULT_ADMIN_TOKEN,
    cluster: options.cluster === true || options.redisUrl !== undefined,
    redisUrl: options.redisUrl,
  };
  checkPort('wsPort', resolved.wsPort);
  checkPort('tcpPort', resolved.tcpPort);
  checkPort('port', resolved.port);
  if (resolved.cluster) {
    // Broker n takes port + 2(n-1): both of the last broker's ports must exist too.
    checkPort('wsPort', clusterPort(resolved.wsPort, CLUSTER_BROKERS - 1));
    checkPort('tcpPort', clusterPort(resolved.tcpPort, CLUSTER_BROKERS - 1));
  }
  if (resolved.adminToken === '') throw new OptionsError('adminToken must not be empty');
  if (resolved.redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(resolved.redisUrl)) {
    throw new OptionsError(`redisUrl: expected redis://host:port/db (got "${resolved.redisUrl}")`);
  }
  return resolved;
}

/** The port of broker `index` (0-based) of a cluster whose first broker has `port`: 0 stays 0 (pick one). */
export function clusterPort(port: number, index: number): number {
  return port === 0 ? 0 : port + 2 * index;
}
