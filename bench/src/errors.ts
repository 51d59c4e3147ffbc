// Named errors of the benchmark suite, each with a stable code documented in the README.

/** Stable codes of suite errors. */
export const BENCH_ERROR_CODES = {
  /** An option has an impossible value. */
  invalid_options: 'invalid_options',
  /** A server child process (broker, backend, baseline) failed to start or died. */
  child_failed: 'child_failed',
  /** The load generator could not open its connections. */
  connect_failed: 'connect_failed',
  /** A load generator worker crashed. */
  worker_failed: 'worker_failed',
  /** The process may not open enough files for a scenario (raise `ulimit -n`). */
  fd_limit: 'fd_limit',
  /** The --baseline ref could not be checked out into a worktree or installed there. */
  baseline_failed: 'baseline_failed',
  /** The packages' dist/, which the server children load, could not be built. */
  build_failed: 'build_failed',
} as const;
export type BenchErrorCode = keyof typeof BENCH_ERROR_CODES;

/** Any failure of the suite itself (not a missed target, which is a result). */
export class BenchError extends Error {
  override readonly name = 'BenchError' as const;
  readonly code: BenchErrorCode;

  constructor(code: BenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** A package the scenario needs is not there yet (a placeholder export): the scenario is skipped. */
export class UnavailableError extends Error {
  override readonly name = 'UnavailableError' as const;
  readonly code = 'unavailable' as const;
}

/** Guard by name rather than `instanceof`. */
export function isUnavailableError(value: unknown): value is UnavailableError {
  return value instanceof Error && value.name === 'UnavailableError';
}
