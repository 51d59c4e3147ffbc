// Bounds how deep a JSON value nests: encoding it later (JSON.stringify recurses) must not overflow the stack.

/** Nesting that `metadata` from a backend may have; far beyond any real use, far below the stack limit. */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `value` nests deeper than `max` levels of objects and arrays. Iterative, so that
 * the check itself cannot overflow; stops at the first level too deep.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [node, depth] = item;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}
