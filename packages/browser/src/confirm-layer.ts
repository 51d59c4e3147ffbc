// The seam between the core client and confirmed sends (types only: the core carries no code of
// them, so that pages that do not confirm sends stay within the core's size budget).
import type { StrandsClientError } from './errors.js';
import type { CallState } from './send-buffer.js';

/** What the broker said about a message of this client that it refused or dropped. */
export interface Refusal {
  /** `overloaded`, `no_backend`, `dead_letter`, or a newer broker's code. */
  code: string;
  message: string;
  /** The confirmed send it was, if it was one. */
  id?: number;
}

/** Confirmed sends for one client, from `confirmedSends()` of `@strands/browser/confirm`. */
export interface ConfirmLayer {
  /** Called once by the client it is given to: refusals no promise reports go to `refused`. */
  bind(refused: (refusal: Refusal) => void): void;
  /** Starts a confirmed send: `write` buffers it with its call; the promise settles on the broker's answer. */
  start(write: (call: CallState) => Promise<void>): Promise<void>;
  /** The `confirm` frame to write right before this buffered entry, if it is a confirmed send. */
  frame(call: CallState | undefined): string | undefined;
  /** Reads an `accepted` / `refused` frame; false for anything else. */
  handle(text: string): boolean;
  /** The connection closed (`error` undefined) or the client ended (`error`). */
  drop(error?: StrandsClientError): void;
}
