// Request ids a peer makes for its own frames: a counter after a prefix, JSON-safe by construction.

declare const jsonSafe: unique symbol;
/**
 * A request id that needs no JSON escaping (letters, digits, `.`, `_`, `:`, `-`), so encoders may
 * write it between quotes as is. Make one with `createRequestIds` or `toSafeRequestId`.
 */
export type SafeRequestId = string & { readonly [jsonSafe]: true };

const SAFE = /^[A-Za-z0-9._:-]*$/;

/** Checks that `id` needs no escaping and brands it; throws a RangeError otherwise. */
export function toSafeRequestId(id: string): SafeRequestId {
  if (!SAFE.test(id)) throw new RangeError(`request id ${JSON.stringify(id)} may only hold letters, digits and . _ : -`);
  return id as SafeRequestId;
}

/**
 * Returns a source of request ids, unique within this source: `prefix` + a base-36 counter.
 * Ids only need to be unique per peer run (brokers and backends echo them back), so a counter is
 * as good as a UUID here and costs nothing per frame. Without `prefix`, one of 8 random hex digits
 * and `-` is made at the first call (Math.random: this package imports no Node or DOM crypto, and
 * the ids need to be distinct, not unguessable).
 * @example
 * const nextId = createRequestIds('b');
 * nextId(); // 'b1'
 */
export function createRequestIds(prefix?: string): () => SafeRequestId {
  let head = prefix === undefined ? undefined : toSafeRequestId(prefix);
  let sequence = 0;
  return () => {
    head ??= randomPrefix();
    sequence = (sequence + 1) % Number.MAX_SAFE_INTEGER;
    return (head + sequence.toString(36)) as SafeRequestId;
  };
}

function randomPrefix(): SafeRequestId {
  const bits = Math.floor(Math.random() * 0x100000000);
  return `${bits.toString(16).padStart(8, '0')}-` as SafeRequestId;
}
