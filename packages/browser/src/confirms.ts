// Confirmed sends: numbered by the client, each preceded on the wire by a `confirm` frame, and
// settled by the broker's `accepted` / `refused` answer (the send frames of @strands/protocol).
import { checkSendReply, confirmFrame } from '@strands/protocol/wire';
import type { ConfirmLayer, Refusal } from './confirm-layer.js';
import { StrandsClientError } from './errors.js';
import type { CallState } from './send-buffer.js';

/** A confirmed send in flight: its buffer entry carries the id, written as `confirm` just before it. */
interface ConfirmCall extends CallState {
  readonly confirm: number;
}

type Settle = [resolve: () => void, reject: (error: StrandsClientError) => void, call: ConfirmCall];

const ignore = (): void => {};

/** The confirmed sends of one client that wait for the broker's answer. */
export class Confirms implements ConfirmLayer {
  private readonly pending = new Map<number, Settle>();
  private seq = 0;
  private refused: (refusal: Refusal) => void = ignore;

  bind(refused: (refusal: Refusal) => void): void {
    this.refused = refused;
  }

  frame(call: CallState | undefined): string | undefined {
    const id = (call as ConfirmCall | undefined)?.confirm;
    return id === undefined ? undefined : confirmFrame(id);
  }

  start(write: (call: CallState) => Promise<void>): Promise<void> {
    const call: ConfirmCall = { sent: false, done: false, confirm: ++this.seq };
    return new Promise((resolve, reject) => {
      this.pending.set(call.confirm, [resolve, reject, call]);
      write(call).catch((error: StrandsClientError) => this.settle(call.confirm, error));
    });
  }

  handle(text: string): boolean {
    const frame = checkSendReply(text);
    if (frame === undefined) return false;
    const known = frame.id !== undefined && this.pending.has(frame.id);
    if (frame.strands === 'accepted') this.settle(frame.id as number);
    else if (known) this.settle(frame.id as number, new StrandsClientError(frame.code === 'no_backend' ? 'no_backend' : 'overloaded', frame.message));
    else this.refused({ code: frame.code, message: frame.message, ...(frame.id === undefined ? {} : { id: frame.id }) });
    return true;
  }

  /**
   * The connection closed: confirmed sends written on it may or may not have reached the broker,
   * and a broker that does not know `confirm` never answers, so they fail with `closed`. Those
   * still in the buffer wait for the next connection. With `all`, every one fails with `error`.
   */
  drop(error?: StrandsClientError): void {
    for (const [id, [, , call]] of this.pending) {
      if (error || call.sent) this.settle(id, error ?? new StrandsClientError('closed', 'the connection closed before the broker confirmed the send'));
    }
  }

  private settle(id: number, error?: StrandsClientError): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry[2].done = true;
    if (error) entry[1](error);
    else entry[0]();
  }
}
