// The logging seam: pino's call shape, so a pino logger can be passed; a small JSON logger otherwise, writing pino's line format.

/** Levels of the built-in logger, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** What the SDK calls to log; a pino logger fits. */
export interface BackendLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * pino's numeric levels, written as `level` so that one log pipeline reads the broker's lines
 * and the SDK's alike (`silent` is above every level, as in pino).
 */
export const LOG_LEVEL_VALUES: Readonly<Record<LogLevel, number>> = { debug: 20, info: 30, warn: 40, error: 50, silent: Infinity };
const noop = (): void => {};

/**
 * A logger writing one JSON line per entry to stderr, dropping entries below `level`. Lines have
 * the broker's (pino's) shape: `{"level":30,"time":<ms>,"pid":<pid>,"name":"@strands/backend",...fields,"msg":"..."}`;
 * an `Error` value is written as pino writes `err`: `{ type, message, stack }`.
 */
export function createConsoleLogger(level: LogLevel): BackendLogger {
  const at = (name: Exclude<LogLevel, 'silent'>) =>
    LOG_LEVEL_VALUES[name] < LOG_LEVEL_VALUES[level]
      ? noop
      : (obj: object, msg?: string): void => {
          const entry: Record<string, unknown> = { level: LOG_LEVEL_VALUES[name], time: Date.now(), pid: process.pid, name: '@strands/backend' };
          for (const [key, value] of Object.entries(obj)) {
            entry[key] = value instanceof Error ? { type: value.name, message: value.message, stack: value.stack } : value;
          }
          if (msg !== undefined) entry.msg = msg;
          process.stderr.write(`${JSON.stringify(entry)}\n`);
        };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
