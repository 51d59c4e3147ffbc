// The broker's structured logger: pino JSON lines; nothing is logged per message at info.
import { pino, destination, type Logger } from 'pino';
import type { LogLevel } from './options.js';

/** Creates the broker's logger, writing JSON lines to stderr (stdout is left to the CLI's own output). */
export function createLogger(level: LogLevel): Logger {
  return pino({ name: 'strands-broker', level, base: { pid: process.pid } }, destination({ fd: 2, sync: false }));
}

/**
 * A log call that emits at most once per interval and counts what it swallowed, for events
 * that can happen per message (queue drops, a backend sending garbage in a loop).
 */
export class RateLimitedLog {
  private last = 0;
  private suppressed = 0;

  constructor(private readonly intervalMs = 1000) {}

  /** Calls `emit` with the number of calls skipped since the last emit, or skips this one. */
  hit(emit: (suppressed: number) => void): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) {
      this.suppressed += 1;
      return;
    }
    const skipped = this.suppressed;
    this.last = now;
    this.suppressed = 0;
    emit(skipped);
  }
}
