// Every option of the echo example, declared once, and the command line that sets them.
import { parseArgs } from 'node:util';
import { DEFAULT_TCP_HOST, DEFAULT_TCP_PORT, DEFAULT_WS_PORT } from '@strands/broker';
import { OptionsError, checkBrokerAddress, checkPort } from '@strands/example-shared';

/** Options of the echo backend (`src/main.ts`) and of the all-in-one `start` (`src/start.ts`). */
export interface EchoOptions {
  /** The broker's backend address, `host:port`. @default '127.0.0.1:8081' */
  broker?: string;
  /** `start` only: the broker's WebSocket port (0 picks a free one). @default 8080 */
  wsPort?: number;
  /** `start` only: the broker's backend TCP port (0 picks a free one). @default 8081 */
  tcpPort?: number;
  /** `start` only: the interface clients connect to. @default '127.0.0.1' (this machine only) */
  host?: string;
}

// The ports are the broker's own defaults, so `pnpm backend` finds a broker started without flags.
export { DEFAULT_TCP_PORT, DEFAULT_WS_PORT };
export const DEFAULT_BROKER = `${DEFAULT_TCP_HOST}:${DEFAULT_TCP_PORT}`;
// Not the broker's 0.0.0.0: an example should not open a port to the network unless asked.
export const DEFAULT_HOST = '127.0.0.1';

export type ResolvedEchoOptions = Required<EchoOptions>;

/** Merges the defaults in; throws an OptionsError naming the first impossible value. */
export function resolveOptions(options: EchoOptions = {}): ResolvedEchoOptions {
  const resolved: ResolvedEchoOptions = {
    broker: options.broker ?? DEFAULT_BROKER,
    wsPort: options.wsPort ?? DEFAULT_WS_PORT,
    tcpPort: options.tcpPort ?? DEFAULT_TCP_PORT,
    host: options.host ?? DEFAULT_HOST,
  };
  checkBrokerAddress('--broker', resolved.broker);
  checkPort('--ws-port', resolved.wsPort);
  checkPort('--tcp-port', resolved.tcpPort);
  return resolved;
}

/** Reads `--broker`, `--ws-port`, `--tcp-port`, `--host` from argv (without node and script). */
export function parseCommandLine(argv: readonly string[]): ResolvedEchoOptions {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { broker: { type: 'string' }, 'ws-port': { type: 'string' }, 'tcp-port': { type: 'string' }, host: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (cause) {
    throw new OptionsError((cause as Error).message, { cause });
  }
  return resolveOptions({
    broker: values.broker,
    wsPort: integer('--ws-port', values['ws-port']),
    tcpPort: integer('--tcp-port', values['tcp-port']),
    host: values.host,
  });
}

function integer(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new OptionsError(`${flag}: expected a port number (got "${text}")`);
  return Number(text);
}
