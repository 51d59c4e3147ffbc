// The port for deciding on connections: a `connection_request` goes out, an acceptance or a refusal comes back.
import type { RejectReason } from '../metrics.js';
import type { EventConsumer } from './consumers.js';

/** Everything a `connection_request` carries. */
export interface ConnectionRequestParams {
  headers: Record<string, string[]>;
  url: string;
  remote_addr: string;
  query: Record<string, string[]>;
}

/** One upgrade waiting for a decision. */
export interface ConnectionRequest {
  /** The `request_id` the backend answers with. */
  readonly id: string;
  readonly params: ConnectionRequestParams;
}

/** The client may connect, as this client id, in this room, with this metadata. */
export interface Acceptance {
  readonly accepted: true;
  readonly clientId: string;
  readonly roomId: string;
  readonly metadata: Record<string, unknown>;
  /** The backend that decided: the client's events go there first. */
  readonly affinity: EventConsumer | undefined;
}

/** The client may not connect: the HTTP status (or 4000 + status close) and reason it is told. */
export interface Refusal {
  readonly accepted: false;
  readonly why: RejectReason;
  readonly status: number;
  readonly reason: string;
}

export type Decision = Acceptance | Refusal;

/**
 * Decides on connection requests; the gateway asks and never learns who answers. Today the
 * decider is this broker's backends; in a cluster it may forward to a broker that has one.
 */
export interface ConnectionDecider {
  /** Starts deciding; `done` is called exactly once (possibly at once), unless `cancel` came first. */
  decide(request: ConnectionRequest, done: (decision: Decision) => void): void;
  /** The client gave up: forget the request; a late answer finds nothing. */
  cancel(requestId: string): void;
  /** Refuses every pending request with 503 (the broker is stopping). */
  shutdown(): void;
}
