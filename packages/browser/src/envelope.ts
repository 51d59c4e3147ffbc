// The reactive-route envelopes of the client: replies and events read by the protocol's zod-free
// checker (the core cannot carry zod), requests written with JSON.stringify.
import { checkIncomingEnvelope, type ClientEnvelope, type IncomingEnvelope, type ReplyEnvelope } from '@strands/protocol/wire';

/** What the client sends. */
export type OutgoingEnvelope = ClientEnvelope;
export type { IncomingEnvelope, ReplyEnvelope };

/**
 * Serialises an envelope into the message string to send. JSON has no `undefined`, so an
 * undefined input goes out as `null` (a route's input schema then sees `null`, as it always did).
 */
export function encodeEnvelope(envelope: OutgoingEnvelope): string {
  return JSON.stringify('data' in envelope && envelope.data === undefined ? { ...envelope, data: null } : envelope);
}

/**
 * Reads a reply or event envelope, or undefined for anything else (an ordinary message, a request,
 * a malformed envelope). Plain text costs one substring check; `data` may be absent.
 */
export const decodeIncoming: (message: string) => IncomingEnvelope | undefined = checkIncomingEnvelope;
