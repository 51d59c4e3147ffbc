// The upgrade flow: ask a backend first, then upgrade or refuse with a real HTTP status (or a 4xxx close).
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { connectionRequestLine, errorEventLine } from '../backends/backend-frames.js';
import type { ResponseSink } from '../backends/backend-handler.js';
import { truncateUtf8 } from '../backends/backend-handler.js';
import type { Backend, Hub, UpgradeHooks } from '../hub.js';
import type { RejectReason } from '../metrics.js';
import { connectionRequestParams, isValidUpgrade, markRefusal, offersStrandsProtocol, refuseWithStatus } from './handshake.js';

/** What the backend decided for an accepted client. */
export interface Acceptance {
  clientId: string;
  roomId: string;
  metadata: Record<string, unknown>;
  backend: Backend;
}

/** Called with the upgraded socket of an accepted client. */
export type AcceptHandler = (ws: WebSocket, socket: Duplex, acceptance: Acceptance) => void;

interface PendingUpgrade {
  readonly id: string;
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  /** The upgrade's head plus anything the client sent while we waited (read so that its hang-up is seen). */
  head: Buffer;
  /** The request path: the room when the backend names none. */
  readonly url: string;
  readonly line: string;
  readonly strands: boolean;
  readonly tried: Set<Backend>;
  backend: Backend;
  timer: NodeJS.Timeout;
  onClose: () => void;
  onData: (chunk: Buffer) => void;
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

// A WebSocket client must wait for the 101 before sending; more than this early is abuse.
const MAX_EARLY_BYTES = 64 * 1024;

/** Keeps upgrades waiting for a backend's `response`; none is ever left hanging. */
export class UpgradeHandler implements ResponseSink, UpgradeHooks {
  private readonly pending = new Map<string, PendingUpgrade>();

  constructor(
    private readonly hub: Hub,
    private readonly wss: WebSocketServer,
    private readonly accept: AcceptHandler,
  ) {}

  pendingCount(): number {
    return this.pending.size;
  }

  /** The http server's 'upgrade' event. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A module-level listener: a closure here would share this call's context and keep the
    // request, its headers and the pending record alive for the whole life of the connection.
    socket.on('error', destroySocket);
    const strands = offersStrandsProtocol(req);
    if (this.hub.stopping) return this.refuse(req, socket, head, strands, 'shutting_down', 503, 'broker shutting down');
    if (!isValidUpgrade(req)) return this.refuse(req, socket, head, false, 'bad_request', 400, 'not a WebSocket upgrade');
    const backend = this.hub.pool.pick();
    if (backend === undefined) return this.refuse(req, socket, head, strands, 'no_backend', 503, 'no backend connected');
    const id = randomUUID();
    const params = connectionRequestParams(req);
    const p: PendingUpgrade = {
      id,
      req,
      socket,
      head,
      url: params.url,
      line: connectionRequestLine(id, params),
      strands,
      tried: new Set(),
      backend,
      timer: setTimeout(() => this.timeout(p), this.hub.options.connectionRequestTimeoutMs),
      onClose: () => {
        this.settle(p);
        socket.destroy();
      },
      onData: (chunk) => {
        p.head = Buffer.concat([p.head, chunk]);
        if (p.head.length > MAX_EARLY_BYTES) socket.destroy();
      },
    };
    this.pending.set(id, p);
    // The client gave up while we waited: forget the request; a late response finds nothing.
    // Reading is what lets a hang-up be seen at all; early bytes are kept for ws.
    // The http server allows half-open sockets, so a client's FIN shows as 'end' only.
    socket.once('close', p.onClose);
    socket.once('end', p.onClose);
    socket.on('data', p.onData);
    socket.resume();
    this.ask(p, backend);
  }

  respond(backend: Backend, requestId: string, params: Record<string, unknown>): void {
    const p = this.pending.get(requestId);
    if (p === undefined || p.backend !== backend) {
      this.hub.logger.debug({ backend: backend.id, requestId }, 'response for no pending connection request (late or unknown)');
      return;
    }
    this.settle(p);
    if (params.accepted !== true) {
      const status = typeof params.status === 'number' ? params.status : 403;
      const reason = typeof params.reason === 'string' ? params.reason : '';
      return this.refuse(p.req, p.socket, p.head, p.strands, 'rejected', status, reason);
    }
    const clientId = typeof params.client_id === 'string' && params.client_id !== '' ? params.client_id : randomUUID();
    const roomId = typeof params.room_id === 'string' ? params.room_id : p.url;
    const metadata = (params.metadata ?? {}) as Record<string, unknown>;
    if (p.socket.destroyed) return;
    this.wss.handleUpgrade(p.req, p.socket, p.head, (ws) => this.accept(ws, p.socket, { clientId, roomId, metadata, backend }));
  }

  invalid(backend: Backend, requestId: string, message: string): void {
    const p = this.pending.get(requestId);
    if (p === undefined || p.backend !== backend) return;
    this.settle(p);
    this.refuse(p.req, p.socket, p.head, p.strands, 'bad_response', 502, `backend answered with an invalid response: ${message}`);
  }

  /** The backend a request waited on is gone: ask another, or answer 503. */
  backendGone(backend: Backend): void {
    for (const p of this.pending.values()) {
      if (p.backend !== backend) continue;
      p.tried.add(backend);
      const next = this.hub.pool.pick(p.tried);
      if (next !== undefined) {
        this.hub.logger.debug({ requestId: p.id, from: backend.id, to: next.id }, 'connection request retried on another backend');
        this.ask(p, next);
        continue;
      }
      this.settle(p);
      this.refuse(p.req, p.socket, p.head, p.strands, 'backend_lost', 503, 'backend lost while deciding');
    }
  }

  /** Answers every waiting upgrade with 503 (the broker is stopping). */
  shutdown(): void {
    for (const p of [...this.pending.values()]) {
      this.settle(p);
      this.refuse(p.req, p.socket, p.head, p.strands, 'shutting_down', 503, 'broker shutting down');
    }
  }

  private ask(p: PendingUpgrade, backend: Backend): void {
    p.backend = backend;
    backend.pendingRequests += 1;
    backend.send(p.line, null);
  }

  private timeout(p: PendingUpgrade): void {
    if (this.pending.get(p.id) !== p) return;
    const backend = p.backend;
    this.settle(p);
    this.hub.logger.warn({ backend: backend.id, requestId: p.id, url: p.url }, 'connection request timed out (504)');
    // Parsed again here (rare) rather than kept on every pending upgrade.
    const { headers, url, remote_addr } = connectionRequestParams(p.req);
    backend.send(errorEventLine({ headers, url, remote_addr, request_id: p.id }, 'connection request timed out'), null);
    this.refuse(p.req, p.socket, p.head, p.strands, 'timeout', 504, 'backend did not answer in time');
  }

  private settle(p: PendingUpgrade): void {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    clearTimeout(p.timer);
    p.backend.pendingRequests -= 1;
    p.socket.removeListener('close', p.onClose);
    p.socket.removeListener('end', p.onClose);
    p.socket.removeListener('data', p.onData);
  }

  /**
   * Plain clients get the HTTP status; `strands.v1` clients (browsers cannot read statuses) are
   * upgraded and closed with 4000 + status and the reason, under the refusal subprotocol where
   * they offered it.
   */
  private refuse(req: IncomingMessage, socket: Duplex, head: Buffer, strands: boolean, why: RejectReason, status: number, reason: string): void {
    this.hub.metrics.rejected[why] += 1;
    if (socket.destroyed) return;
    const headers: Record<string, string> =
      status === 503 ? { 'Retry-After': String(this.hub.options.retryAfterSeconds) } : {};
    if (!strands) return refuseWithStatus(socket, status, reason, headers);
    markRefusal(req);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.close(4000 + status, truncateUtf8(reason === '' ? (STATUS_CODES[status] ?? '') : reason, 123));
    });
  }
}
