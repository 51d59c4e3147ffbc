// Refusals of relayed client events, told back to the node their client is on: batched per node and turn into `refused` messages.
import type { SendRefusalCode } from '@strands/protocol/wire';
import type { RefusedEventsMessage } from './node-messages.js';

/** How refusals reach the sender's node. */
export interface RefusalLink {
  readonly nodeId: string;
  /** Sends to one node's inbox; false when the transport could not take it (the refusal is then only counted where it happened). */
  send(toNodeId: string, message: RefusedEventsMessage): boolean;
}

interface Batch {
  clients: string[];
  codes: SendRefusalCode[];
}

/**
 * The messages of other nodes' clients this node refused (queue full under `reject`) or dropped
 * after accepting them (dead letters): each goes back to its client's node, which tells the
 * sender as it would a refusal of its own. Only what one turn gathers is held.
 */
export class RelayRefusals {
  /** By node, and whether dropped after they were accepted. */
  private batches = new Map<string, { refused?: Batch; dropped?: Batch }>();
  private scheduled = false;
  private readonly flushNow = (): void => this.flush();

  constructor(private readonly link: RefusalLink) {}

  add(node: string, clientId: string, code: SendRefusalCode, dropped: boolean): void {
    let mine = this.batches.get(node);
    if (mine === undefined) {
      mine = {};
      this.batches.set(node, mine);
    }
    const batch = dropped ? (mine.dropped ??= { clients: [], codes: [] }) : (mine.refused ??= { clients: [], codes: [] });
    batch.clients.push(clientId);
    batch.codes.push(code);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushNow);
  }

  private flush(): void {
    this.scheduled = false;
    const batches = this.batches;
    this.batches = new Map();
    for (const [node, { refused, dropped }] of batches) {
      if (refused !== undefined) this.link.send(node, { type: 'refused', from: this.link.nodeId, ...refused, dropped: false });
      if (dropped !== undefined) this.link.send(node, { type: 'refused', from: this.link.nodeId, ...dropped, dropped: true });
    }
  }
}
