// What the core needs of a backend connection to hand it client events, and of the set it picks from.
import type { SendRefusalCode } from '@strands/protocol/wire';

/** A backend connection, as the dispatcher sees it. */
export interface EventConsumer {
  readonly id: number;
  /** False once the connection is closing: it takes nothing more. */
  readonly alive: boolean;
  /**
   * True once it announced the `ack` capability: its events carry ids and are held until it
   * acknowledges them (or they time out). Otherwise an event is done once written.
   */
  readonly acks?: boolean;
  /** Bytes not yet taken by the kernel. */
  readonly bufferedBytes: number;
  /**
   * Queues an event line about client `clientId` for this turn's write; false when the consumer
   * cannot take it (it is being dropped). A relay to another broker needs the id to keep that
   * client's events on one backend there.
   */
  sendEvent(line: string, clientId: string): boolean;
  /** Calls `hook` once, after the next write completes. */
  onWritten(hook: () => void): void;
  /**
   * True for a consumer that tells later what became of an event (a relay to a broker that answers
   * confirmed sends): a confirmed send goes through `sendAnswered` instead of `sendEvent`.
   */
  readonly answersLater?: boolean;
  /** Like `sendEvent`; `answer` hears, later, what the other side did with the event. */
  sendAnswered?(line: string, clientId: string, answer: (outcome: 'sent' | 'queued' | SendRefusalCode) => void): boolean;
}

/** A client, as the dispatcher sees it: the backend its events go to, so they are handled in order. */
export interface EventOwner {
  readonly id: string;
  affinity: EventConsumer | undefined;
}

/** The ready backends, from which a client without a live backend gets one. */
export interface ConsumerSource {
  readonly size: number;
  pick(): EventConsumer | undefined;
}

/**
 * Picks from `first` while it has a consumer, else from `second`: a broker's own backends before
 * relays to another broker's.
 */
export function firstOf(first: ConsumerSource, second: ConsumerSource): ConsumerSource {
  return {
    get size() {
      return first.size + second.size;
    },
    pick: () => first.pick() ?? second.pick(),
  };
}
