// The upgrade flow: ask for a decision first, then upgrade or refuse with a real HTTP status (or a 4xxx close).
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { rejectionCloseCode } from '@strands/protocol/wire';
import type { WebSocket, WebSocketServer } from 'ws';
import type { BrokerContext } from '../core/context.js';
import type { Acceptance, ConnectionDecider, Decision } from '../core/decisions.js';
import { flatUuid, MAX_CLOSE_REASON_BYTES, truncateUtf8 } from '../core/text.js';
import { RateLimitedLog } from '../logger.js';
import type { RejectReason } from '../metrics.js';
import type { Admission } from './admission.js';
import type { OriginAllowList } from './origins.js';
import { connectionRequestParams, isValidUpgrade, markRefusal, offersStrandsProtocol, refuseWithStatus } from './handshake.js';

/** Called with the upgraded socket of an accepted client, the address it was admitted under, and its request (session params). */
export type AcceptHandler = (ws: WebSocket, socket: Duplex, acceptance: Acceptance, ip: string, req: IncomingMessage) => void;

/** What a refusal by admission control tells the client. */
const ADMISSION_REASONS: Partial<Record<RejectReason, string>> = {
  max_connections: 'broker full: too many connections',
  max_connections_per_ip: 'too many connections from this address',
  max_pending_upgrades: 'broker busy: too many connections waiting',
};

/** The socket side of an upgrade waiting for its decision. */
interface PendingUpgrade {
  readonly id: string;
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  /** The peer address admission control counts it under. */
  readonly ip: string;
  /** The upgrade's head plus anything the client sent while we waited (read so that its hang-up is seen). */
  head: Buffer;
  readonly strands: boolean;
  /** `performance.now()` when the upgrade arrived, for `strands_connection_decision_seconds`. */
  readonly since: number;
  onClose: () => void;
  onData: (chunk: Buffer) => void;
}

function destroySocket(this: Duplex): void {
  this.destroy();
}

// A WebSocket client must wait for the 101 before sending; more than this early is abuse.
const MAX_EARLY_BYTES = 64 * 1024;

/** Keeps upgrades waiting for a decision; none is ever left hanging. Who decides is the decider's business. */
export class UpgradeHandler {
  private readonly pending = new Map<string, PendingUpgrade>();
  private readonly admissionLog = new RateLimitedLog(1000);

  constructor(
    private readonly ctx: BrokerContext,
    private readonly wss: WebSocketServer,
    private readonly decider: ConnectionDecider,
    private readonly admission: Admission,
    private readonly accept: AcceptHandler,
    /** Browser origins allowed; undefined: any. */
    private readonly origins?: OriginAllowList,
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
    if (this.ctx.stopping) return this.refuse(req, socket, head, strands, 'shutting_down', 503, 'broker shutting down');
    if (!isValidUpgrade(req)) return this.refuse(req, socket, head, false, 'bad_request', 400, 'not a WebSocket upgrade');
    if (this.origins !== undefined && !this.origins.allows(req.headers.origin)) {
      return this.refuse(req, socket, head, strands, 'origin_refused', 403, 'origin not allowed');
    }
    const ip = req.socket.remoteAddress ?? '';
    const over = this.admission.admit(ip);
    if (over !== undefined) return this.overCapacity(req, socket, head, strands, over, ip);
    // In one piece: the pending record may live long enough to reach V8's old space (see flatCopy).
    const id = flatUuid();
    const p: PendingUpgrade = {
      id,
      req,
      socket,
      ip,
      head,
      strands,
      since: performance.now(),
      onClose: () => {
        if (this.settle(p)) {
          this.admission.settled(ip, false);
          this.decider.cancel(id);
        }
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
    this.decider.decide({ id, params: connectionRequestParams(req) }, (decision) => this.decided(p, decision));
  }

  private decided(p: PendingUpgrade, decision: Decision): void {
    if (!this.settle(p)) return;
    this.ctx.metrics.histograms.observeDecision(decision.accepted ? 'accepted' : decision.why, (performance.now() - p.since) / 1000);
    if (!decision.accepted || p.socket.destroyed) {
      this.admission.settled(p.ip, false);
      if (!decision.accepted) this.refuse(p.req, p.socket, p.head, p.strands, decision.why, decision.status, decision.reason);
      return;
    }
    // ws cuts a socket it cannot upgrade without calling back: count that as gone too.
    let upgraded = false;
    const lost = () => {
      if (!upgraded) this.admission.settled(p.ip, false);
    };
    p.socket.once('close', lost);
    this.wss.handleUpgrade(p.req, p.socket, p.head, (ws) => {
      upgraded = true;
      p.socket.removeListener('close', lost);
      // ws now handles the socket's errors (it destroys the socket too): a second listener would
      // keep a listener array on every connection for its whole life.
      p.socket.removeListener('error', destroySocket);
      this.admission.settled(p.ip, true);
      this.accept(ws, p.socket, decision, p.ip, p.req);
    });
  }

  /** A cap of admission control is reached: 503 with `Retry-After`, counted, logged at most once a second. */
  private overCapacity(req: IncomingMessage, socket: Duplex, head: Buffer, strands: boolean, why: RejectReason, ip: string): void {
    this.admissionLog.hit((suppressed) => {
      this.ctx.logger.warn({ reason: why, ip, pending: this.pending.size, refusedSinceLastLog: suppressed + 1 }, 'connection refused by admission control (503)');
    });
    this.refuse(req, socket, head, strands, why, 503, ADMISSION_REASONS[why] ?? 'broker busy');
  }

  /** Forgets a pending upgrade; false when it was already settled. */
  private settle(p: PendingUpgrade): boolean {
    if (this.pending.get(p.id) !== p) return false;
    this.pending.delete(p.id);
    p.socket.removeListener('close', p.onClose);
    p.socket.removeListener('end', p.onClose);
    p.socket.removeListener('data', p.onData);
    return true;
  }

  /**
   * Plain clients get the HTTP status; `strands.v1` clients (browsers cannot read statuses) are
   * upgraded and closed with 4000 + status and the reason, under the refusal subprotocol where
   * they offered it.
   */
  private refuse(req: IncomingMessage, socket: Duplex, head: Buffer, strands: boolean, why: RejectReason, status: number, reason: string): void {
    this.ctx.metrics.rejected[why] += 1;
    if (socket.destroyed) return;
    const headers: Record<string, string> =
      status === 503 ? { 'Retry-After': String(this.ctx.options.retryAfterSeconds) } : {};
    if (!strands) return refuseWithStatus(socket, status, reason, headers);
    markRefusal(req);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.close(rejectionCloseCode(status), truncateUtf8(reason === '' ? (STATUS_CODES[status] ?? '') : reason, MAX_CLOSE_REASON_BYTES));
    });
  }
}
