// JSON texts that have broken parsers and walkers before: nesting deep enough to overflow a
// recursive walk, numbers past every range, names read through Object.prototype.
import fc from 'fast-check';

/** Names that a lookup by `obj[name]` finds on every object. */
export const prototypeNames = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'prototype'] as const;

/** `[[[...]]]` or `{"a":{"a":...}}`, 10 to 20,000 levels, closed or left open. */
export const deepNesting: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 10, max: 20_000 }), fc.boolean(), fc.boolean())
  .map(([depth, arrays, closed]) => (arrays ? '['.repeat(depth) + (closed ? ']'.repeat(depth) : '') : '{"a":'.repeat(depth) + '1' + (closed ? '}'.repeat(depth) : '')));

/** Numbers JSON allows and no double holds, and ones it does not allow. */
export const hugeNumbers: fc.Arbitrary<string> = fc.constantFrom('1e999999', '-1e999999', '9'.repeat(400), `-${'9'.repeat(400)}`, '1e-999999', '0.' + '0'.repeat(400) + '1', 'NaN', 'Infinity', '-0', '1'.repeat(20));

/** `{"a":{"a":...1...}}`, `depth` levels: valid JSON too deep for a recursive walk (put where a param takes an object). */
export function nestedValue(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}
