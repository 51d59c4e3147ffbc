// Membership commands for a client that is not local, and `members`, asked of every live peer at once.
import type { MaybePromise, MemberInfo } from '../core/backplane.js';
import type { ClusterMessage, ClusterRequest } from './cluster-messages.js';
import type { NodeRegistry } from './node-registry.js';
import { AnyDone, MembersGather, type Gather, type RequestTable } from './requests.js';

/** What the requests need of their backplane. */
export interface PeerRequestHost {
  readonly nodeId: string;
  readonly registry: NodeRegistry;
  readonly requests: RequestTable;
  running(): boolean;
  /** Publishes to every node; false when the transport failed. */
  publish(message: ClusterMessage): boolean;
}

/**
 * A request to every live peer with a timeout (`requestTimeoutMs` of the table): a join, leave or
 * disconnect is true on the first peer that had the client and acted, false when every peer said
 * no or on the timeout; `members` gathers what the peers that answer in time hold.
 */
export class PeerRequests {
  constructor(private readonly host: PeerRequestHost) {}

  join(clientId: string, roomId: string): MaybePromise<boolean> {
    const from = this.host.nodeId;
    return this.ask('join', () => new AnyDone(), false, (requestId) => ({ type: 'join', from, requestId, clientId, room: roomId }));
  }

  leave(clientId: string, roomId: string): MaybePromise<boolean> {
    const from = this.host.nodeId;
    return this.ask('leave', () => new AnyDone(), false, (requestId) => ({ type: 'leave', from, requestId, clientId, room: roomId }));
  }

  disconnect(clientId: string, code: number, reason: string): MaybePromise<boolean> {
    const from = this.host.nodeId;
    return this.ask('disconnect', () => new AnyDone(), false, (requestId) => ({ type: 'disconnect', from, requestId, clientId, code, reason }));
  }

  /** `local` plus the members of every peer that answers in time; silent peers are left out and counted. */
  members(roomId: string, local: MemberInfo[]): MaybePromise<MemberInfo[]> {
    const from = this.host.nodeId;
    return this.ask('members', () => new MembersGather(local), local, (requestId) => ({ type: 'members', from, requestId, room: roomId }));
  }

  /** Asks every live peer; with none (or before start) the answer is `alone` at once. */
  private ask<T>(type: ClusterRequest['type'], gather: () => Gather<T>, alone: T, build: (requestId: string) => ClusterRequest): MaybePromise<T> {
    const { registry, requests } = this.host;
    if (!this.host.running() || registry.size === 0) return alone;
    const { requestId, result, waiting } = requests.open(type, registry.ids(), gather());
    if (waiting && !this.host.publish(build(requestId))) requests.cancel(requestId, 'unsent');
    return result;
  }
}
