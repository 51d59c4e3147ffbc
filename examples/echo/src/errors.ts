// The one error this example raises itself: a flag it cannot use.

/** Stable error codes, documented in the README. */
export const ECHO_ERROR_CODES = { invalidOption: 'invalid_option' } as const;
export type EchoErrorCode = (typeof ECHO_ERROR_CODES)[keyof typeof ECHO_ERROR_CODES];

/** A flag or option value that cannot work (bad address, unknown flag, port out of range). */
export class OptionsError extends Error {
  override readonly name = 'OptionsError' as const;
  readonly code: EchoErrorCode = ECHO_ERROR_CODES.invalidOption;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
