// What handlers receive about clients: their context, their messages, their disconnections.
import type { Context, JsonObject } from '@strands/protocol';
import { unwrapMetadata } from './wire.js';

/** Who a client is, as the backend decided when it accepted it. */
export interface ClientContext {
  readonly clientId: string;
  readonly roomId: string;
  /** The metadata the backend set when accepting (unwrapped from the PyStrands Go broker's shape). */
  readonly metadata: JsonObject;
  /** The broker the client is connected through, as `host:port`. */
  readonly broker: string;
}

/**
 * How an event reached this backend. From a Strands broker (which this SDK asks for
 * acknowledgements) every event has an `id`; a redelivery (its first backend died, or did not
 * acknowledge it in time) has `redelivered` and the count of deliveries. A PyStrands broker gives
 * no id: `{ id: undefined, redelivered: false, deliveryCount: 1 }`.
 */
export interface EventDelivery {
  readonly id: string | undefined;
  readonly redelivered: boolean;
  readonly deliveryCount: number;
}

/** What an event without an id (a PyStrands broker's) reads as. */
export const FIRST_DELIVERY: EventDelivery = Object.freeze({ id: undefined, redelivered: false, deliveryCount: 1 });

/** Where replies go; the backend implements it. */
export interface Replier {
  sendToConnection(clientId: string, message: string | Uint8Array): Promise<void>;
  /** Sends to one client a text already written as JSON (both the id and the message): the reply of a text as it came. */
  sendJsonTextToConnection?(clientId: string, clientIdJson: string, messageJson: string): Promise<void>;
}

/** The JSON texts a message arrived in, so that replying with the same text needs no encoding. */
export interface ArrivedAs {
  readonly clientIdJson: string;
  readonly messageJson: string;
}

/** Builds the handler-facing context from a wire context. */
export function toClientContext(context: Context, broker: string): ClientContext {
  return { clientId: context.client_id, roomId: context.room_id, metadata: unwrapMetadata(context.metadata), broker };
}

/** A message from a client. */
export class IncomingMessage implements EventDelivery {
  /** The broker's event id (Strands brokers), the same on a redelivery. */
  readonly id: string | undefined;
  /** True when an earlier delivery of this message was not acknowledged. */
  readonly redelivered: boolean;
  /** Deliveries so far, this one included. */
  readonly deliveryCount: number;

  constructor(
    readonly client: ClientContext,
    /** The message as the broker passed it: text, or base64 when `isBinary`. */
    readonly message: string,
    /** True when the client sent a binary frame (Strands brokers pass it as base64). */
    readonly isBinary: boolean,
    private readonly replier: Replier,
    delivery: EventDelivery = FIRST_DELIVERY,
    private readonly arrivedAs?: ArrivedAs,
  ) {
    this.id = delivery.id;
    this.redelivered = delivery.redelivered;
    this.deliveryCount = delivery.deliveryCount;
  }

  /** Parses the message as JSON; throws a SyntaxError when it is not. */
  json<T = unknown>(): T {
    return JSON.parse(this.message) as T;
  }

  /** The message's bytes (decoded from base64 for binary frames). */
  bytes(): Buffer {
    return Buffer.from(this.message, this.isBinary ? 'base64' : 'utf8');
  }

  /** Sends `message` to this client alone (bytes as a binary frame). */
  reply(message: string | Uint8Array): Promise<void> {
    const arrived = this.arrivedAs;
    if (message === this.message && arrived !== undefined && !this.isBinary && this.replier.sendJsonTextToConnection !== undefined) {
      return this.replier.sendJsonTextToConnection(this.client.clientId, arrived.clientIdJson, arrived.messageJson);
    }
    return this.replier.sendToConnection(this.client.clientId, message);
  }

  /** Sends `value` as JSON to this client alone. */
  replyJson(value: unknown): Promise<void> {
    return this.replier.sendToConnection(this.client.clientId, JSON.stringify(value));
  }
}

/** A client's socket closed. `code`/`reason` come from Strands brokers; PyStrands brokers give neither. */
export interface Disconnection extends EventDelivery {
  readonly client: ClientContext;
  readonly code: number | undefined;
  readonly reason: string | undefined;
}
