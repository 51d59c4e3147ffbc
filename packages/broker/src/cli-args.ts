// Command-line flags, STRANDS_* / PYSTRAND_* environment variables and a JSON config file, turned into broker options.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { closest } from './closest-name.js';
import { isBrokerError } from './errors.js';
import {
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_BACKEND_PROBATION_MS,
  DEFAULT_CLIENT_BYTE_BURST,
  DEFAULT_CLIENT_BYTES_PER_SECOND,
  DEFAULT_CLIENT_MESSAGE_BURST,
  DEFAULT_CLIENT_MESSAGES_PER_SECOND,
  DEFAULT_CLIENT_OVER_LIMIT_CLOSE_MS,
  DEFAULT_HISTORY_BYTES,
  DEFAULT_HISTORY_MAX_ROOMS,
  DEFAULT_HISTORY_SIZE,
  DEFAULT_HISTORY_TTL_MS,
  DEFAULT_MAX_RECOVERY_MESSAGES,
  DEFAULT_RESUME_WINDOW_MS,
  DEFAULT_CLUSTER_PREFIX,
  DEFAULT_CONNECTION_REQUEST_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_HOST,
  DEFAULT_LOG_LEVEL,
  DEFAULT_MAX_BACKEND_BUFFER_BYTES,
  DEFAULT_MAX_BACKEND_LINE_BYTES,
  DEFAULT_MAX_CLIENT_BUFFER_BYTES,
  DEFAULT_CLIENT_WRITE_DELAY_MS,
  DEFAULT_CLUSTER_CLIENT_WRITE_DELAY_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_IP,
  DEFAULT_MAX_DELIVERIES,
  DEFAULT_MAX_QUEUE_BYTES,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_PENDING_UPGRADES,
  DEFAULT_MAX_UNACKED_EVENTS,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_QUEUE_OVERFLOW,
  DEFAULT_QUEUE_SIZE,
  DEFAULT_RETRY_AFTER_SECONDS,
  DEFAULT_SHUTDOWN_TIMEOUT_MS,
  DEFAULT_TCP_HOST,
  DEFAULT_TCP_PORT,
  DEFAULT_WS_PORT,
  LOG_LEVELS,
  QUEUE_OVERFLOW_POLICIES,
  resolveOptions,
  type BrokerOptions,
} from './options.js';

/** The outcome of reading the command line. */
export type CliCommand =
  | { kind: 'run'; options: BrokerOptions; warnings: string[] }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'error'; message: string };

type Kind = 'integer' | 'string' | 'level' | 'overflow' | 'list';

/** Flags of nested options: `--cluster` and `--cluster-prefix` fill `cluster: { url, prefix }`. */
type NestedOption = 'cluster.url' | 'cluster.prefix' | 'queue.url' | 'queue.consumer' | 'queue.leaseMs' | 'queue.partitions';

interface Flag {
  option: keyof BrokerOptions | NestedOption;
  kind: Kind;
  help: string;
  defaultText: string;
  /** PyStrands' environment variable, accepted after the STRANDS_* one. */
  legacyEnv?: string;
}

const PLACEHOLDER: Readonly<Record<Kind, string>> = { integer: 'n', string: 'text', level: 'level', overflow: 'policy', list: 'a,b' };

/** Every flag, in the order --help lists them. */
export const FLAGS: Readonly<Record<string, Flag>> = {
  'ws-port': { option: 'wsPort', kind: 'integer', help: 'WebSocket port (also /healthz, /readyz and /metrics unless --metrics-port); 0 picks one', defaultText: String(DEFAULT_WS_PORT), legacyEnv: 'PYSTRAND_WS_PORT' },
  'tcp-port': { option: 'tcpPort', kind: 'integer', help: 'backend TCP port; 0 picks one', defaultText: String(DEFAULT_TCP_PORT), legacyEnv: 'PYSTRAND_TCP_PORT' },
  host: { option: 'host', kind: 'string', help: 'interface of the WebSocket side', defaultText: DEFAULT_HOST },
  'tcp-host': { option: 'tcpHost', kind: 'string', help: 'interface of the backend side (loopback: not exposed unless asked)', defaultText: DEFAULT_TCP_HOST },
  'metrics-port': { option: 'metricsPort', kind: 'integer', help: 'serve /healthz, /readyz and /metrics on this port instead (the WebSocket port then answers them 404); 0 picks one', defaultText: 'on the WebSocket port' },
  'metrics-host': { option: 'metricsHost', kind: 'string', help: 'interface of --metrics-port', defaultText: 'the --host value' },
  'queue-size': { option: 'queueSize', kind: 'integer', help: 'events kept while no backend is connected; 0 disables', defaultText: String(DEFAULT_QUEUE_SIZE), legacyEnv: 'PYSTRAND_QUEUE_SIZE' },
  'queue-overflow': { option: 'queueOverflow', kind: 'overflow', help: `what a full queue does with a new event: ${QUEUE_OVERFLOW_POLICIES.join(' | ')} (reject: the sender is told overloaded)`, defaultText: DEFAULT_QUEUE_OVERFLOW },
  'max-queue-bytes': { option: 'maxQueueBytes', kind: 'integer', help: 'bytes of the events waiting in the queue, beside --queue-size', defaultText: String(DEFAULT_MAX_QUEUE_BYTES) },
  'backend-token-file': { option: 'backendTokenFile', kind: 'string', help: 'file whose first line is the backend token (not visible in the process list)', defaultText: 'none' },
  'allowed-origins': { option: 'allowedOrigins', kind: 'list', help: 'origins browsers may connect from (https://app.example.com,https://*.example.com); others get 403', defaultText: 'any (a warning when --host is not loopback)' },
  'tls-cert': { option: 'tlsCert', kind: 'string', help: 'PEM certificate file of the WebSocket port: clients use wss:// (re-read on SIGHUP)', defaultText: 'none (ws://)' },
  'tls-key': { option: 'tlsKey', kind: 'string', help: 'PEM private key file of --tls-cert (re-read on SIGHUP)', defaultText: 'none' },
  'backend-tls-cert': { option: 'backendTlsCert', kind: 'string', help: 'PEM certificate file of the backend port: backends connect over TLS (re-read on SIGHUP)', defaultText: 'none (plain TCP)' },
  'backend-tls-key': { option: 'backendTlsKey', kind: 'string', help: 'PEM private key file of --backend-tls-cert (re-read on SIGHUP)', defaultText: 'none' },
  'backend-tls-ca': { option: 'backendTlsCa', kind: 'string', help: 'PEM CA file: backends must present a client certificate it signed (re-read on SIGHUP)', defaultText: 'none (no client certificates)' },
  'handshake-timeout-ms': { option: 'handshakeTimeoutMs', kind: 'integer', help: 'time a client has to send its upgrade headers', defaultText: String(DEFAULT_HANDSHAKE_TIMEOUT_MS) },
  'backend-token': { option: 'backendToken', kind: 'string', help: 'token backends must send in hello before they may act', defaultText: 'none' },
  'connection-request-timeout-ms': { option: 'connectionRequestTimeoutMs', kind: 'integer', help: 'wait for a backend response before answering 504', defaultText: String(DEFAULT_CONNECTION_REQUEST_TIMEOUT_MS) },
  'heartbeat-interval-ms': { option: 'heartbeatIntervalMs', kind: 'integer', help: 'heartbeat frames to backends, and the stalled-backend check', defaultText: String(DEFAULT_HEARTBEAT_INTERVAL_MS) },
  'ping-interval-ms': { option: 'pingIntervalMs', kind: 'integer', help: 'WebSocket pings; a client missing one is dropped; 0 disables', defaultText: String(DEFAULT_PING_INTERVAL_MS) },
  'max-message-bytes': { option: 'maxMessageBytes', kind: 'integer', help: 'largest client WebSocket message (larger: close 1009)', defaultText: String(DEFAULT_MAX_MESSAGE_BYTES) },
  'max-backend-line-bytes': { option: 'maxBackendLineBytes', kind: 'integer', help: 'longest backend line (longer: skipped, error reply)', defaultText: String(DEFAULT_MAX_BACKEND_LINE_BYTES) },
  'max-client-buffer-bytes': { option: 'maxClientBufferBytes', kind: 'integer', help: 'unsent bytes a client may have before close 1013', defaultText: String(DEFAULT_MAX_CLIENT_BUFFER_BYTES) },
  'client-write-delay-ms': { option: 'clientWriteDelayMs', kind: 'integer', help: 'wait before writing room and broadcast frames to clients so they share writes: less CPU in busy rooms for that much latency (0-1000; other frames never wait)', defaultText: `${DEFAULT_CLIENT_WRITE_DELAY_MS}; ${DEFAULT_CLUSTER_CLIENT_WRITE_DELAY_MS} with --cluster` },
  'max-backend-buffer-bytes': { option: 'maxBackendBufferBytes', kind: 'integer', help: 'unsent bytes a backend may have before it is dropped', defaultText: String(DEFAULT_MAX_BACKEND_BUFFER_BYTES) },
  'shutdown-timeout-ms': { option: 'shutdownTimeoutMs', kind: 'integer', help: 'bound of a graceful shutdown (SIGINT/SIGTERM)', defaultText: String(DEFAULT_SHUTDOWN_TIMEOUT_MS) },
  'retry-after-seconds': { option: 'retryAfterSeconds', kind: 'integer', help: 'Retry-After of the 503 answered while no backend is connected', defaultText: String(DEFAULT_RETRY_AFTER_SECONDS) },
  'max-connections': { option: 'maxConnections', kind: 'integer', help: 'clients at once (pending upgrades count); past it 503; 0: no limit', defaultText: String(DEFAULT_MAX_CONNECTIONS) },
  'max-connections-per-ip': { option: 'maxConnectionsPerIp', kind: 'integer', help: 'clients at once from one IP address; past it 503; 0: no limit', defaultText: String(DEFAULT_MAX_CONNECTIONS_PER_IP) },
  'max-pending-upgrades': { option: 'maxPendingUpgrades', kind: 'integer', help: 'upgrades waiting for a backend decision at once; past it 503', defaultText: String(DEFAULT_MAX_PENDING_UPGRADES) },
  'ack-timeout-ms': { option: 'ackTimeoutMs', kind: 'integer', help: 'an event a backend that acknowledges (ack capability) left unacknowledged this long goes out again', defaultText: String(DEFAULT_ACK_TIMEOUT_MS) },
  'max-deliveries': { option: 'maxDeliveries', kind: 'integer', help: 'deliveries of an unacknowledged event before it is a dead letter', defaultText: String(DEFAULT_MAX_DELIVERIES) },
  'max-unacked-events': { option: 'maxUnackedEvents', kind: 'integer', help: 'events held unacknowledged, all backends; past it new events wait in the queue', defaultText: String(DEFAULT_MAX_UNACKED_EVENTS) },
  'client-messages-per-second': { option: 'clientMessagesPerSecond', kind: 'integer', help: 'messages per second one client may sustain; over it the client is not read (paused); 0: no limit', defaultText: String(DEFAULT_CLIENT_MESSAGES_PER_SECOND) },
  'client-message-burst': { option: 'clientMessageBurst', kind: 'integer', help: 'messages one client may send at once above its rate', defaultText: String(DEFAULT_CLIENT_MESSAGE_BURST) },
  'client-bytes-per-second': { option: 'clientBytesPerSecond', kind: 'integer', help: 'payload bytes per second one client may sustain; 0: no limit', defaultText: String(DEFAULT_CLIENT_BYTES_PER_SECOND) },
  'client-byte-burst': { option: 'clientByteBurst', kind: 'integer', help: 'payload bytes one client may send at once above its rate', defaultText: String(DEFAULT_CLIENT_BYTE_BURST) },
  'client-over-limit-close-ms': { option: 'clientOverLimitCloseMs', kind: 'integer', help: 'a client over its rate limits this long is closed with 1008; 0: only paused', defaultText: String(DEFAULT_CLIENT_OVER_LIMIT_CLOSE_MS) },
  'backend-probation-ms': { option: 'backendProbationMs', kind: 'integer', help: 'without a token: silence a backend must keep before it gets clients (a valid frame proves it at once); 0: at once', defaultText: String(DEFAULT_BACKEND_PROBATION_MS) },
  'log-level': { option: 'logLevel', kind: 'level', help: `${LOG_LEVELS.join(' | ')}`, defaultText: DEFAULT_LOG_LEVEL },
  'history-rooms': { option: 'historyRooms', kind: 'list', help: 'rooms that keep history, by name pattern (chat:*,lobby): offsets, epochs and recovery for their clients', defaultText: 'none' },
  'history-size': { option: 'historySize', kind: 'integer', help: 'messages kept per room with history', defaultText: String(DEFAULT_HISTORY_SIZE) },
  'history-bytes': { option: 'historyBytes', kind: 'integer', help: 'bytes of messages kept per room with history', defaultText: String(DEFAULT_HISTORY_BYTES) },
  'history-ttl-ms': { option: 'historyTtlMs', kind: 'integer', help: 'how long a message stays in a room\'s history', defaultText: String(DEFAULT_HISTORY_TTL_MS) },
  'history-max-rooms': { option: 'historyMaxRooms', kind: 'integer', help: 'rooms whose history is kept at once (the least recently written is forgotten)', defaultText: String(DEFAULT_HISTORY_MAX_ROOMS) },
  'max-recovery-messages': { option: 'maxRecoveryMessages', kind: 'integer', help: 'messages one room\'s recovery may replay (past it the client reloads)', defaultText: String(DEFAULT_MAX_RECOVERY_MESSAGES) },
  'resume-window-ms': { option: 'resumeWindowMs', kind: 'integer', help: 'how long after a drop a client may resume its session with its resume token; 0: never', defaultText: String(DEFAULT_RESUME_WINDOW_MS) },
  'resume-secret': { option: 'resumeSecret', kind: 'string', help: 'HMAC key of resume tokens (>= 16 characters; the same on every broker of a cluster)', defaultText: 'random per start' },
  cluster: { option: 'cluster.url', kind: 'string', help: 'cluster mode: share rooms, presence and delivery with other brokers through Redis (redis://host:port/db)', defaultText: 'off' },
  'cluster-prefix': { option: 'cluster.prefix', kind: 'string', help: 'prefix of every Redis key and channel of the cluster', defaultText: DEFAULT_CLUSTER_PREFIX },
  queue: { option: 'queue.url', kind: 'string', help: 'where client events wait for backends: memory, or redis://host:port/db (Redis Streams: durable across broker restarts)', defaultText: 'memory (cluster mode: the cluster\'s Redis)' },
  'queue-consumer': { option: 'queue.consumer', kind: 'string', help: 'this broker\'s consumer name in the Redis queue; a restart under the same name takes its events back at once', defaultText: 'broker (cluster mode: the node id)' },
  'queue-lease-ms': { option: 'queue.leaseMs', kind: 'integer', help: 'a broker silent this long is dead: another claims its queued events', defaultText: '15000' },
  'queue-partitions': { option: 'queue.partitions', kind: 'integer', help: 'partition streams of the Redis queue (fixed for the life of the data)', defaultText: '16' },
};

/** `ws-port` -> `STRANDS_WS_PORT`. */
export function envName(flag: string): string {
  return `STRANDS_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** The environment variable naming a config file (after `--config`). */
export const CONFIG_ENV = 'STRANDS_CONFIG';

/** How the CLI reads a config file (a seam for tests). */
export type ReadText = (path: string) => string;

/** The text of `--help`. */
export function helpText(): string {
  const rows = Object.entries(FLAGS).map(([flag, f]) => {
    const env = [envName(flag), f.legacyEnv].filter(Boolean).join(', ');
    return `  --${flag} <${PLACEHOLDER[f.kind]}>\n      ${f.help}\n      default ${f.defaultText}; env ${env}`;
  });
  return [
    'Usage: strands-broker [options]',
    '',
    'The Strands broker: holds client WebSockets, asks backends (TCP, newline-delimited JSON)',
    'whether to accept them, routes messages, and queues events while no backend is connected.',
    'A drop-in replacement for the PyStrands Go broker.',
    '',
    'Options (a flag wins over STRANDS_*, STRANDS_* over PYSTRAND_*, any of them over the config file):',
    `  --config <file>\n      JSON file of options by their createBroker names ({"wsPort": 8080, "cluster": {"url": "redis://..."}})\n      default none; env ${CONFIG_ENV}`,
    ...rows,
    '  -h, --help\n      show this help and exit',
    '  -v, --version\n      print the version and exit',
    '',
    'Output: one line on stdout saying where the broker listens; JSON logs (pino) on stderr.',
    'Exit codes: 0 after a clean shutdown (SIGINT/SIGTERM), 1 on a runtime failure (e.g. port in use),',
    '2 on a bad flag, environment variable, config file or option value.',
    'An unknown STRANDS_* environment variable is reported in one warning log line, with the closest known name.',
  ].join('\n');
}

/** Reads argv (without node and script), the environment and the config file it names. Never throws. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv, readText: ReadText = (path) => readFileSync(path, 'utf8')): CliCommand {
  const config = Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { ...config, config: { type: 'string' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'v' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (values.help === true) return { kind: 'help' };
  if (values.version === true) return { kind: 'version' };
  const configPath = (values.config as string | undefined) ?? (env[CONFIG_ENV] || undefined);
  const file = configPath === undefined ? { ok: true as const, values: new Map<string, unknown>() } : readConfig(configPath, readText);
  if (!file.ok) return { kind: 'error', message: file.message };
  const options: Record<string, unknown> = {};
  // Where each option's value came from, so that a value resolveOptions refuses is reported there.
  const origins = new Map<string, string>();
  for (const [flag, spec] of Object.entries(FLAGS)) {
    const sources: [string, string | undefined][] = [
      [`--${flag}`, values[flag] as string | undefined],
      [envName(flag), env[envName(flag)]],
    ];
    if (spec.legacyEnv !== undefined) sources.push([spec.legacyEnv, env[spec.legacyEnv]]);
    const found = sources.find(([, value]) => value !== undefined && value !== '');
    if (found === undefined) {
      if (file.values.has(spec.option)) {
        options[spec.option] = file.values.get(spec.option);
        origins.set(spec.option, `${configPath}: ${spec.option}`);
      }
      continue;
    }
    const [source, text] = found as [string, string];
    const value = convert(spec.kind, text);
    if (value === undefined) return { kind: 'error', message: `${source}: invalid value ${JSON.stringify(text)} (${expected(spec.kind)})` };
    options[spec.option] = value;
    origins.set(spec.option, source);
  }
  const url = options['cluster.url'];
  const prefix = options['cluster.prefix'];
  delete options['cluster.url'];
  delete options['cluster.prefix'];
  if (prefix !== undefined && url === undefined) return { kind: 'error', message: '--cluster-prefix needs --cluster <redis url>' };
  if (url !== undefined) options.cluster = { url, prefix };
  const queue = queueOption(options);
  if (queue !== undefined && 'error' in queue) return { kind: 'error', message: queue.error };
  if (queue !== undefined) options.queue = queue.value;
  try {
    return { kind: 'run', options: resolveOptions(options as BrokerOptions), warnings: unknownEnvWarnings(env) };
  } catch (error) {
    const origin = isBrokerError(error) && 'option' in error ? origins.get(String(error.option)) : undefined;
    return { kind: 'error', message: origin === undefined ? (error as Error).message : `${origin}: ${(error as Error).message}` };
  }
}

/** `--queue` and its companions as the `queue` option (taken out of `options`); a message when they cannot make one. */
function queueOption(options: Record<string, unknown>): { value: Record<string, unknown> | 'memory' } | { error: string } | undefined {
  const inner: Record<string, unknown> = {};
  for (const name of ['url', 'consumer', 'leaseMs', 'partitions']) {
    if (options[`queue.${name}`] !== undefined) inner[name] = options[`queue.${name}`];
    delete options[`queue.${name}`];
  }
  const companions = '--queue-consumer, --queue-lease-ms and --queue-partitions';
  if (inner.url === 'memory') return Object.keys(inner).length > 1 ? { error: `${companions} need a Redis queue, not --queue memory` } : { value: 'memory' };
  if (Object.keys(inner).length === 0) return undefined;
  const cluster = options.cluster as { url: string } | undefined;
  inner.url ??= cluster?.url;
  if (inner.url === undefined) return { error: `${companions} need --queue <redis url> (or --cluster)` };
  return { value: inner };
}

/** Every STRANDS_* name the broker reads. */
function knownEnv(): string[] {
  return [CONFIG_ENV, ...Object.keys(FLAGS).map(envName)];
}

/** One warning naming the STRANDS_* variables no option reads, each with the closest known name; none when all are known. */
function unknownEnvWarnings(env: NodeJS.ProcessEnv): string[] {
  const known = knownEnv();
  const unknown = Object.keys(env).filter((name) => name.startsWith('STRANDS_') && !known.includes(name)).sort();
  if (unknown.length === 0) return [];
  const named = unknown.map((name) => `${name} (did you mean ${closest(name, known)}?)`);
  return [`unknown environment variable${unknown.length > 1 ? 's' : ''} ignored: ${named.join(', ')}`];
}

type ConfigRead = { ok: true; values: Map<string, unknown> } | { ok: false; message: string };

/**
 * Reads a JSON config file: an object of options by their `createBroker` names, `cluster` as
 * `{ url, prefix? }`; every value checked as its flag's would be, but typed (a number is a JSON number).
 */
function readConfig(path: string, readText: ReadText): ConfigRead {
  const fail = (message: string): ConfigRead => ({ ok: false, message: `${path}: ${message}` });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(path));
  } catch (error) {
    const cause = error as NodeJS.ErrnoException;
    return fail(cause instanceof SyntaxError ? `not valid JSON (${cause.message})` : `cannot read the config file (${cause.code ?? cause.message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('expected a JSON object of options');
  const byOption = new Map(Object.values(FLAGS).map((spec) => [spec.option as string, spec]));
  const topLevel = [...new Set([...byOption.keys()].map((option) => option.split('.')[0] as string))];
  const values = new Map<string, unknown>();
  const take = (key: string, value: unknown): string | undefined => {
    const spec = byOption.get(key);
    if (spec === undefined) return `unknown option ${JSON.stringify(key)}`;
    if (!fitsJson(spec.kind, value)) return `${key}: invalid value ${JSON.stringify(value)} (${expected(spec.kind)})`;
    values.set(key, value);
    return undefined;
  };
  for (const [key, value] of Object.entries(parsed)) {
    if (!topLevel.includes(key)) return fail(`unknown option ${JSON.stringify(key)} (did you mean ${JSON.stringify(closest(key, topLevel))}?)`);
    if (key === 'queue' && typeof value === 'string') {
      const problem = take('queue.url', value);
      if (problem !== undefined) return fail(problem);
      continue;
    }
    if (key !== 'cluster' && key !== 'queue') {
      const problem = take(key, value);
      if (problem !== undefined) return fail(problem);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${key}: expected an object { "url": "redis://...", ... }`);
    for (const [inner, innerValue] of Object.entries(value)) {
      const problem = take(`${key}.${inner}`, innerValue);
      if (problem !== undefined) return fail(problem.startsWith('unknown') ? `unknown option "${key}.${inner}" (expected ${key === 'cluster' ? 'url or prefix' : 'url, consumer, leaseMs or partitions'})` : problem);
    }
  }
  return { ok: true, values };
}

function fitsJson(kind: Kind, value: unknown): boolean {
  if (kind === 'integer') return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (kind === 'list') return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string' && item !== '');
  return typeof value === 'string' && convert(kind, value) !== undefined;
}

function convert(kind: Kind, text: string): unknown {
  switch (kind) {
    case 'integer':
      return /^\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
    case 'level':
      return (LOG_LEVELS as readonly string[]).includes(text) ? text : undefined;
    case 'overflow':
      return (QUEUE_OVERFLOW_POLICIES as readonly string[]).includes(text) ? text : undefined;
    case 'string':
      return text;
    case 'list': {
      const items = text.split(',').map((item) => item.trim()).filter((item) => item !== '');
      return items.length > 0 ? items : undefined;
    }
  }
}

function expected(kind: Kind): string {
  switch (kind) {
    case 'integer':
      return 'expected a non-negative integer';
    case 'level':
      return `expected one of ${LOG_LEVELS.join(', ')}`;
    case 'overflow':
      return `expected one of ${QUEUE_OVERFLOW_POLICIES.join(', ')}`;
    case 'string':
      return 'expected text';
    case 'list':
      return 'expected a comma-separated list';
  }
}
