// "Did you mean ...?": the known name nearest to a mistyped one (edit distance), for unknown options and variables.

/**
 * The candidate with the fewest single-character edits from `name` (case-insensitive; the first
 * one on a tie), or undefined when there are no candidates.
 * @example closest('STRANDS_WS_PROT', ['STRANDS_WS_PORT', 'STRANDS_TCP_PORT']) // 'STRANDS_WS_PORT'
 */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
