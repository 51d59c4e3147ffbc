// fast-check arbitraries of the JSON values frames carry: strings (ASCII and any UTF-16), objects.
import fc from 'fast-check';

/** Any string, sometimes with non-ASCII and lone surrogates (JSON.stringify escapes those). */
export const anyString = fc.oneof(fc.string({ maxLength: 10 }), fc.string({ unit: 'binary', maxLength: 6 }));
/** A non-empty string (envelope ids and routes). */
export const nonEmptyString = anyString.filter((s) => s !== '');
/** Any JSON value, shallow. */
export const anyJson = fc.jsonValue({ maxDepth: 2 });
/** Any JSON object, shallow. */
export const anyObject = fc.dictionary(fc.string({ maxLength: 6 }), anyJson, { maxKeys: 3 });
/** A JSON integer (safe), as codes and statuses are. */
export const anyInt = fc.integer({ min: -1_000_000, max: 1_000_000 });
/** A list of strings (header values, capabilities). */
export const stringList = fc.array(anyString, { maxLength: 3 });
/** An object of string lists (headers, query). */
export const stringLists = fc.dictionary(fc.string({ maxLength: 8 }), stringList, { maxKeys: 3 });

/** Marks an optional key to leave out. */
const OMIT = Symbol('omit');

/** An optional param: absent, `null` (read as absent), or a value. */
export function optional<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null | typeof OMIT> {
  return fc.oneof(fc.constant(OMIT), fc.constant(null), arb);
}

/**
 * An object with the given keys (optional ones left out as `optional` decides) plus up to two
 * keys it does not know, which every wire object must keep.
 */
export function looseRecord(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const known = new Set(Object.keys(shape));
  const extraKey = fc.string({ maxLength: 6 }).filter((k) => !known.has(k));
  return fc.tuple(fc.record(shape), fc.dictionary(extraKey, anyJson, { maxKeys: 2 })).map(([record, extras]) => {
    const out: Record<string, unknown> = { ...extras };
    for (const [key, value] of Object.entries(record)) if (value !== OMIT) out[key] = value;
    return out;
  });
}
