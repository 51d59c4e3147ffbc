// Typed errors of the protocol package, each with a stable `code` documented in the README.

/** Why a frame could not be read. */
export const FRAME_ERROR_CODES = {
  /** The line is not valid JSON. */
  invalid_json: 'invalid_json',
  /** Valid JSON, but not an object with a string `action`, a string `request_id` and an object `params`. */
  invalid_frame: 'invalid_frame',
  /** A known action whose params do not match its schema. */
  invalid_params: 'invalid_params',
  /** An action this peer does not know; peers ignore these (a newer peer may send them). */
  unknown_action: 'unknown_action',
  /** The line is longer than the decoder's maximum. */
  frame_too_large: 'frame_too_large',
} as const;
export type FrameErrorCode = keyof typeof FRAME_ERROR_CODES;

/** A frame that could not be read. Returned by `parseFrame` and the decoder, never thrown by them. */
export class FrameError extends Error {
  override readonly name = 'FrameError' as const;
  readonly code: FrameErrorCode;
  /** The frame's `action`, where it could be read. */
  readonly action: string | undefined;
  /** The frame's `request_id`, where it could be read, so a reply can name the frame. */
  readonly requestId: string | undefined;

  constructor(
    code: FrameErrorCode,
    message: string,
    details: { action?: string | undefined; requestId?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.action = details.action;
    this.requestId = details.requestId;
  }
}

/** Guard by name rather than `instanceof`, which fails across two copies of this package. */
export function isFrameError(value: unknown): value is FrameError {
  return value instanceof Error && value.name === 'FrameError' && 'code' in value;
}
