// Connection requests answered by this broker's backends: ask one, retry on another if it goes, 504 if none answers.
import type { BrokerContext } from '../core/context.js';
import type { ConnectionDecider, ConnectionRequest, ConnectionRequestParams, Decision, Refusal } from '../core/decisions.js';
import type { BackendConnection } from './backend-connection.js';
import { nextRequestId, withDelivery } from '../core/event-lines.js';
import { connectionRequestLine, errorEventLine } from './backend-frames.js';
import type { BackendPool } from './backend-pool.js';
import { RateLimitedLog } from '../logger.js';
import { flatUuid } from '../core/text.js';
import { AwaitingProof, PROOF_WAIT_SLACK_MS } from './awaiting-proof.js';

/** Connection requests in a row a backend may let lapse before it leaves the rotation. */
export const BENCH_AFTER_TIMEOUTS = 3;
/** How long such a backend gets no new clients (it keeps its own clients' events). */
export const BENCH_MS = 30_000;

/**
 * A request waiting for a backend's `response`. It keeps the request's line, not its params: a
 * burst of upgrades keeps thousands waiting long enough to reach V8's old space, where a headers
 * object per request would leave holes between the connections that stay (idle memory per
 * connection). The rare paths that need the params read them back from the line.
 */
interface PendingDecision {
  readonly id: string;
  /** The request's path: the room of a client whose acceptance names none. */
  readonly url: string;
  readonly line: string;
  readonly done: (decision: Decision) => void;
  /** Backends asked already; made on the first retry. */
  tried: Set<BackendConnection> | undefined;
  /** When the client's budget (`connectionRequestTimeoutMs`) runs out. */
  readonly deadline: number;
  backend: BackendConnection;
  timer: NodeJS.Timeout;
}

/** What an end user is told when a backend's answer could not be used. */
export const BAD_GATEWAY_REASON = 'bad gateway: the backend answer could not be used';

/** The backends `p` was asked on, `backend` now among them. */
function tried(p: PendingDecision, backend: BackendConnection): Set<BackendConnection> {
  p.tried ??= new Set();
  p.tried.add(backend);
  return p.tried;
}

function refusal(why: Refusal['why'], status: number, reason: string): Refusal {
  return { accepted: false, why, status, reason };
}

/** Decides on connection requests by asking a ready backend, picked by fewest requests in flight. */
export class BackendDecider implements ConnectionDecider {
  private readonly pending = new Map<string, PendingDecision>();
  private readonly timeoutLog = new RateLimitedLog(1000);
  private readonly awaitingProof = new AwaitingProof();
  /** Backends connected and not proven yet (set by the registry): a request may wait for them. */
  private unproven: () => number = () => 0;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly pool: BackendPool,
  ) {}

  /** Set once by the registry, which knows the connections still proving themselves. */
  countUnprovenWith(unproven: () => number): void {
    this.unproven = unproven;
  }

  /** A backend proved itself: requests waiting for one are decided now. */
  backendReady(): void {
    this.awaitingProof.release((request, done) => this.decide(request, done));
  }

  /** An unproven backend went away: with none left and none ready, the waiting requests get 503. */
  unprovenGone(): void {
    if (this.unproven() > 0 || this.awaitingProof.size === 0) return;
    this.awaitingProof.release((request, done) => this.decide(request, done));
  }

  decide(request: ConnectionRequest, done: (decision: Decision) => void): void {
    // The gateway refuses upgrades itself while stopping; this covers requests other brokers forward.
    if (this.ctx.stopping) return done(refusal('shutting_down', 503, 'broker shutting down'));
    const backend = this.pool.pick();
    if (backend === undefined && this.unproven() > 0) {
      const { backendProbationMs, connectionRequestTimeoutMs } = this.ctx.options;
      const waitMs = Math.min(connectionRequestTimeoutMs, backendProbationMs + PROOF_WAIT_SLACK_MS);
      return this.awaitingProof.hold(request, done, waitMs, (late) => late(refusal('no_backend', 503, 'no backend connected')));
    }
    if (backend === undefined) return done(refusal('no_backend', 503, 'no backend connected'));
    const { connectionRequestTimeoutMs } = this.ctx.options;
    const p: PendingDecision = {
      id: request.id,
      url: request.params.url,
      line: connectionRequestLine(request.id, request.params),
      done,
      tried: undefined,
      deadline: Date.now() + connectionRequestTimeoutMs,
      backend,
      timer: setTimeout(() => this.timeout(p), this.attemptMs(connectionRequestTimeoutMs)),
    };
    this.pending.set(request.id, p);
    this.ask(p, backend);
  }

  cancel(requestId: string): void {
    if (this.awaitingProof.cancel(requestId)) return;
    const p = this.pending.get(requestId);
    if (p !== undefined) this.settle(p);
  }

  /** A well-formed `response` from `backend`. */
  respond(backend: BackendConnection, requestId: string, params: Record<string, unknown>): void {
    const p = this.pending.get(requestId);
    if (p === undefined || p.backend !== backend) {
      this.ctx.logger.debug({ backend: backend.id, requestId }, 'response for no pending connection request (late or unknown)');
      return;
    }
    this.settle(p);
    backend.answeredInTime();
    if (params.accepted !== true) {
      const status = typeof params.status === 'number' ? params.status : 403;
      const reason = typeof params.reason === 'string' ? params.reason : '';
      return p.done(refusal('rejected', status, reason));
    }
    p.done({
      accepted: true,
      clientId: typeof params.client_id === 'string' && params.client_id !== '' ? params.client_id : flatUuid(),
      roomId: typeof params.room_id === 'string' ? params.room_id : p.url,
      metadata: (params.metadata ?? {}) as Record<string, unknown>,
      affinity: backend,
    });
  }

  /** A `response` whose params are wrong: the upgrade it answers cannot proceed. */
  invalid(backend: BackendConnection, requestId: string, message: string): void {
    const p = this.pending.get(requestId);
    if (p === undefined || p.backend !== backend) return;
    this.settle(p);
    // The details are the backend's business (its error_reply has them) and the operator's (the
    // log); the end user learns only that the gateway failed.
    this.ctx.logger.warn({ backend: backend.id, requestId, err: message }, 'invalid response to a connection request (502)');
    p.done(refusal('bad_response', 502, BAD_GATEWAY_REASON));
  }

  /** The backend a request waited on is gone: ask another, or answer 503. */
  backendGone(backend: BackendConnection): void {
    for (const p of [...this.pending.values()]) {
      if (p.backend !== backend) continue;
      const next = this.pool.pick(tried(p, backend));
      if (next !== undefined) {
        this.ctx.logger.debug({ requestId: p.id, from: backend.id, to: next.id }, 'connection request retried on another backend');
        backend.pendingRequests -= 1;
        this.ask(p, next);
        continue;
      }
      this.settle(p);
      p.done(refusal('backend_lost', 503, 'backend lost while deciding'));
    }
  }

  shutdown(): void {
    this.awaitingProof.release((_request, done) => done(refusal('shutting_down', 503, 'broker shutting down')));
    for (const p of [...this.pending.values()]) {
      this.settle(p);
      p.done(refusal('shutting_down', 503, 'broker shutting down'));
    }
  }

  private ask(p: PendingDecision, backend: BackendConnection): void {
    p.backend = backend;
    backend.pendingRequests += 1;
    backend.send(p.line);
  }

  /**
   * An attempt ran out. With budget left and another backend to ask, the request moves there
   * (a backend that connects and never answers must not cost its share of clients a 504);
   * otherwise the client gets 504 at the end of its budget.
   */
  private timeout(p: PendingDecision): void {
    if (this.pending.get(p.id) !== p) return;
    const backend = p.backend;
    const left = p.deadline - Date.now();
    const next = left > 0 ? this.pool.pick(tried(p, backend)) : undefined;
    if (left > 0 && next === undefined) {
      // Nobody else to ask: this backend keeps the rest of the budget.
      p.timer = setTimeout(() => this.timeout(p), left);
      return;
    }
    this.tellTimedOut(p, backend);
    this.strike(backend);
    if (next !== undefined) {
      this.ctx.logger.debug({ requestId: p.id, from: backend.id, to: next.id }, 'connection request timed out: retried on another backend');
      backend.pendingRequests -= 1;
      p.timer = setTimeout(() => this.timeout(p), Math.min(left, this.attemptMs(left)));
      this.ask(p, next);
      return;
    }
    this.settle(p);
    this.timeoutLog.hit((suppressed) => {
      this.ctx.logger.warn({ backend: backend.id, requestId: p.id, url: p.url, suppressed }, 'connection request timed out (504)');
    });
    p.done(refusal('timeout', 504, 'backend did not answer in time'));
  }

  /**
   * PyStrands' `error` event to the backend that let a request lapse. A backend that acknowledges
   * gets it with an `event_id` like every event, but it is not held for redelivery: it is news
   * about this backend's own request, meaningless to another one (its `ack` is ignored).
   */
  private tellTimedOut(p: PendingDecision, backend: BackendConnection): void {
    const { headers, url, remote_addr } = (JSON.parse(p.line) as { params: ConnectionRequestParams }).params;
    const line = errorEventLine({ headers, url, remote_addr, request_id: p.id }, 'connection request timed out');
    backend.send(backend.acks ? withDelivery(line, nextRequestId(), 1) : line);
  }

  /** One more lapse in a row; at the limit the backend leaves the rotation for new clients for a while. */
  private strike(backend: BackendConnection): void {
    if (!backend.missedDecision(Date.now(), BENCH_AFTER_TIMEOUTS, BENCH_MS)) return;
    this.ctx.logger.warn(
      { backend: backend.id, remote: backend.remote, timeoutsInARow: BENCH_AFTER_TIMEOUTS, benchedMs: BENCH_MS },
      'backend taken out of rotation for new clients: connection requests keep timing out',
    );
  }

  /** One attempt's share of a budget: half of it, so a second backend can still answer in time. */
  private attemptMs(budgetMs: number): number {
    return this.pool.size > 1 ? Math.max(1, Math.floor(budgetMs / 2)) : budgetMs;
  }

  private settle(p: PendingDecision): void {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    clearTimeout(p.timer);
    p.backend.pendingRequests -= 1;
  }
}
