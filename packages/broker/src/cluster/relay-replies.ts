// What a node tells the node a relayed client event came from: answers to confirmed sends, and
// refusals of other messages, batched per node and turn into `answers` and `refused` messages.
import type { SendRefusalCode } from '@strands/protocol/wire';
import type { SendOutcome } from '../core/overflow.js';
import type { AnswersMessage, RefusedEventsMessage } from './node-messages.js';

/** How replies reach the sender's node. */
export interface ReplyLink {
  readonly nodeId: string;
  /** Sends to one node's inbox; false when the transport could not take it (the refusal is then only counted where it happened). */
  send(toNodeId: string, message: RefusedEventsMessage | AnswersMessage): boolean;
}

interface Refusals {
  clients: string[];
  codes: SendRefusalCode[];
}

/** One node's replies gathered this turn. */
interface Replies {
  refused?: Refusals;
  dropped?: Refusals;
  answers?: { ids: number[]; outcomes: SendOutcome[] };
}

/**
 * The messages of other nodes' clients this node refused (queue full under `reject`) or dropped
 * after accepting them (dead letters), and the outcomes of their confirmed sends: each goes back
 * to its client's node, which tells the sender as it would of its own. Only what one turn gathers is held.
 */
export class RelayReplies {
  private batches = new Map<string, Replies>();
  private scheduled = false;
  private readonly flushNow = (): void => this.flush();

  constructor(private readonly link: ReplyLink) {}

  /** `clientId`'s message was refused with `code` (`dropped`: after it was accepted). */
  refused(node: string, clientId: string, code: SendRefusalCode, dropped: boolean): void {
    const mine = this.of(node);
    const batch = dropped ? (mine.dropped ??= { clients: [], codes: [] }) : (mine.refused ??= { clients: [], codes: [] });
    batch.clients.push(clientId);
    batch.codes.push(code);
  }

  /** The confirmed send `node` numbered `id` came to `outcome`. */
  answered(node: string, id: number, outcome: SendOutcome): void {
    const answers = (this.of(node).answers ??= { ids: [], outcomes: [] });
    answers.ids.push(id);
    answers.outcomes.push(outcome);
  }

  private of(node: string): Replies {
    let mine = this.batches.get(node);
    if (mine === undefined) {
      mine = {};
      this.batches.set(node, mine);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushNow);
    }
    return mine;
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.batches;
    this.batches = new Map();
    const from = this.link.nodeId;
    for (const [node, { refused, dropped, answers }] of batches) {
      if (answers !== undefined) this.link.send(node, { type: 'answers', from, ...answers });
      if (refused !== undefined) this.link.send(node, { type: 'refused', from, ...refused, dropped: false });
      if (dropped !== undefined) this.link.send(node, { type: 'refused', from, ...dropped, dropped: true });
    }
  }
}
