// Frames that expect an answer from the broker (room_members, room_history): matched by request id, with a timeout.
import type { BrokerFrame } from '@strands/protocol';
import { BrokerError, SendError } from './errors.js';

interface Pending {
  resolve: (frame: BrokerFrame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly broker: string) {}

  /** Waits for the answer to `requestId`; rejects with `request_timeout` after `timeoutMs`. */
  wait(requestId: string, timeoutMs: number): Promise<BrokerFrame> {
    return new Promise<BrokerFrame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new SendError('request_timeout', `broker ${this.broker} did not answer within ${timeoutMs} ms`, this.broker));
      }, timeoutMs);
      this.pending.set(requestId, { resolve, reject, timer });
    });
  }

  /** True when `frame` answered a pending request (and settled it). */
  settle(frame: BrokerFrame): boolean {
    if (frame.action !== 'room_members_reply' && frame.action !== 'room_history_reply' && frame.action !== 'error_reply') return false;
    const pending = this.take(frame.request_id);
    if (pending === undefined) return false;
    if (frame.action === 'error_reply') {
      pending.reject(new BrokerError('broker_error', frame.params.message, this.broker, frame.params.code));
    } else {
      pending.resolve(frame);
    }
    return true;
  }

  /** Rejects one request (its frame could not be sent). */
  fail(requestId: string, error: Error): void {
    this.take(requestId)?.reject(error);
  }

  /** Rejects every request: the link dropped before the broker answered. */
  failAll(): void {
    for (const id of [...this.pending.keys()]) {
      this.fail(id, new SendError('connection_lost', `broker ${this.broker} link dropped before it answered`, this.broker));
    }
  }

  private take(requestId: string): Pending | undefined {
    const pending = this.pending.get(requestId);
    if (pending === undefined) return undefined;
    this.pending.delete(requestId);
    clearTimeout(pending.timer);
    return pending;
  }
}
