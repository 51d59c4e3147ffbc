// Accepted clients: wiring a WebSocket's events to the registry and the backends, and the ping sweep that finds dead ones.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { newMessageLine } from '../core/event-lines.js';
import type { BrokerContext } from '../core/context.js';
import type { Acceptance } from '../core/decisions.js';
import type { EventDispatcher } from '../core/dispatcher.js';
import type { Admission } from './admission.js';
import type { BackendBackpressure } from './backpressure.js';
import { ClientConnection } from './client-connection.js';
import { HeldFrames } from './held-frames.js';
import type { ClientRegistry } from './client-registry.js';
import { forgetConfirm, sendMessage, takeConfirm } from './send-replies.js';
import type { ClientThrottle } from './client-throttle.js';

// ws reports protocol violations as errors and then closes with 1006 locally; keep the code it sent.
const CLOSE_CODE_OF_WS_ERROR: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
};

/** The client a WebSocket belongs to, kept on the socket so one set of listeners serves every client. */
const CLIENT = Symbol('strands.client');
type ClientSocket = WebSocket & { [CLIENT]: ClientConnection };

/** The listeners every client's WebSocket shares (per-client closures would cost memory per idle connection). */
interface Listeners {
  message(this: WebSocket, data: Buffer, isBinary: boolean): void;
  pong(this: WebSocket): void;
  error(this: WebSocket, error: Error & { code?: string }): void;
  close(this: WebSocket, code: number, reason: Buffer): void;
}

function clientOf(ws: WebSocket): ClientConnection {
  return (ws as ClientSocket)[CLIENT];
}

/** What the shared listeners act on; one per broker. */
export interface ClientSide {
  readonly ctx: BrokerContext;
  readonly registry: ClientRegistry;
  readonly dispatcher: EventDispatcher;
  readonly admission: Admission;
  /** Per-client rate limits; undefined when the options turn them off. */
  readonly throttle?: ClientThrottle;
  /** Pauses the clients of backends that fall behind. */
  readonly backpressure?: BackendBackpressure;
}

const listenersOf = new WeakMap<ClientSide, Listeners>();

/**
 * One frame a client sent, read or held: a confirm is taken, a message goes to its backend, then
 * the client's rate and its backend's lag are counted (either may pause it). Not `counted`: the
 * client is being let go and what it sent before is passed on without pausing anything.
 */
export function receive(side: ClientSide, client: ClientConnection, data: Buffer, isBinary: boolean, counted = true): void {
  if (takeConfirm(client, data, isBinary)) return;
  const { ctx, registry, dispatcher } = side;
  ctx.metrics.messagesIn += 1;
  ctx.metrics.messagesInBytes += data.length;
  // Binary frames reach the backend as base64 with `encoding: "base64"` (never corrupted into text).
  const message = isBinary ? data.toString('base64') : data.toString('utf8');
  sendMessage(registry, dispatcher, client, newMessageLine(message, client.contextJson, isBinary), ctx.options.queueOverflow);
  if (!counted) return;
  // Passed on first, then paused if need be: what a client sent is never dropped for its rate.
  side.throttle?.count(client, data.length);
  side.backpressure?.afterMessage(client);
}

/** Passes on everything `client` has held (it is being let go: its messages still reach its backend before its `disconnected`). */
export function passHeld(side: ClientSide, client: ClientConnection): void {
  const held = client.held;
  if (held === undefined) return;
  client.held = undefined;
  while (held.shift((data, isBinary) => receive(side, client, data, isBinary, false)));
}

function listeners(side: ClientSide): Listeners {
  let found = listenersOf.get(side);
  if (found !== undefined) return found;
  const { ctx, registry } = side;
  found = {
    message(data, isBinary) {
      const client = clientOf(this);
      if (client.gone) return;
      client.alive = true;
      // The rest of a socket read that came after its rate pause: held, and passed on at its rate.
      if (client.isPausedFor('rate')) return (client.held ??= new HeldFrames()).push(data, isBinary);
      receive(side, client, data, isBinary);
    },
    pong() {
      clientOf(this).alive = true;
    },
    error(error) {
      const client = clientOf(this);
      client.protocolError = { code: CLOSE_CODE_OF_WS_ERROR[error.code ?? ''] ?? 1002, reason: error.message };
      ctx.logger.debug({ client: client.id, err: error.message }, 'client protocol error');
    },
    close(code, reason) {
      const client = clientOf(this);
      const error = client.protocolError;
      // The drop passes on what is still held first (its close frame may have come in the same
      // read), confirms among it too; only then are its confirms forgotten.
      registry.drop(client, error?.code ?? code, error === undefined ? reason.toString() : error.reason);
      forgetConfirm(client);
      client.setState('closed');
      side.admission.left(client.ip);
    },
  };
  listenersOf.set(side, found);
  return found;
}

/** Turns an upgraded socket into a registered client whose frames become backend events. */
export function attachClient(
  side: ClientSide,
  ws: WebSocket,
  socket: Duplex,
  acceptance: Acceptance,
  ip: string,
  /** `positions`: it asked for history positions; `resumed`: it came back with a valid resume token. */
  session?: { positions: boolean; resumed: boolean },
): ClientConnection {
  const client = new ClientConnection(acceptance.clientId, acceptance.roomId, acceptance.metadata, ws, socket, ip);
  client.affinity = acceptance.affinity;
  if (session !== undefined) client.positions = session.positions;
  const on = listeners(side);
  (ws as ClientSocket)[CLIENT] = client;
  ws.on('message', on.message);
  ws.on('pong', on.pong);
  ws.on('error', on.error);
  ws.on('close', on.close);
  side.registry.add(client, session?.resumed === true);
  return client;
}

/**
 * Every interval, drops clients that did not answer the previous ping (reported as
 * `disconnected` with code 1006) and pings the rest. A sweep more than an interval late only
 * pings: the broker's own loop was held up (a long GC pause, a starved CPU), and pongs that came
 * meanwhile still wait unread in the sockets, for timers run before I/O.
 */
export function startPingSweep(side: ClientSide): NodeJS.Timeout | undefined {
  const interval = side.ctx.options.pingIntervalMs;
  if (interval === 0) return undefined;
  let lastSweepAt = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const stalled = now - lastSweepAt > 2 * interval;
    lastSweepAt = now;
    for (const client of side.registry.all()) {
      // A client the broker does not read cannot have its pong read either.
      if (!client.alive && !client.readPaused && !stalled) {
        side.ctx.logger.debug({ client: client.id }, 'client missed a ping: dropped');
        side.registry.drop(client, 1006, 'ping timeout', 'terminate');
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, interval);
  timer.unref();
  return timer;
}
