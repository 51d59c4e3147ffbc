// What the fast checkers return: a typed frame, or a refusal with a stable code.
import type { FrameErrorCode } from '../errors.js';

/**
 * Why a frame was refused: the same `code` that `parseFrame` gives, a message for logs and
 * `error_reply`, and the frame's `request_id` and `action` where they could be read. A plain
 * object rather than a FrameError: a flood of bad frames should not cost a stack trace each.
 */
export interface Refusal {
  readonly code: FrameErrorCode;
  readonly message: string;
  readonly requestId: string | undefined;
  readonly action: string | undefined;
  /** The JSON parser's error, for `invalid_json`. */
  readonly cause?: unknown;
}

/** A checked frame, or why not. */
export type CheckResult<F> = { ok: true; frame: F } | { ok: false; refusal: Refusal };

/**
 * A failed CheckResult. A class so that the internal readers can return "a frame or a Failure"
 * and tell them apart with `instanceof`, without wrapping every good frame in one more object.
 */
export class Failure {
  readonly ok = false as const;
  constructor(readonly refusal: Refusal) {}
}

/** Builds a failed CheckResult. */
export function refused(code: FrameErrorCode, message: string, requestId: string | undefined, action: string | undefined, cause?: unknown): Failure {
  return new Failure(cause === undefined ? { code, message, requestId, action } : { code, message, requestId, action, cause });
}
