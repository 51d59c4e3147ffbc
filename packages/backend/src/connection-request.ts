// A client asking to connect: what the handler can read (headers, url, query, address) and set
// (client id, room, metadata), and how its answer becomes a `response` frame.
import { randomUUID } from 'node:crypto';
import type { ConnectionRequestFrame, Headers, JsonObject, Query } from '@strands/protocol';

/** What a connection-request handler may return. `undefined` accepts (with what it set on the request). */
export type ConnectionDecision =
  | boolean
  | void
  | undefined
  | {
      accept: boolean;
      /** HTTP status of a rejection, 400-599. @default 403 */
      status?: number;
      /** Why the client is rejected; shown to it by Strands brokers. */
      reason?: string;
      clientId?: string;
      roomId?: string;
      metadata?: JsonObject;
    };

/** The answer sent to the broker. */
export type ConnectionAnswer =
  | { accepted: true; clientId: string; roomId: string; metadata: JsonObject }
  | { accepted: false; status: number; reason: string | undefined };

export class ConnectionRequest {
  /** Raw headers as the broker sent them: canonical names (`Authorization`) to lists of values. */
  readonly headers: Readonly<Headers>;
  /** The request path as the broker gave it, e.g. `/ws/room1`. */
  readonly url: string;
  /** `url` without its query string. */
  readonly path: string;
  /** Query parameters (from the broker's `query`, or parsed from `url`). */
  readonly query: Readonly<Query>;
  /** The client's address, `ip:port`. */
  readonly remoteAddress: string;
  /** The broker that asks, as `host:port`. */
  readonly broker: string;
  /** The broker's request id. */
  readonly requestId: string;
  /** The id the client will have. @default a random UUID */
  clientId: string = randomUUID();
  /** The room the client joins. @default `path` (PyStrands uses the url as given) */
  roomId: string;
  /** Metadata every later event of this client carries. @default {} */
  metadata: JsonObject = {};
  private lowerCased: Map<string, string[]> | undefined;

  constructor(frame: ConnectionRequestFrame, broker: string) {
    const params = frame.params;
    this.requestId = frame.request_id;
    this.headers = params.headers;
    this.url = params.url;
    const q = params.url.indexOf('?');
    this.path = q === -1 ? params.url : params.url.slice(0, q);
    this.query = params.query ?? parseQuery(q === -1 ? '' : params.url.slice(q + 1));
    this.remoteAddress = params.remote_addr;
    this.broker = broker;
    this.roomId = this.path;
  }

  /** The first value of header `name`, matched case-insensitively. */
  header(name: string): string | undefined {
    return this.headerValues(name)[0];
  }

  /** Every value of header `name`, matched case-insensitively. */
  headerValues(name: string): string[] {
    if (this.lowerCased === undefined) {
      this.lowerCased = new Map();
      for (const [key, values] of Object.entries(this.headers)) {
        const lower = key.toLowerCase();
        this.lowerCased.set(lower, [...(this.lowerCased.get(lower) ?? []), ...values]);
      }
    }
    return this.lowerCased.get(name.toLowerCase()) ?? [];
  }

  /** Turns a handler's decision into the broker answer. */
  answer(decision: ConnectionDecision): ConnectionAnswer {
    if (decision === undefined || decision === true) {
      return { accepted: true, clientId: this.clientId, roomId: this.roomId, metadata: this.metadata };
    }
    if (decision === false) return { accepted: false, status: 403, reason: undefined };
    if (typeof decision !== 'object' || decision === null) {
      throw new TypeError('a connection-request handler must return a boolean, a decision object or nothing');
    }
    if (!decision.accept) return { accepted: false, status: rejectionStatus(decision.status), reason: decision.reason };
    return {
      accepted: true,
      clientId: decision.clientId ?? this.clientId,
      roomId: decision.roomId ?? this.roomId,
      metadata: decision.metadata ?? this.metadata,
    };
  }
}

function rejectionStatus(status: number | undefined): number {
  if (status === undefined) return 403;
  if (!Number.isInteger(status) || status < 400 || status > 599) {
    throw new RangeError(`a rejection status must be an integer from 400 to 599 (got ${status})`);
  }
  return status;
}

function parseQuery(text: string): Query {
  const query: Record<string, string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) (query[key] ??= []).push(value);
  return query;
}
