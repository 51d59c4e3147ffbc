// The fast checker of reactive-route envelopes inside message strings: the verdicts of the
// protocol's EnvelopeSchema, by hand (the browser core cannot carry zod; the backend reads one per message).
import { ENVELOPE_KEY, type Envelope, type EnvelopeParseResult, type ReplyEnvelope } from './envelope-types.js';

type Raw = Record<string, unknown>;
/** Returned by a kind check for a `strands` value that is none of its kinds. */
const OTHER_KIND = 1;
type Problem = string | undefined | typeof OTHER_KIND;

const NONE: EnvelopeParseResult = { kind: 'none' };

function isId(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

function credits(value: unknown, min: number): boolean {
  return Number.isSafeInteger(value) && (value as number) >= min;
}

/** Why `e` is not a valid client -> backend envelope; OTHER_KIND for another kind. */
function clientProblem(e: Raw): Problem {
  switch (e.strands) {
    case 'request':
      return !isId(e.id) ? 'id: must be a non-empty string' : !isId(e.route) ? 'route: must be a non-empty string' : undefined;
    case 'fire':
      return isId(e.route) ? undefined : 'route: must be a non-empty string';
    case 'stream':
      if (!isId(e.id)) return 'id: must be a non-empty string';
      if (!isId(e.route)) return 'route: must be a non-empty string';
      return credits(e.n, 0) ? undefined : 'n: must be an integer >= 0';
    case 'request_n':
      if (!isId(e.id)) return 'id: must be a non-empty string';
      return credits(e.n, 1) ? undefined : 'n: must be an integer >= 1';
    case 'cancel':
      return isId(e.id) ? undefined : 'id: must be a non-empty string';
  }
  return OTHER_KIND;
}

/** Why `e` is not a valid backend -> client envelope; OTHER_KIND for another kind. */
function replyProblem(e: Raw): Problem {
  switch (e.strands) {
    case 'response':
    case 'next':
    case 'complete':
      return isId(e.id) ? undefined : 'id: must be a non-empty string';
    case 'error':
      if (!isId(e.id)) return 'id: must be a non-empty string';
      return typeof e.code !== 'string' ? 'code: must be a string' : typeof e.message !== 'string' ? 'message: must be a string' : undefined;
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
  if (problem === OTHER_KIND) problem = `${ENVELOPE_KEY}: unknown envelope kind ${JSON.stringify(e.strands)}`;
  if (problem === undefined) return { kind: 'envelope', envelope: e as Envelope };
  return { kind: 'invalid', id: typeof e.id === 'string' ? e.id : undefined, message: problem };
}

/**
 * Reads a reply envelope (`response`, `next`, `complete`, `error`), or undefined for anything else:
 * a plain message, a client envelope, a malformed one. What a client calls per message received.
 */
export function checkReplyEnvelope(message: string): ReplyEnvelope | undefined {
  const e = candidate(message);
  return e !== undefined && replyProblem(e) === undefined ? (e as ReplyEnvelope) : undefined;
}
