// The rate-limit policy: a client over its limits is not read until its debt is paid; one that stays over is closed with 1008.
import type { BrokerContext } from '../core/context.js';
import { RateLimitedLog } from '../logger.js';
import type { ClientConnection } from './client-connection.js';
import { InboundRate, limited } from './rate-limit.js';

/** Close code and reason of a client that stayed over its rate limits (1008: policy violation). */
export const RATE_LIMIT_CLOSE_CODE = 1008;
export const RATE_LIMIT_CLOSE_REASON = 'rate limit exceeded';

/** Lets a client go with a close frame. */
export type CloseClient = (client: ClientConnection, code: number, reason: string) => void;
/** Passes on one frame a client sent; counts it, so it may pause the client again. */
export type PassFrame = (client: ClientConnection, data: Buffer, isBinary: boolean) => void;

/**
 * Backpressure first, nothing dropped: every message a client sent is passed on, and when its
 * buckets run dry its socket is paused (the kernel's receive window, then TCP, slow the sender
 * down) for as long as its debt takes to pay. A client still over its limits when paused again
 * `clientOverLimitCloseMs` after it first went over (its buckets never refilled in between) is
 * closed with 1008, so a flooder cannot hold a socket, a read buffer and its debt forever.
 * What was read after the pause took effect (the rest of that socket read) is held on the client
 * and passed on one frame at a time as its debt is paid, so its messages reach the backend at
 * its rate, not as a burst of one read each time it is let in.
 */
export class ClientThrottle {
  private readonly pausedLog = new RateLimitedLog(1000);
  private readonly closedLog = new RateLimitedLog(1000);

  constructor(
    private readonly ctx: BrokerContext,
    /** Lets a client go (the registry's drop, with a close frame). */
    private readonly close: CloseClient,
    /** Passes on a frame the client sent that was held while it was paused (clients.ts `receive`). */
    private readonly pass: PassFrame,
  ) {}

  /** A throttle when the options turn a limit on, else undefined (nothing is counted at all). */
  static create(ctx: BrokerContext, close: CloseClient, pass: PassFrame): ClientThrottle | undefined {
    return limited(ctx.options) ? new ClientThrottle(ctx, close, pass) : undefined;
  }

  /** Counts a message `client` sent (already passed on); pauses the client when over its limits, closes it when it stayed over. */
  count(client: ClientConnection, size: number): void {
    const now = Date.now();
    const rate = (client.rate ??= new InboundRate(this.ctx.options, now));
    const waitMs = rate.take(now, size);
    // Frames read while paused are held, not counted here; the check keeps one resume timer per client whatever calls this.
    if (waitMs === 0 || client.isPausedFor('rate')) return;
    const closeMs = this.ctx.options.clientOverLimitCloseMs;
    if (rate.overSince === 0) rate.overSince = now;
    else if (closeMs > 0 && now - rate.overSince >= closeMs) return this.closeOver(client, now - rate.overSince);
    client.pauseReading('rate');
    this.ctx.metrics.clientRateLimited += 1;
    this.pausedLog.hit((suppressed) => {
      this.ctx.logger.warn({ client: client.id, pauseMs: waitMs, pausedSinceLastLog: suppressed + 1 }, 'client over its rate limit: not read until it is within it');
    });
    this.schedule(client, rate, waitMs);
  }

  private schedule(client: ClientConnection, rate: InboundRate, waitMs: number): void {
    const timer = setTimeout(() => this.resume(client, rate), waitMs);
    timer.unref();
    rate.resumeTimer = timer;
  }

  private resume(client: ClientConnection, rate: InboundRate): void {
    rate.resumeTimer = undefined;
    if (client.gone) return;
    const waitMs = rate.debtMs(Date.now());
    if (waitMs > 0) return this.schedule(client, rate, waitMs);
    // Unpaused first, so that a held frame that puts it over pauses it again (and the rest stay held).
    client.resumeReading('rate');
    const held = client.held;
    if (held === undefined) return;
    while (!client.gone && !client.isPausedFor('rate') && held.shift((data, isBinary) => this.pass(client, data, isBinary)));
    if (held.size === 0 && client.held === held) client.held = undefined;
  }

  private closeOver(client: ClientConnection, overMs: number): void {
    if (client.rate?.resumeTimer !== undefined) clearTimeout(client.rate.resumeTimer);
    this.ctx.metrics.clientRateLimitCloses += 1;
    this.closedLog.hit((suppressed) => {
      this.ctx.logger.warn({ client: client.id, overMs, closedSinceLastLog: suppressed + 1 }, `client closed (${RATE_LIMIT_CLOSE_CODE}): it stayed over its rate limit`);
    });
    this.close(client, RATE_LIMIT_CLOSE_CODE, RATE_LIMIT_CLOSE_REASON);
  }
}
