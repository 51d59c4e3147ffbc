// Scatter-gather requests to the other nodes: an id, the replies expected, a timeout, bounded memory.
import type { MemberInfo } from '../core/backplane.js';
import { afterPendingIo } from './after-io.js';
import type { ClusterResponse } from './cluster-messages.js';

/** How the replies of one request are folded into its result. */
export interface Gather<T> {
  /** Folds in one reply; true when the result is final and later replies are not needed. */
  add(response: ClusterResponse): boolean;
  /** The result from what was folded in so far (also on timeout, or when the table closes). */
  result(): T;
}

/** Why a request ended without every expected reply. */
export type IncompleteReason = 'timeout' | 'closed' | 'overloaded' | 'unsent';

/** A request that ended before every peer it asked had answered. */
export interface IncompleteRequest {
  requestId: string;
  type: string;
  reason: IncompleteReason;
  /** The peers that had not answered. */
  missing: string[];
}

/** A request just opened: its id for the message, and its result. */
export interface OpenedRequest<T> {
  requestId: string;
  result: Promise<T>;
  /** False when it settled at once (no peers, or too many requests pending): nothing needs sending. */
  waiting: boolean;
}

interface Pending {
  type: string;
  /** Peers still to answer: a reply from anyone else (a late joiner, a duplicate) is ignored. */
  awaiting: Set<string>;
  timer: NodeJS.Timeout;
  gather: Gather<unknown>;
  resolve(value: unknown): void;
}

/** The requests this node has sent and not yet settled. */
export class RequestTable {
  private readonly pending = new Map<string, Pending>();
  private seq = 0;

  /**
   * @param idPrefix makes ids unique in the cluster (the node id)
   * @param onIncomplete told of every request that ended with replies missing
   */
  constructor(
    private readonly idPrefix: string,
    private readonly timeoutMs: number,
    private readonly maxPending: number,
    private readonly onIncomplete: (request: IncompleteRequest) => void,
  ) {}

  /** Requests waiting for replies. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Opens a request to `peers` and returns its id (to put in the message) and its result, which
   * settles when every peer answered, `gather` says it is final, the timeout passes, or `close()`.
   * With no peers it settles at once; past `maxPending` too (as an `overloaded` incomplete request).
   */
  open<T>(type: string, peers: readonly string[], gather: Gather<T>): OpenedRequest<T> {
    const requestId = `${this.idPrefix}:${(this.seq += 1)}`;
    if (peers.length === 0) return { requestId, result: Promise.resolve(gather.result()), waiting: false };
    if (this.pending.size >= this.maxPending) {
      this.onIncomplete({ requestId, type, reason: 'overloaded', missing: [...peers] });
      return { requestId, result: Promise.resolve(gather.result()), waiting: false };
    }
    const result = new Promise<T>((resolve) => {
      const timer = setTimeout(() => afterPendingIo(() => this.finish(requestId, 'timeout')), this.timeoutMs);
      timer.unref();
      this.pending.set(requestId, { type, awaiting: new Set(peers), timer, gather, resolve: resolve as (value: unknown) => void });
    });
    return { requestId, result, waiting: true };
  }

  /** Folds in a reply; replies to unknown (settled) requests or from peers not asked are ignored. */
  reply(response: ClusterResponse): void {
    const request = this.pending.get(response.requestId);
    if (request === undefined || !request.awaiting.delete(response.from)) return;
    if (request.gather.add(response) || request.awaiting.size === 0) this.finish(response.requestId, undefined);
  }

  /** A peer is gone: requests stop waiting for it. */
  nodeGone(nodeId: string): void {
    for (const [requestId, request] of this.pending) {
      if (request.awaiting.delete(nodeId) && request.awaiting.size === 0) this.finish(requestId, undefined);
    }
  }

  /** Settles one request with what it has at once (its message could not be sent). */
  cancel(requestId: string, reason: IncompleteReason): void {
    this.finish(requestId, reason);
  }

  /** Settles every pending request with what it has (on stop). */
  close(): void {
    for (const requestId of [...this.pending.keys()]) this.finish(requestId, 'closed');
  }

  private finish(requestId: string, reason: IncompleteReason | undefined): void {
    const request = this.pending.get(requestId);
    if (request === undefined) return;
    this.pending.delete(requestId);
    clearTimeout(request.timer);
    if (reason !== undefined && request.awaiting.size > 0) {
      this.onIncomplete({ requestId, type: request.type, reason, missing: [...request.awaiting] });
    }
    request.resolve(request.gather.result());
  }
}

/** True once any node answers that it had the client and acted (join, leave, disconnect). */
export class AnyDone implements Gather<boolean> {
  private done = false;

  add(response: ClusterResponse): boolean {
    if (response.type === 'done' && response.ok === true) this.done = true;
    return this.done;
  }

  result(): boolean {
    return this.done;
  }
}

/** Local members plus every node's answer, one entry per client id (a client replaced across nodes may briefly be on two). */
export class MembersGather implements Gather<MemberInfo[]> {
  private readonly members: MemberInfo[];
  private readonly ids = new Set<string>();

  constructor(local: MemberInfo[]) {
    this.members = [];
    this.addAll(local);
  }

  add(response: ClusterResponse): boolean {
    if (response.type === 'members') this.addAll(response.members);
    return false;
  }

  result(): MemberInfo[] {
    return this.members;
  }

  private addAll(members: readonly MemberInfo[]): void {
    for (const member of members) {
      // Entries come from other nodes: one without an id or with non-object metadata is left out, not passed on.
      if (typeof member?.clientId !== 'string' || typeof member.metadata !== 'object' || member.metadata === null) continue;
      if (this.ids.has(member.clientId)) continue;
      this.ids.add(member.clientId);
      this.members.push(member);
    }
  }
}
