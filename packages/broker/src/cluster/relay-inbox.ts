// The receiving side of relayed client events: each remote client gets an owner here, so its events stay on one local backend.
import type { SendRefusalCode } from '@strands/protocol/wire';
import type { EventConsumer, EventOwner } from '../core/consumers.js';
import { actionOf } from '../core/dead-letters.js';
import type { EventDispatcher } from '../core/dispatcher.js';
import { isDisconnectedLine } from '../core/event-lines.js';
import type { SendOutcome } from '../core/overflow.js';

const NEWLINE = 0x0a;

/** Hears of a relayed client message this node refused, to tell its sender's node. */
export type RelayRefused = (node: string, clientId: string, code: SendRefusalCode) => void;
/** Hears what became of a confirmed send `node` relayed here as `id`, to tell that node. */
export type RelayAnswered = (node: string, id: number, outcome: SendOutcome) => void;

/** The confirmed sends of an `events` message: indexes into it, ascending, and their numbers. */
export interface RelayedConfirms {
  at: readonly number[];
  ids: readonly number[];
}

/** A client of another node whose events this node's backends handle. */
export class RelayedClient implements EventOwner {
  affinity: EventConsumer | undefined;

  constructor(
    readonly id: string,
    readonly node: string,
  ) {}
}

/**
 * The owners of other nodes' clients whose events arrive here, by node and client id. An owner
 * is made by the first event (or by this node's backend accepting the client, whose backend it
 * then keeps), and forgotten once the client's `disconnected` went to the dispatcher or its node
 * is lost. Bounded by `max`: past it the oldest owner is forgotten (its client's next event picks
 * a backend afresh) and `evicted` is told.
 */
export class RelayInbox {
  private readonly owners = new Map<string, RelayedClient>();

  constructor(
    private readonly max: number,
    private readonly evicted: () => void,
    private readonly refused: RelayRefused,
    private readonly answered: RelayAnswered,
  ) {}

  get size(): number {
    return this.owners.size;
  }

  /** This node's backend accepted a client of `node`: its events go to that backend first. */
  accepted(node: string, clientId: string, affinity: EventConsumer | undefined): void {
    this.owner(node, clientId).affinity = affinity;
  }

  /** Hands each event of an `events` message to the dispatcher, in order; a message it refuses goes back to its sender's node. */
  receive(dispatcher: EventDispatcher, node: string, clients: readonly string[], lines: readonly string[], confirms?: RelayedConfirms): void {
    let next = 0;
    for (let i = 0; i < lines.length; i += 1) {
      const clientId = clients[i] as string;
      // A peer that knows this node closes lines (`bareLines`) sends them without their newline.
      const sent = lines[i] as string;
      const line = sent.charCodeAt(sent.length - 1) === NEWLINE ? sent : `${sent}\n`;
      const owner = this.owner(node, clientId);
      if (confirms !== undefined && confirms.at[next] === i) {
        // A confirmed send: its node hears the outcome once it is known (a durable queue's `queued` once kept).
        const id = confirms.ids[next] as number;
        next += 1;
        dispatcher.send(owner, line, (outcome) => this.answered(node, id, outcome));
      } else {
        const outcome = dispatcher.send(owner, line);
        // As for a local sender: its message refused is told (connection events are only counted).
        if (outcome !== 'sent' && outcome !== 'queued' && actionOf(line) === 'new_message') this.refused(node, clientId, outcome);
      }
      if (isDisconnectedLine(line)) this.owners.delete(key(node, clientId));
    }
  }

  /** Removes and returns the owner of a client of `node`, if there is one. */
  take(node: string, clientId: string): EventOwner | undefined {
    const k = key(node, clientId);
    const owner = this.owners.get(k);
    this.owners.delete(k);
    return owner;
  }

  /** Forgets every owner of `node`'s clients (it is lost). A walk over all owners: nodes are lost rarely. */
  forgetNode(node: string): void {
    for (const [k, owner] of this.owners) if (owner.node === node) this.owners.delete(k);
  }

  private owner(node: string, clientId: string): RelayedClient {
    const k = key(node, clientId);
    let owner = this.owners.get(k);
    if (owner !== undefined) return owner;
    if (this.owners.size >= this.max) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.owners.keys().next().value as string;
      this.owners.delete(oldest);
      this.evicted();
    }
    owner = new RelayedClient(clientId, node);
    this.owners.set(k, owner);
    return owner;
  }
}

// Length-prefixed, so no pair of ids can make the key of another pair.
function key(node: string, clientId: string): string {
  return `${node.length}:${node}${clientId}`;
}
