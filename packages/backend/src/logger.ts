// The logging seam: pino's call shape, so a pino logger can be passed; a small console logger otherwise.

/** Levels of the built-in logger, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** What the SDK calls to log; a pino logger fits. */
export interface BackendLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
const noop = (): void => {};

/** A logger writing one JSON line per entry to stderr, dropping entries below `level`. */
export function createConsoleLogger(level: LogLevel): BackendLogger {
  const at = (name: Exclude<LogLevel, 'silent'>) =>
    RANK[name] < RANK[level]
      ? noop
      : (obj: object, msg?: string): void => {
          const entry: Record<string, unknown> = { level: name, time: Date.now(), name: '@strands/backend', msg };
          for (const [key, value] of Object.entries(obj)) {
            entry[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
          }
          process.stderr.write(`${JSON.stringify(entry)}\n`);
        };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
