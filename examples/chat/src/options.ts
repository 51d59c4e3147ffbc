// Every option of the chat example, declared once with its default, and the checks on them.
import { DEFAULT_TCP_HOST, DEFAULT_TCP_PORT, DEFAULT_WS_PORT } from '@strands/broker';
import { OptionsError, checkBrokerAddress, checkPort } from '@strands/example-shared';

/** Options of the chat backend (`createChatBackend`, `pnpm backend`). */
export interface ChatBackendOptions {
  /** The broker's backend address, `host:port`. @default '127.0.0.1:8081' */
  broker?: string;
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
   * so it also works when opened from another machine. Ignored when `wsUrl` is set.
   * @default 8080
   */
  wsPort?: number;
  /** The broker's WebSocket URL, when it is not on the page's host. @default undefined */
  wsUrl?: string;
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

export type ResolvedChatBackendOptions = Required<ChatBackendOptions>;
export type ResolvedPageServerOptions = Required<Omit<PageServerOptions, 'wsUrl'>> & { wsUrl: string | undefined };
export type ResolvedLaunchOptions = Required<LaunchOptions>;

/** Merges the backend's defaults in; throws an OptionsError naming the first impossible value. */
export function resolveBackendOptions(options: ChatBackendOptions = {}): ResolvedChatBackendOptions {
  const resolved: ResolvedChatBackendOptions = {
    broker: options.broker ?? DEFAULT_BROKER,
    adminToken: options.adminToken ?? DEFAULT_ADMIN_TOKEN,
    historySize: options.historySize ?? DEFAULT_HISTORY_SIZE,
    logLevel: options.logLevel ?? DEFAULT_LOG_LEVEL,
  };
  checkBrokerAddress('broker', resolved.broker);
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
  checkPort('wsPort', resolved.wsPort);
  if (resolved.wsUrl !== undefined && !/^wss?:\/\/[^/]+$/.test(resolved.wsUrl)) {
    throw new OptionsError(`wsUrl: expected ws://host:port with no path (got "${resolved.wsUrl}")`);
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
  };
  checkPort('wsPort', resolved.wsPort);
  checkPort('tcpPort', resolved.tcpPort);
  checkPort('port', resolved.port);
  if (resolved.adminToken === '') throw new OptionsError('adminToken must not be empty');
  return resolved;
}
