// The options whose value is one of a few words: the words, for the checks and the CLI.

/**
 * What to do with a new event when the queue is full: drop it, drop the oldest waiting one, or
 * refuse it and tell its sender (`overloaded`).
 */
export type QueueOverflowPolicy = 'drop-newest' | 'drop-oldest' | 'reject';

/** Log levels the broker accepts (pino's, plus `silent`). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
export const QUEUE_OVERFLOW_POLICIES: readonly QueueOverflowPolicy[] = ['drop-newest', 'drop-oldest', 'reject'];
