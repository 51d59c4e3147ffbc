// The messages every broker of a cluster gets: plain JSON-serialisable objects a transport sends as they are.
import type { MemberInfo } from '../core/backplane.js';

/**
 * A node's announcement that it is alive, and of how many ready backends it has; `initial` asks
 * every receiver to answer at once, so a new node learns its peers without waiting an interval.
 * Also sent at once whenever the node's backend count changes.
 */
export interface HeartbeatMessage {
  type: 'heartbeat';
  from: string;
  initial?: true;
  /** Ready backends on `from`; absent (a peer of an older version): none. */
  backends?: number;
  /** `from` answers the confirmed sends relayed to it (`answers`); absent (an older peer): it does not. */
  answers?: boolean;
  /**
   * `from` takes relayed event lines without their closing newline and closes them itself, so
   * they can travel unescaped in the record's body; absent (an older peer): lines keep it.
   */
  bareLines?: boolean;
  /**
   * `from`'s fence epoch: a peer that gave `from` up by timeout and hears from it again tells it
   * with this number (`givenUp`), so it closes its clients once per time it was given up. Absent
   * (an older peer): 0.
   */
  epoch?: number;
}

/** A node stopping on purpose: receivers drop it at once instead of waiting for its heartbeats to lapse. */
export interface GoodbyeMessage {
  type: 'goodbye';
  from: string;
}

/** A room delivery: every node hands it to its local members of `room`. */
export interface RoomMessage {
  type: 'room';
  from: string;
  room: string;
  message: string;
  binary: boolean;
  /** A room with history (cluster mode): the message's offset and the room's epoch, the same on every broker. */
  offset?: number;
  epoch?: string;
}

/** A delivery to every client of every node. */
export interface BroadcastMessage {
  type: 'broadcast';
  from: string;
  message: string;
  binary: boolean;
}

/** A delivery to one client, published because it is not local; the node holding it delivers. */
export interface DirectMessage {
  type: 'direct';
  from: string;
  clientId: string;
  message: string;
  binary: boolean;
}

/**
 * A client was accepted on `from`: any other node holding the same client id closes its
 * connection (CLOSE_CODES.replaced, 4900), and every node notes the client in its directory of other nodes' clients
 * (so a survivor can report it `disconnected` if `from` is lost). Room and metadata are sent by
 * every node of this version; a message without them still replaces, and leaves no entry.
 */
export interface AttachedMessage {
  type: 'attached';
  from: string;
  clientId: string;
  room?: string;
  metadata?: Record<string, unknown>;
}

/** A client of `from` is gone: every node forgets its directory entry. */
export interface DetachedMessage {
  type: 'detached';
  from: string;
  clientId: string;
}

/** Asks the node holding `clientId` to add it to `room`; every node answers with a `done` response. */
export interface JoinRequest {
  type: 'join';
  from: string;
  requestId: string;
  clientId: string;
  room: string;
}

/** Asks the node holding `clientId` to remove it from `room`; every node answers with a `done` response. */
export interface LeaveRequest {
  type: 'leave';
  from: string;
  requestId: string;
  clientId: string;
  room: string;
}

/** Asks the node holding `clientId` to close it; every node answers with a `done` response. */
export interface DisconnectRequest {
  type: 'disconnect';
  from: string;
  requestId: string;
  clientId: string;
  code: number;
  reason: string;
}

/** Asks every node for its local members of `room`; each answers with a `members` response. */
export interface MembersRequest {
  type: 'members';
  from: string;
  requestId: string;
  room: string;
}

/** What a node publishes to every other node. */
export type ClusterMessage =
  | HeartbeatMessage
  | GoodbyeMessage
  | RoomMessage
  | BroadcastMessage
  | DirectMessage
  | AttachedMessage
  | DetachedMessage
  | JoinRequest
  | LeaveRequest
  | DisconnectRequest
  | MembersRequest;

/** A request: a message whose sender waits for replies. */
export type ClusterRequest = JoinRequest | LeaveRequest | DisconnectRequest | MembersRequest;

/** The answer to a join, leave or disconnect request: `ok` when this node had the client and acted. */
export interface DoneResponse {
  type: 'done';
  from: string;
  requestId: string;
  ok: boolean;
}

/** The answer to a members request: this node's local members of the room. */
export interface MembersResponse {
  type: 'members';
  from: string;
  requestId: string;
  members: MemberInfo[];
}

/** What a node sends back to the one node that asked. */
export type ClusterResponse = DoneResponse | MembersResponse;

/** The kind a field of a received message must have; a trailing `?`: it may be absent, and has that kind when present. */
export type FieldKind = 'string' | 'boolean' | 'number' | 'object' | 'string?' | 'number?' | 'boolean?' | 'object?';

// The fields each message must carry beyond `type` and `from`, checked on receipt: a peer of
// another version, or anything else on the channel, must not reach the local clients malformed.
const MESSAGE_FIELDS: { readonly [T in ClusterMessage['type']]: Readonly<Record<string, FieldKind>> } = {
  heartbeat: { backends: 'number?', answers: 'boolean?', bareLines: 'boolean?', epoch: 'number?' },
  goodbye: {},
  room: { room: 'string', message: 'string', binary: 'boolean', offset: 'number?', epoch: 'string?' },
  broadcast: { message: 'string', binary: 'boolean' },
  direct: { clientId: 'string', message: 'string', binary: 'boolean' },
  attached: { clientId: 'string', room: 'string?', metadata: 'object?' },
  detached: { clientId: 'string' },
  join: { requestId: 'string', clientId: 'string', room: 'string' },
  leave: { requestId: 'string', clientId: 'string', room: 'string' },
  disconnect: { requestId: 'string', clientId: 'string', code: 'number', reason: 'string' },
  members: { requestId: 'string', room: 'string' },
};

/** Every `type` of `ClusterMessage`, for transports that route or filter by it. */
export const CLUSTER_MESSAGE_TYPES = Object.keys(MESSAGE_FIELDS) as readonly ClusterMessage['type'][];

/** What a received value is: a message this node understands, one of a type it does not know (a newer peer), or garbage. */
export type MessageCheck = 'ok' | 'unknown' | 'malformed';

/** A field table compiled once, so a check on the hot path (every room message) is a few `typeof`s. */
export type FieldChecks = readonly { name: string; kind: string; optional: boolean }[];

/** Compiles a field table for `hasFields`. */
export function fieldChecks(fields: Readonly<Record<string, FieldKind>>): FieldChecks {
  return Object.entries(fields).map(([name, kind]) => ({ name, kind: kind.replace('?', ''), optional: kind.endsWith('?') }));
}

const CHECKS = new Map<string, FieldChecks>(Object.entries(MESSAGE_FIELDS).map(([type, fields]) => [type, fieldChecks(fields)]));

/** Checks a received value before it is acted on: a few `typeof`s per message. */
export function checkClusterMessage(value: unknown): MessageCheck {
  if (typeof value !== 'object' || value === null) return 'malformed';
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || typeof record.from !== 'string') return 'malformed';
  const checks = CHECKS.get(record.type);
  if (checks === undefined) return 'unknown';
  return hasFields(record, checks) ? 'ok' : 'malformed';
}

/** True when `record` carries every field of `checks` with its kind (node-addressed messages are checked with it too). */
export function hasFields(record: Record<string, unknown>, checks: FieldChecks): boolean {
  for (const { name, kind, optional } of checks) {
    const value = record[name];
    if (value === undefined && optional) continue;
    if (kind === 'object' ? typeof value !== 'object' || value === null || Array.isArray(value) : typeof value !== kind) return false;
  }
  return true;
}

/** True when a received value is a response this node understands (member entries are checked as they are gathered). */
export function isClusterResponse(value: unknown): value is ClusterResponse {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (typeof record.from !== 'string' || typeof record.requestId !== 'string') return false;
  if (record.type === 'done') return typeof record.ok === 'boolean';
  return record.type === 'members' && Array.isArray(record.members);
}
