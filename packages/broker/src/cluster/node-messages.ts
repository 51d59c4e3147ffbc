// The messages sent to one node only (its inbox): replies to its requests, forwarded connection requests, relayed client events.
import { SEND_REFUSAL_CODES, type SendRefusalCode } from '@strands/protocol/wire';
import type { ConnectionRequestParams } from '../core/decisions.js';
import type { SendOutcome } from '../core/overflow.js';
import type { RejectReason } from '../metrics.js';
import { fieldChecks, hasFields, isClusterResponse, type ClusterResponse, type MessageCheck } from './cluster-messages.js';

/** A connection request forwarded by `from`, which has no backend: the receiver decides it with its own backends. */
export interface DecideMessage {
  type: 'decide';
  from: string;
  /** The upgrade's id (unique cluster-wide): the receiver's backend answers with it as `request_id`. */
  requestId: string;
  params: ConnectionRequestParams;
}

/** The answer to a `decide`: the client may connect, as this client id, in this room, with this metadata. */
export interface AcceptedMessage {
  type: 'decision';
  from: string;
  requestId: string;
  accepted: true;
  clientId: string;
  roomId: string;
  metadata: Record<string, unknown>;
}

/** The answer to a `decide`: the client may not connect; the status and reason it is told. */
export interface RefusedMessage {
  type: 'decision';
  from: string;
  requestId: string;
  accepted: false;
  why: RejectReason;
  status: number;
  reason: string;
}

export type DecisionMessage = AcceptedMessage | RefusedMessage;

/** The node that forwarded `requestId` gave up on it (its client left, it timed out, it is stopping). */
export interface CancelMessage {
  type: 'cancel';
  from: string;
  requestId: string;
}

/**
 * Client events of `from`'s clients for the receiver's backends, batched per event-loop turn:
 * `lines[i]` (an encoded event line) is about client `clients[i]`, in the order they happened.
 */
export interface EventsMessage {
  type: 'events';
  from: string;
  clients: string[];
  lines: string[];
  /**
   * Confirmed sends among them, sent only to a node that announced `answers` in its heartbeat:
   * `lines[confirmAt[k]]` is numbered `confirmIds[k]` by the sender, and the receiver says what
   * it did with it in an `answers` message. Absent: none (an older node never sends it).
   */
  confirmAt?: number[];
  confirmIds?: number[];
}

/** What became of confirmed sends relayed in `events`: `ids[k]` (the sender's number) came to `outcomes[k]`. */
export interface AnswersMessage {
  type: 'answers';
  from: string;
  ids: number[];
  outcomes: SendOutcome[];
}

/**
 * Messages of the receiver's clients, relayed to `from` in `events`, that `from` did not keep:
 * `clients[i]`'s message was refused with `codes[i]` (`dropped` false: its queue was full under
 * `reject`), or dropped after it was accepted (`dropped` true: a dead letter). The receiver tells
 * each sender as it would a refusal of its own. A node of an earlier version ignores it.
 */
export interface RefusedEventsMessage {
  type: 'refused';
  from: string;
  clients: string[];
  codes: SendRefusalCode[];
  dropped: boolean;
}

/**
 * `from` gave the receiver up by timeout while it had fence epoch `epoch`, and now hears from it
 * again: the receiver was only cut off (a partition, a long pause), and `from` has reported its
 * clients gone to its backends. A node of an earlier version ignores it.
 */
export interface GivenUpMessage {
  type: 'givenUp';
  from: string;
  epoch: number;
}

/** What travels to one node only: the transport sends it to that node's inbox (`doPublishResponse`). */
export type NodeMessage =
  | ClusterResponse
  | DecideMessage
  | DecisionMessage
  | CancelMessage
  | EventsMessage
  | RefusedEventsMessage
  | AnswersMessage
  | GivenUpMessage;

// Exhaustive by type, so a new reason cannot be forgotten here.
const REJECT_REASONS: Readonly<Record<RejectReason, true>> = {
  rejected: true,
  no_backend: true,
  timeout: true,
  backend_lost: true,
  bad_response: true,
  bad_request: true,
  shutting_down: true,
  max_connections: true,
  max_connections_per_ip: true,
  max_pending_upgrades: true,
  origin_refused: true,
};

const DECIDE = fieldChecks({ requestId: 'string', params: 'object' });
const PARAMS = fieldChecks({ headers: 'object', url: 'string', remote_addr: 'string', query: 'object' });
const ACCEPTED = fieldChecks({ requestId: 'string', clientId: 'string', roomId: 'string', metadata: 'object' });
const REFUSED = fieldChecks({ requestId: 'string', why: 'string', status: 'number', reason: 'string' });
const CANCEL = fieldChecks({ requestId: 'string' });

/** Checks a value received on this node's inbox before it is acted on. */
export function checkNodeMessage(value: unknown): MessageCheck {
  if (typeof value !== 'object' || value === null) return 'malformed';
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || typeof record.from !== 'string') return 'malformed';
  switch (record.type) {
    case 'done':
    case 'members':
      return isClusterResponse(value) ? 'ok' : 'malformed';
    case 'decide':
      return ok(hasFields(record, DECIDE) && hasFields(record.params as Record<string, unknown>, PARAMS));
    case 'decision':
      if (record.accepted === true) return ok(hasFields(record, ACCEPTED) && record.clientId !== '');
      return ok(record.accepted === false && hasFields(record, REFUSED) && Object.hasOwn(REJECT_REASONS, record.why as string));
    case 'cancel':
      return ok(hasFields(record, CANCEL));
    case 'events':
      return ok(
        isStrings(record.clients) &&
          isStrings(record.lines) &&
          record.clients.length === record.lines.length &&
          (record.confirmAt === undefined || confirmsValid(record.confirmAt, record.confirmIds, record.lines.length)),
      );
    case 'answers':
      return ok(
        isNumbers(record.ids) &&
          Array.isArray(record.outcomes) &&
          record.outcomes.length === record.ids.length &&
          record.outcomes.every((outcome) => outcome === 'sent' || outcome === 'queued' || (SEND_REFUSAL_CODES as readonly unknown[]).includes(outcome)),
      );
    case 'refused':
      return ok(
        isStrings(record.clients) &&
          Array.isArray(record.codes) &&
          record.codes.length === record.clients.length &&
          record.codes.every((code) => (SEND_REFUSAL_CODES as readonly unknown[]).includes(code)) &&
          typeof record.dropped === 'boolean',
      );
    case 'givenUp':
      return ok(Number.isSafeInteger(record.epoch));
    default:
      return 'unknown';
  }
}

function ok(valid: boolean): MessageCheck {
  return valid ? 'ok' : 'malformed';
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function isNumbers(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => Number.isSafeInteger(item));
}

/** Indexes into the batch, ascending, each with a number. */
function confirmsValid(at: unknown, ids: unknown, lines: number): boolean {
  if (!isNumbers(at) || !isNumbers(ids) || at.length !== ids.length) return false;
  return at.every((index, k) => index >= 0 && index < lines && (k === 0 || index > (at[k - 1] as number)));
}
