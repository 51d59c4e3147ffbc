// The reactive-route envelope: RSocket-style request/response, fire-and-forget and streams,
// carried as JSON inside an ordinary message string, so brokers and PyStrands peers just relay it.
// Envelopes keep keys they do not know, like frames (a newer peer's additions survive).
import { z } from 'zod';
import { ENVELOPE_KEY } from './wire/envelope-types.js';
import type { ReceivedRouteErrorCode } from './wire/error-codes.js';

export { ENVELOPE_KEY } from './wire/envelope-types.js';
export { ROUTE_ERROR_CODES } from './wire/error-codes.js';
export type { RouteErrorCode, ReceivedRouteErrorCode } from './wire/error-codes.js';

const id = z.string().min(1);
const route = z.string().min(1);

/** Client -> backend: ask once, expect one `response` (or `error`) with the same id. */
export const RequestEnvelopeSchema = z.looseObject({ strands: z.literal('request'), id, route, data: z.unknown().optional() });
/** Client -> backend: no reply of any kind. */
export const FireEnvelopeSchema = z.looseObject({ strands: z.literal('fire'), route, data: z.unknown().optional() });
/** Client -> backend: open a stream; `n` is the first grant of credits (items the backend may send). */
export const StreamEnvelopeSchema = z.looseObject({
  strands: z.literal('stream'),
  id,
  route,
  data: z.unknown().optional(),
  n: z.number().int().nonnegative(),
});
/** Client -> backend: grant `n` more items on stream `id` (RSocket's REQUEST_N). */
export const RequestNEnvelopeSchema = z.looseObject({
  strands: z.literal('request_n'),
  id,
  n: z.number().int().positive(),
});
/** Client -> backend: stop stream `id`; its producer is cancelled. */
export const CancelEnvelopeSchema = z.looseObject({ strands: z.literal('cancel'), id });
/** Backend -> client: the answer to a request. */
export const ResponseEnvelopeSchema = z.looseObject({ strands: z.literal('response'), id, data: z.unknown().optional() });
/** Backend -> client: one stream item (spends one credit). */
export const NextEnvelopeSchema = z.looseObject({ strands: z.literal('next'), id, data: z.unknown().optional() });
/** Backend -> client: the stream ended normally. */
export const CompleteEnvelopeSchema = z.looseObject({ strands: z.literal('complete'), id });
/** Backend -> client: the request or stream failed; ends it. */
export const ErrorEnvelopeSchema = z.looseObject({
  strands: z.literal('error'),
  id,
  // Any string, not only ROUTE_ERROR_CODES: a newer backend may add codes (`limit_exceeded` came
  // later), and an older client must still fail the call at once rather than wait for a timeout.
  code: z.string() as z.ZodType<ReceivedRouteErrorCode, string>,
  message: z.string(),
});

/** Backend -> client: a server-pushed event named by the contract (no id: nothing answers it). */
export const EventEnvelopeSchema = z.looseObject({ strands: z.literal('event'), event: z.string().min(1), data: z.unknown().optional() });

export const EnvelopeSchema = z.discriminatedUnion('strands', [
  RequestEnvelopeSchema,
  FireEnvelopeSchema,
  StreamEnvelopeSchema,
  RequestNEnvelopeSchema,
  CancelEnvelopeSchema,
  ResponseEnvelopeSchema,
  NextEnvelopeSchema,
  CompleteEnvelopeSchema,
  ErrorEnvelopeSchema,
  EventEnvelopeSchema,
]);

export type RequestEnvelope = z.infer<typeof RequestEnvelopeSchema>;
export type FireEnvelope = z.infer<typeof FireEnvelopeSchema>;
export type StreamEnvelope = z.infer<typeof StreamEnvelopeSchema>;
export type RequestNEnvelope = z.infer<typeof RequestNEnvelopeSchema>;
export type CancelEnvelope = z.infer<typeof CancelEnvelopeSchema>;
export type ResponseEnvelope = z.infer<typeof ResponseEnvelopeSchema>;
export type NextEnvelope = z.infer<typeof NextEnvelopeSchema>;
export type CompleteEnvelope = z.infer<typeof CompleteEnvelopeSchema>;
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;
export type Envelope = z.infer<typeof EnvelopeSchema>;
export type EnvelopeKind = Envelope['strands'];

/** `none`: an ordinary message; `invalid`: it claims to be an envelope but is malformed. */
export type EnvelopeParseResult =
  | { kind: 'none' }
  | { kind: 'envelope'; envelope: Envelope }
  | { kind: 'invalid'; id: string | undefined; message: string };

/**
 * Reads a message as an envelope. Plain messages cost one substring check, not a JSON parse.
 * @example
 * const r = parseEnvelope(message);
 * if (r.kind === 'envelope' && r.envelope.strands === 'request') answer(r.envelope.id);
 */
export function parseEnvelope(message: string): EnvelopeParseResult {
  if (!message.includes(`"${ENVELOPE_KEY}"`)) return { kind: 'none' };
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return { kind: 'none' };
  }
  if (typeof value !== 'object' || value === null || !(ENVELOPE_KEY in value)) return { kind: 'none' };
  const parsed = EnvelopeSchema.safeParse(value);
  if (parsed.success) return { kind: 'envelope', envelope: parsed.data };
  const rawId = (value as { id?: unknown }).id;
  return {
    kind: 'invalid',
    id: typeof rawId === 'string' ? rawId : undefined,
    message: parsed.error.issues.map((i) => `${i.path.join('.') || '(envelope)'}: ${i.message}`).join('; '),
  };
}

export { encodeEnvelope } from './wire/envelope-lines.js';
