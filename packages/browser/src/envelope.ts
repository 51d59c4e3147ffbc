// The reactive-route envelopes, read and written without zod to keep the core small; the
// shapes are the ones `@strands/protocol` validates, and the tests check both agree.
import type {
  CancelEnvelope,
  CompleteEnvelope,
  ErrorEnvelope,
  FireEnvelope,
  NextEnvelope,
  RequestEnvelope,
  RequestNEnvelope,
  ResponseEnvelope,
  StreamEnvelope,
} from '@strands/protocol';

/** What the client sends. */
export type OutgoingEnvelope = RequestEnvelope | FireEnvelope | StreamEnvelope | RequestNEnvelope | CancelEnvelope;
/** What the client expects back, addressed by `id`. */
export type ReplyEnvelope = ResponseEnvelope | NextEnvelope | CompleteEnvelope | ErrorEnvelope;

/**
 * Serialises an envelope into the message string to send. JSON has no `undefined` and the
 * protocol requires `data`, so an undefined input goes out as `null`.
 */
export function encodeEnvelope(envelope: OutgoingEnvelope): string {
  return JSON.stringify('data' in envelope && envelope.data === undefined ? { ...envelope, data: null } : envelope);
}

/**
 * Reads a reply envelope, or undefined for anything else (an ordinary message). Plain text
 * costs one substring check; `data` may be absent (an `undefined` result serialises so).
 */
export function decodeReply(message: string): ReplyEnvelope | undefined {
  if (!message.includes('"strands"')) return undefined;
  let value: Partial<Record<string, unknown>>;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || typeof value.id !== 'string') return undefined;
  const kind = value.strands;
  if (kind === 'error') {
    return typeof value.code === 'string' && typeof value.message === 'string' ? (value as ErrorEnvelope) : undefined;
  }
  return kind === 'response' || kind === 'next' || kind === 'complete' ? (value as ReplyEnvelope) : undefined;
}
