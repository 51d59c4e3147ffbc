// Errors the chat example raises itself (the wire error replies to clients are in messages.ts;
// OptionsError, for a bad flag, comes from @strands/example-shared).

/** Stable error codes, documented in the README. */
export const CHAT_ERROR_CODES = { launchFailed: 'launch_failed' } as const;
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[keyof typeof CHAT_ERROR_CODES];

/** A process of `pnpm start` (broker, backend, page) failed to start or died while running. */
export class LaunchError extends Error {
  override readonly name = 'LaunchError' as const;
  readonly code: ChatErrorCode = CHAT_ERROR_CODES.launchFailed;

  constructor(
    message: string,
    /** Which process: `broker`, `backend` or `page`. */
    readonly part: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
