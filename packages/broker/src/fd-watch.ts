// Warns near the file-descriptor limit: Node quietly accepts and drops connections there, so without this nothing says why clients fail.
import { readdirSync, readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { RateLimitedLog } from './logger.js';

/** Share of the limit in use at which the broker warns. */
export const FD_WARN_RATIO = 0.9;
/** How often the count is read. */
export const FD_CHECK_INTERVAL_MS = 5_000;

/** The soft limit of open files, from /proc (Linux); undefined elsewhere. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/**
 * Descriptors open now, from /proc (Linux); `Infinity` when even that read fails for want of a
 * descriptor (the limit is reached); undefined where /proc is not there.
 */
export function openFiles(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? Infinity : undefined;
  }
}

/** Checks every interval and logs an error (at most once a minute) while the count is near the limit. */
export function startFdWatch(logger: Logger): NodeJS.Timeout | undefined {
  const limit = openFileLimit();
  if (limit === undefined || !Number.isFinite(limit)) return undefined;
  const log = new RateLimitedLog(60_000);
  const timer = setInterval(() => {
    const open = openFiles();
    if (open === undefined || open < limit * FD_WARN_RATIO) return;
    log.hit(() =>
      logger.error(
        { openFiles: Number.isFinite(open) ? open : 'all', limit },
        'near the file descriptor limit: new connections are being dropped (raise it with ulimit -n, or lower maxConnections)',
      ),
    );
  }, FD_CHECK_INTERVAL_MS);
  timer.unref();
  return timer;
}
