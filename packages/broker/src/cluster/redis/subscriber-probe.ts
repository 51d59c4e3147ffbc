// Liveness probe of one subscriber connection (centrifugo#1189): a pub/sub socket can die silently,
// so after a silence the link publishes to its own probe channel and rebuilds the socket if nothing comes back.
import { afterPendingIo } from '../after-io.js';

export interface SubscriberProbeOptions {
  /** Silence (no message on any channel) after which a probe is published. */
  silenceMs: number;
  /** Time a probe may go unanswered before `restart` is called. */
  answerTimeoutMs: number;
}

export interface SubscriberProbeHooks {
  /** Publishes a probe on the command connection; resolves with the receiver count PUBLISH gave. */
  publish(): Promise<number>;
  /** Tears the subscriber connection down and builds a new one. */
  restart(reason: string): void;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Watches one subscriber connection. The link calls `activity()` for every message it receives
 * (a probe's echo included), `pause()` while the connection is known to be down (its own
 * reconnect is under way, nothing to probe) and `resume()` once it is subscribed again.
 */
export class SubscriberProbe {
  private lastActivityAt: number;
  private probeSentAt: number | undefined;
  private paused = true;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    private readonly options: SubscriberProbeOptions,
    private readonly hooks: SubscriberProbeHooks,
  ) {
    this.now = hooks.now ?? Date.now;
    this.lastActivityAt = this.now();
  }

  /** Starts the check timer (unref'd: a probe never keeps the process alive). */
  start(): void {
    if (this.timer) return;
    // A quarter of the shorter window: late by at most that much, cheap either way.
    const everyMs = Math.max(5, Math.min(this.options.silenceMs, this.options.answerTimeoutMs) / 4);
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Something arrived on the subscriber connection: it is alive. */
  activity(): void {
    this.lastActivityAt = this.now();
    this.probeSentAt = undefined;
  }

  pause(): void {
    this.paused = true;
    this.probeSentAt = undefined;
  }

  resume(): void {
    this.paused = false;
    this.activity();
  }

  /** One look at the clock; public so tests can drive it without timers. */
  check(): void {
    if (this.paused) return;
    const now = this.now();
    const probeSentAt = this.probeSentAt;
    if (probeSentAt !== undefined) {
      if (now - probeSentAt < this.options.answerTimeoutMs) return;
      // The echo may be waiting unread behind a stall of this node's own loop: rebuilding the
      // socket then would lose what it holds, so the answer gets one more turn of I/O.
      afterPendingIo(() => {
        if (this.probeSentAt === probeSentAt) this.fail('probe unanswered');
      });
      return;
    }
    if (now - this.lastActivityAt < this.options.silenceMs) return;
    const sentAt = now;
    this.probeSentAt = sentAt;
    this.hooks.publish().then(
      (receivers) => {
        // Zero receivers is Redis saying outright that this connection's subscription is gone.
        if (receivers === 0 && this.probeSentAt === sentAt) this.fail('probe channel has no subscriber');
      },
      () => {
        // The command connection is down: that is not this socket's fault, so try again later.
        if (this.probeSentAt === sentAt) {
          this.probeSentAt = undefined;
          this.lastActivityAt = this.now();
        }
      },
    );
  }

  private fail(reason: string): void {
    this.pause();
    this.hooks.restart(reason);
  }
}
