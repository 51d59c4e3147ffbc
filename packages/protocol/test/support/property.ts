// Runs fast-check properties with a fixed seed (STRANDS_FC_SEED overrides it) and bounded runs.
import fc from 'fast-check';

/** The seed of every property run; set STRANDS_FC_SEED to replay or to explore another one. */
export const SEED = Number(process.env.STRANDS_FC_SEED ?? 20250611);
/** Runs per property; STRANDS_FC_RUNS raises it for a longer search. */
export const NUM_RUNS = Number(process.env.STRANDS_FC_RUNS ?? 200);

/**
 * Asserts a property. fast-check's failure report names the seed and the shrunk counterexample;
 * the seed is repeated at the top so that a truncated report still says how to replay it.
 */
export function holds<T>(property: fc.IProperty<T>): void {
  try {
    fc.assert(property, { seed: SEED, numRuns: NUM_RUNS });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`property failed (replay with STRANDS_FC_SEED=${SEED}):\n${message}`, { cause: error });
  }
}
