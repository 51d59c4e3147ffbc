// Types of the reactive-route envelopes carried inside message strings, as the checkers return
// them, and the key that marks a message as one.
import type { ReceivedRouteErrorCode } from './error-codes.js';
import type { Loose } from './json-types.js';

/** Key that marks a message as an envelope; its value is the envelope kind. */
export const ENVELOPE_KEY = 'strands';

/** Names a contract event may not take: the browser client's own events (a pushed one is dropped). */
export const RESERVED_EVENT_NAMES: readonly string[] = ['open', 'message', 'close', 'reconnecting', 'error', 'refused', 'session', 'recovered', 'recovery_failed'];

/** The fields every envelope of one kind has; unknown keys are kept. */
type Kind<K extends string, F> = Loose<{ strands: K } & F>;

/** Client -> backend: ask once, expect one `response` (or `error`) with the same id. */
export type RequestEnvelope = Kind<'request', { id: string; route: string; data?: unknown }>;
/** Client -> backend: no reply of any kind. */
export type FireEnvelope = Kind<'fire', { route: string; data?: unknown }>;
/** Client -> backend: open a stream; `n` is the first grant of credits. */
export type StreamEnvelope = Kind<'stream', { id: string; route: string; data?: unknown; n: number }>;
/** Client -> backend: grant `n` more items on stream `id`. */
export type RequestNEnvelope = Kind<'request_n', { id: string; n: number }>;
/** Client -> backend: stop stream `id`. */
export type CancelEnvelope = Kind<'cancel', { id: string }>;
/** Backend -> client: the answer to a request. */
export type ResponseEnvelope = Kind<'response', { id: string; data?: unknown }>;
/** Backend -> client: one stream item. */
export type NextEnvelope = Kind<'next', { id: string; data?: unknown }>;
/** Backend -> client: the stream ended normally. */
export type CompleteEnvelope = Kind<'complete', { id: string }>;
/** Backend -> client: the request or stream failed; ends it. */
export type ErrorEnvelope = Kind<'error', { id: string; code: ReceivedRouteErrorCode; message: string }>;
/** Backend -> client: a server-pushed event named by the contract; nothing answers it. */
export type EventEnvelope = Kind<'event', { event: string; data?: unknown }>;

export type Envelope =
  | RequestEnvelope
  | FireEnvelope
  | StreamEnvelope
  | RequestNEnvelope
  | CancelEnvelope
  | ResponseEnvelope
  | NextEnvelope
  | CompleteEnvelope
  | ErrorEnvelope
  | EventEnvelope;
export type EnvelopeKind = Envelope['strands'];
/** What a client sends. */
export type ClientEnvelope = RequestEnvelope | FireEnvelope | StreamEnvelope | RequestNEnvelope | CancelEnvelope;
/** What a client expects back, addressed by `id`. */
export type ReplyEnvelope = ResponseEnvelope | NextEnvelope | CompleteEnvelope | ErrorEnvelope;
/** Everything a client reads: replies and events. */
export type IncomingEnvelope = ReplyEnvelope | EventEnvelope;

/** `none`: an ordinary message; `invalid`: it claims to be an envelope but is malformed. */
export type EnvelopeParseResult =
  | { kind: 'none' }
  | { kind: 'envelope'; envelope: Envelope }
  | { kind: 'invalid'; id: string | undefined; message: string };
