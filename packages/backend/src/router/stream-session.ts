// One open request-stream: sends only while the client has granted credits (RSocket's REQUEST_N);
// the producer runs at most one item ahead, so a client that stops granting stops the producer.
import { SchemaIssues, validate, type StandardSchemaV1 } from '@strands/protocol';
import { completeEnvelope, errorEnvelope, nextEnvelope } from './envelopes.js';

export interface SessionHost {
  send(text: string): Promise<void>;
  /** The producer threw or yielded an invalid item. */
  failed(cause: unknown, code: 'handler_error' | 'invalid_output'): void;
  ended(session: StreamSession): void;
}

export class StreamSession {
  readonly controller = new AbortController();
  private credits: number;
  private wake: (() => void) | undefined;
  private over = false;

  constructor(
    readonly id: string,
    initialCredits: number,
    private readonly host: SessionHost,
  ) {
    this.credits = initialCredits;
  }

  /** Credits not yet spent. */
  get pendingCredits(): number {
    return this.credits;
  }

  /** Adds `n` credits (request_n). */
  grant(n: number): void {
    if (this.over) return;
    this.credits += n;
    this.wakeUp();
  }

  /** Stops the producer; nothing more is sent (the client cancelled, left, or the backend closes). */
  cancel(reason: string): void {
    if (this.over) return;
    this.end();
    this.controller.abort(reason);
    this.wakeUp();
  }

  /** Pulls `items` under credits until it ends, fails or is cancelled. */
  async run(items: AsyncIterable<unknown>, schema: StandardSchemaV1): Promise<void> {
    let iterator: AsyncIterator<unknown> | undefined;
    try {
      iterator = items[Symbol.asyncIterator]();
      for (;;) {
        // Pull first, then wait for a credit: the producer runs at most one item ahead, and a
        // finished producer completes the stream without needing a credit (as in RSocket).
        const step = await iterator.next();
        if (this.over) break;
        if (step.done) {
          this.end();
          await this.host.send(completeEnvelope(this.id));
          return;
        }
        const checked = await validate(schema, step.value);
        if (this.over) break;
        if (checked.issues !== undefined) {
          this.end();
          await this.host.send(errorEnvelope(this.id, 'invalid_output', 'the stream produced an invalid item'));
          this.host.failed(new SchemaIssues(checked.issues), 'invalid_output');
          break;
        }
        while (this.credits === 0 && !this.over) await new Promise<void>((resolve) => (this.wake = resolve));
        if (this.over) break;
        this.credits -= 1;
        // Waiting for the write keeps a stream from outrunning the broker link.
        await this.host.send(nextEnvelope(this.id, step.value));
      }
    } catch (cause) {
      if (!this.over) {
        this.end();
        this.host.failed(cause, 'handler_error');
        await this.host.send(errorEnvelope(this.id, 'handler_error', 'the stream failed')).catch(() => {});
      }
    }
    // Cancelled or failed: let the producer run its `finally` blocks.
    this.end();
    this.controller.abort('ended');
    await iterator?.return?.().catch(() => {});
  }

  private end(): void {
    if (this.over) return;
    this.over = true;
    this.host.ended(this);
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
