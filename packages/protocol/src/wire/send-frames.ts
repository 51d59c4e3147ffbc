// Frames a `strands.v1` client and a Strands broker exchange about the client's own sends:
// confirmed sends and refusals. JSON text with the envelope key, read by the broker itself
// (never relayed to a backend), without zod: the browser core and the broker's read path use them.
import type { Loose } from './json-types.js';

/** Why the broker did not pass a client's message on (`SendRefusedFrame.code`). */
export const SEND_REFUSAL_CODES = [
  /** The queue of events waiting for a backend is full (its `queueOverflow` policy refused or dropped it). */
  'overloaded',
  /** No backend could take it and the queue is disabled. */
  'no_backend',
  /** It went to backends as often as the broker allows and none acknowledged it. */
  'dead_letter',
] as const;
export type SendRefusalCode = (typeof SEND_REFUSAL_CODES)[number];
/** A code as read: a newer broker may send one this version does not know. */
export type ReceivedSendRefusalCode = SendRefusalCode | (string & {});

/** Client -> broker: the client's next message is a confirmed send, numbered `id` by the client. */
export type SendConfirmFrame = Loose<{ strands: 'confirm'; id: number }>;
/** Broker -> client: the message confirmed as `id` went to a backend, or waits in the queue (`queued: true`). */
export type SendAcceptedFrame = Loose<{ strands: 'accepted'; id: number; queued?: boolean }>;
/**
 * Broker -> client: a message this client sent was refused or dropped: `id` names a confirmed
 * send; without it, one plain message (the protocol cannot say which).
 */
export type SendRefusedFrame = Loose<{ strands: 'refused'; id?: number; code: ReceivedSendRefusalCode; message: string }>;
/** What a client reads about its sends. */
export type SendReplyFrame = SendAcceptedFrame | SendRefusedFrame;

/** Longest confirm frame the broker looks at (`{"strands":"confirm","id":9007199254740991}` is 43). */
export const MAX_CONFIRM_FRAME_BYTES = 64;

function isSendId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function objectOf(text: string, kind: string): Record<string, unknown> | undefined {
  // Plain messages cost one substring check, not a parse.
  if (!text.includes(`"${kind}"`)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** `{"strands":"confirm","id":<id>}`: sent right before the message it confirms. */
export function confirmFrame(id: number): string {
  return '{"strands":"confirm","id":' + id + '}';
}

/** The broker's answer to a confirmed send it passed on (`queued`: it waits for a backend). */
export function acceptedFrame(id: number, queued: boolean): string {
  return '{"strands":"accepted","id":' + id + (queued ? ',"queued":true}' : '}');
}

/** The broker's notice of a refused or dropped message; `id` when it was a confirmed send. */
export function refusedFrame(code: SendRefusalCode, message: string, id?: number): string {
  const head = id === undefined ? '{"strands":"refused"' : '{"strands":"refused","id":' + id;
  return head + ',"code":"' + code + '","message":' + JSON.stringify(message) + '}';
}

/** The id of a valid confirm frame, or undefined for any other text (the broker relays that as a message). */
export function readConfirmFrame(text: string): number | undefined {
  if (text.length > MAX_CONFIRM_FRAME_BYTES) return undefined;
  const e = objectOf(text, 'confirm');
  return e !== undefined && e.strands === 'confirm' && isSendId(e.id) ? e.id : undefined;
}

/** An `accepted` or `refused` frame, or undefined for anything else (a message, an envelope, a malformed frame). */
export function checkSendReply(text: string): SendReplyFrame | undefined {
  const e = objectOf(text, 'strands');
  if (e === undefined) return undefined;
  if (e.strands === 'accepted') {
    return isSendId(e.id) && (e.queued === undefined || typeof e.queued === 'boolean') ? (e as SendAcceptedFrame) : undefined;
  }
  if (e.strands !== 'refused') return undefined;
  const ok = (e.id === undefined || isSendId(e.id)) && typeof e.code === 'string' && typeof e.message === 'string';
  return ok ? (e as SendRefusedFrame) : undefined;
}
