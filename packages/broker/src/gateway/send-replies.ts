// What the broker tells a client about its own messages: answers to confirmed sends, and notices
// of messages refused or dropped (the send frames of @strands/protocol/wire).
import {
  MAX_CONFIRM_FRAME_BYTES,
  STRANDS_SUBPROTOCOL,
  acceptedFrame,
  readConfirmFrame,
  refusedFrame,
  type SendRefusalCode,
} from '@strands/protocol/wire';
import type { EventDispatcher } from '../core/dispatcher.js';
import type { SendOutcome } from '../core/overflow.js';
import type { QueueOverflowPolicy } from '../options.js';
import { ClientConnection } from './client-connection.js';
import type { ClientRegistry } from './client-registry.js';
import { textFrame } from './ws-frames.js';

const REASONS: Readonly<Record<SendRefusalCode, string>> = {
  overloaded: 'queue full: message refused',
  no_backend: 'no backend and the queue is disabled: message refused',
  dead_letter: 'no backend acknowledged the message: set aside as a dead letter',
};

/** The id the next message of a client is confirmed under; only clients with one are in it. */
const confirming = new WeakMap<ClientConnection, number>();
/** How many clients wait for their confirmed message: while 0 the per-message check is one comparison. */
let confirmingCount = 0;

function speaksStrands(client: ClientConnection): boolean {
  return client.ws.protocol === STRANDS_SUBPROTOCOL;
}

/**
 * True when `data` is a `confirm` frame of a `strands.v1` client: its next message is a confirmed
 * send, and the frame itself is not passed on. Anything else (every message of other clients) is
 * a message. Costs a length and a byte comparison for ordinary messages.
 */
export function takeConfirm(client: ClientConnection, data: Buffer, isBinary: boolean): boolean {
  if (isBinary || data.length > MAX_CONFIRM_FRAME_BYTES || data[0] !== 0x7b || !speaksStrands(client)) return false;
  const id = readConfirmFrame(data.toString('utf8'));
  if (id === undefined) return false;
  if (!confirming.has(client)) confirmingCount += 1;
  confirming.set(client, id);
  return true;
}

/**
 * Gives a client's message (its event `line`) to the dispatcher and answers what became of it
 * (see replyToSend). A confirmed send is answered once its outcome is known: a queued one once the
 * store has kept it (at once by the in-memory queue, once its entry is in Redis, or it went to a
 * backend first, by the durable one), so that `accepted` never comes for a message a crash right
 * after would lose; one relayed to another broker once that broker said what it did with it.
 */
export function sendMessage(registry: ClientRegistry, dispatcher: EventDispatcher, client: ClientConnection, line: string, policy: QueueOverflowPolicy): void {
  let id: number | undefined;
  if (confirmingCount > 0 && (id = confirming.get(client)) !== undefined) {
    confirming.delete(client);
    confirmingCount -= 1;
  }
  if (id === undefined) {
    replyToSend(registry, client, dispatcher.send(client, line), policy, undefined);
    return;
  }
  const confirmed = id;
  dispatcher.send(client, line, (outcome) => replyToSend(registry, client, outcome, policy, confirmed));
}

/**
 * Answers what became of a client's message: a confirmed send (`id`) gets `accepted` or `refused`
 * with its id; a plain message that was refused or dropped gets `refused` without one, where the
 * client can read it (a `strands.v1` client; any client under `reject`, whose text error frame
 * the broker README documents). Nothing for a plain message passed on.
 */
function replyToSend(registry: ClientRegistry, client: ClientConnection, outcome: SendOutcome, policy: QueueOverflowPolicy, id: number | undefined): void {
  if (outcome === 'sent' || outcome === 'queued') {
    if (id !== undefined) registry.deliver(client, textFrame(acceptedFrame(id, outcome === 'queued')));
    return;
  }
  if (id === undefined && policy !== 'reject' && !speaksStrands(client)) return;
  registry.deliver(client, textFrame(refusedFrame(outcome, REASONS[outcome], id)));
}

/**
 * Tells a local `strands.v1` client that a message it sent, accepted earlier, was dropped since
 * (evicted by drop-oldest, or a dead letter). Other owners (clients of other brokers) and other
 * events (connections, disconnections) are only counted, where the dispatcher counts them.
 */
export function tellDropped(registry: ClientRegistry, owner: object, code: SendRefusalCode, action: string): void {
  if (action !== 'new_message' || !(owner instanceof ClientConnection) || owner.gone || !speaksStrands(owner)) return;
  registry.deliver(owner, textFrame(refusedFrame(code, REASONS[code])));
}

/**
 * Tells a local client that its message, relayed to another broker, was refused there (`dropped`
 * false: under `reject`, told as a refusal here would be) or dropped after it was accepted (a dead
 * letter: told to a `strands.v1` client, as `tellDropped`).
 */
export function tellRelayedRefusal(registry: ClientRegistry, clientId: string, code: SendRefusalCode, dropped: boolean, policy: QueueOverflowPolicy): void {
  const client = registry.get(clientId);
  if (client === undefined || client.gone) return;
  if (dropped) tellDropped(registry, client, code, 'new_message');
  else replyToSend(registry, client, code, policy, undefined);
}

/** Forgets a client's pending confirm (it is gone). */
export function forgetConfirm(client: ClientConnection): void {
  if (confirming.delete(client)) confirmingCount -= 1;
}
