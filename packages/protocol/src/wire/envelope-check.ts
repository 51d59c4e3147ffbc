// The fast checker of reactive-route envelopes inside message strings: the verdicts of the
// protocol's EnvelopeSchema, by hand (the browser core cannot carry zod; the backend reads one per message).
import { ENVELOPE_KEY, type Envelope, type EnvelopeParseResult, type IncomingEnvelope, type ReplyEnvelope } from './envelope-types.js';

type Raw = Record<string, unknown>;
/** Returned by a kind check for a `strands` value that is none of its kinds. */
const OTHER_KIND = 1;
/** The first bad field's name, undefined when the envelope is valid, or OTHER_KIND. */
type Problem = string | undefined | typeof OTHER_KIND;

/** What each field must be, for the message of an invalid envelope. */
const RULES: Readonly<Record<string, string>> = {
  id: 'must be a non-empty string',
  route: 'must be a non-empty string',
  event: 'must be a non-empty string',
  code: 'must be a string',
  message: 'must be a string',
};

const NONE: EnvelopeParseResult = { kind: 'none' };

function isId(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

function credits(value: unknown, min: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= min;
}

/** The bad field of a client -> backend envelope; OTHER_KIND for another kind. */
function clientProblem(e: Raw): Problem {
  switch (e.strands) {
    case 'request':
      return !isId(e.id) ? 'id' : !isId(e.route) ? 'route' : undefined;
    case 'fire':
      return isId(e.route) ? undefined : 'route';
    case 'stream':
      return !isId(e.id) ? 'id' : !isId(e.route) ? 'route' : credits(e.n, 0) ? undefined : 'n';
    case 'request_n':
      return !isId(e.id) ? 'id' : credits(e.n, 1) ? undefined : 'n';
    case 'cancel':
      return isId(e.id) ? undefined : 'id';
  }
  return OTHER_KIND;
}

/** The bad field of a backend -> client envelope (names only: the browser core carries this); OTHER_KIND for another kind. */
function replyProblem(e: Raw): Problem {
  switch (e.strands) {
    case 'event':
      return isId(e.event) ? undefined : 'event';
    case 'response':
    case 'next':
    case 'complete':
      return isId(e.id) ? undefined : 'id';
    case 'error':
      return !isId(e.id) ? 'id' : typeof e.code !== 'string' ? 'code' : typeof e.message !== 'string' ? 'message' : undefined;
  }
  return OTHER_KIND;
}

/** The parsed message when it has the envelope key, else undefined (plain text costs one substring check). */
function candidate(message: string): Raw | undefined {
  if (!message.includes(`"${ENVELOPE_KEY}"`)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && ENVELOPE_KEY in value ? (value as Raw) : undefined;
}

/**
 * Reads a message as an envelope: the same verdict, value and id as `parseEnvelope`, without zod.
 * The envelope is the parsed object itself (unknown keys kept).
 * @example
 * const r = checkEnvelope(message);
 * if (r.kind === 'envelope' && r.envelope.strands === 'request') answer(r.envelope.id);
 */
export function checkEnvelope(message: string): EnvelopeParseResult {
  const e = candidate(message);
  if (e === undefined) return NONE;
  let problem = clientProblem(e);
  if (problem === OTHER_KIND) problem = replyProblem(e);
  if (problem === undefined) return { kind: 'envelope', envelope: e as Envelope };
  const why =
    problem === OTHER_KIND
      ? `${ENVELOPE_KEY}: unknown envelope kind ${JSON.stringify(e.strands)}`
      : problem === 'n'
        ? `n: must be an integer >= ${e.strands === 'stream' ? 0 : 1}`
        : `${problem}: ${RULES[problem]}`;
  return { kind: 'invalid', id: typeof e.id === 'string' ? e.id : undefined, message: why };
}

/**
 * Reads a reply envelope (`response`, `next`, `complete`, `error`), or undefined for anything else (an `event` too):
 * a plain message, a client envelope, a malformed one. What a client calls per message received.
 */
export function checkReplyEnvelope(message: string): ReplyEnvelope | undefined {
  const e = candidate(message);
  return e !== undefined && e.strands !== 'event' && replyProblem(e) === undefined ? (e as ReplyEnvelope) : undefined;
}

/**
 * Reads what a client reads: a reply envelope or an `event`, or undefined for anything else.
 * The browser client calls this once per message received.
 */
export function checkIncomingEnvelope(message: string): IncomingEnvelope | undefined {
  const e = candidate(message);
  return e !== undefined && replyProblem(e) === undefined ? (e as IncomingEnvelope) : undefined;
}
