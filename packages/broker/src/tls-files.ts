// TLS certificate files: read and checked at start, read again on SIGHUP and swapped into a
// listening server without touching the connections it already holds.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions, type Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { OptionsError, TlsFilesError } from './errors.js';
import { RateLimitedLog } from './logger.js';
import type { Metrics } from './metrics.js';

/** The files of one TLS port, as given in the options. */
export interface TlsFiles {
  /** PEM certificate (chain) file. */
  cert: string;
  /** PEM private key file. */
  key: string;
  /** PEM CA file: when set, peers must present a certificate it signed (mutual TLS). */
  ca?: string;
}

/** What was read from `TlsFiles`, ready for `tls.createServer` or `setSecureContext`. */
export interface TlsMaterial {
  context: Pick<SecureContextOptions, 'cert' | 'key' | 'ca'>;
  /** SHA-256 fingerprint of the leaf certificate (`AA:BB:...`), as logs and peers show it. */
  fingerprint256: string;
  /** The leaf certificate's `notAfter`, for the log line. */
  validTo: string;
}

/**
 * Reads and checks the files: each readable, PEM that parses, a key that belongs to the
 * certificate. `what` names the option (e.g. `tlsCert`) in the error.
 * @throws TlsFilesError naming the file and the reason.
 */
export function readTlsFiles(files: TlsFiles, what: { cert: string; key: string; ca?: string }): TlsMaterial {
  const cert = readPem(files.cert, what.cert);
  const key = readPem(files.key, what.key);
  const ca = files.ca === undefined ? undefined : readPem(files.ca, what.ca ?? 'ca');
  const context = { cert, key, ...(ca === undefined ? {} : { ca }) };
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (cause) {
    throw new TlsFilesError(`${what.cert}: ${JSON.stringify(files.cert)} holds no PEM certificate (${(cause as Error).message})`, what.cert, { cause });
  }
  try {
    // Throws on a malformed key, a key that does not match the certificate, or an unreadable CA.
    createSecureContext(context);
  } catch (cause) {
    throw new TlsFilesError(`${what.key}: ${JSON.stringify(files.key)} cannot be used with ${JSON.stringify(files.cert)} (${(cause as Error).message})`, what.key, { cause });
  }
  return { context, fingerprint256: leaf.fingerprint256, validTo: leaf.validTo };
}

function readPem(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new TlsFilesError(`${option}: cannot read ${JSON.stringify(path)} (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`, option, { cause });
  }
}

/** Outcome of one reload, per port. */
export type TlsReloadOutcome = 'reloaded' | 'failed';

/**
 * One TLS port's certificate: reloads read the files again and hand them to
 * `server.setSecureContext` (new handshakes get them, open connections keep theirs). A reload
 * that fails keeps the old certificate and logs an error.
 */
export class TlsCertificate {
  constructor(
    private readonly server: TlsServer,
    private readonly files: TlsFiles,
    private readonly names: { cert: string; key: string; ca?: string },
    /** `WebSocket` or `backend`, in log lines. */
    readonly port: string,
    private current: TlsMaterial,
  ) {}

  /** SHA-256 fingerprint of the certificate served now. */
  get fingerprint256(): string {
    return this.current.fingerprint256;
  }

  reload(logger: Logger): TlsReloadOutcome {
    let next: TlsMaterial;
    try {
      next = readTlsFiles(this.files, this.names);
      this.server.setSecureContext(next.context);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'tls_files_invalid';
      logger.error(
        { port: this.port, code, err: (error as Error).message, fingerprint256: this.current.fingerprint256 },
        'TLS reload failed: still serving the previous certificate',
      );
      return 'failed';
    }
    const previous = this.current.fingerprint256;
    this.current = next;
    logger.info({ port: this.port, fingerprint256: next.fingerprint256, previous, validTo: next.validTo }, 'TLS certificate reloaded');
    return 'reloaded';
  }
}

/** The TLS file options of the broker (`BrokerOptions`' fields of the same names). */
export interface TlsFileOptions {
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  backendTlsCert?: string | undefined;
  backendTlsKey?: string | undefined;
  backendTlsCa?: string | undefined;
}

/** Certificate and key come in pairs, a CA only with them; every file is read and checked now, so a typo fails at start. */
export function checkTlsOptions(o: TlsFileOptions): void {
  for (const [cert, key] of [['tlsCert', 'tlsKey'], ['backendTlsCert', 'backendTlsKey']] as const) {
    for (const name of [cert, key]) {
      const value = o[name];
      if (value !== undefined && (typeof value !== 'string' || value === '')) throw notAPath(name, value);
    }
    if ((o[cert] === undefined) !== (o[key] === undefined)) {
      const missing = o[cert] === undefined ? cert : key;
      throw new OptionsError(`invalid options: ${cert} and ${key} go together (${missing} is missing)`, missing);
    }
  }
  if (o.backendTlsCa !== undefined && o.backendTlsCert === undefined) {
    throw new OptionsError('invalid option backendTlsCa: client certificates need TLS on the backend port (backendTlsCert and backendTlsKey)', 'backendTlsCa');
  }
  if (o.backendTlsCa !== undefined && (typeof o.backendTlsCa !== 'string' || o.backendTlsCa === '')) throw notAPath('backendTlsCa', o.backendTlsCa);
  if (o.tlsCert !== undefined && o.tlsKey !== undefined) readTlsFiles({ cert: o.tlsCert, key: o.tlsKey }, WS_TLS_NAMES);
  if (o.backendTlsCert !== undefined && o.backendTlsKey !== undefined) {
    readTlsFiles({ cert: o.backendTlsCert, key: o.backendTlsKey, ...(o.backendTlsCa === undefined ? {} : { ca: o.backendTlsCa }) }, BACKEND_TLS_NAMES);
  }
}

/** The option names of the backend port's TLS files, as errors and logs name them. */
export const BACKEND_TLS_NAMES = { cert: 'backendTlsCert', key: 'backendTlsKey', ca: 'backendTlsCa' } as const;
/** The option names of the WebSocket port's TLS files. */
export const WS_TLS_NAMES = { cert: 'tlsCert', key: 'tlsKey' } as const;

function notAPath(name: string, value: unknown): OptionsError {
  return new OptionsError(`invalid option ${name}: ${JSON.stringify(value) ?? String(value)} (expected a file path)`, name);
}

/** The WebSocket port's files, when TLS is asked for there. */
export function wsTlsFiles(o: TlsFileOptions): TlsFiles | undefined {
  return o.tlsCert === undefined || o.tlsKey === undefined ? undefined : { cert: o.tlsCert, key: o.tlsKey };
}

/** The backend port's files, when TLS is asked for there. */
export function backendTlsFiles(o: TlsFileOptions): TlsFiles | undefined {
  if (o.backendTlsCert === undefined || o.backendTlsKey === undefined) return undefined;
  return { cert: o.backendTlsCert, key: o.backendTlsKey, ...(o.backendTlsCa === undefined ? {} : { ca: o.backendTlsCa }) };
}

/**
 * Counts and logs (at most once a second, with a count of those skipped) the handshakes a TLS
 * port refused: a plain client, a wrong or missing client certificate, a scanner. The socket is
 * already destroyed by Node; nothing else sees it.
 */
export function logHandshakeFailures(server: TlsServer, port: 'ws' | 'backend', ctx: { metrics: Metrics; logger: Logger }): void {
  const log = new RateLimitedLog(1000);
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket) => {
    ctx.metrics.tlsHandshakeFailures[port] += 1;
    log.hit((suppressed) =>
      ctx.logger.warn(
        { port, remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, code: error.code, err: error.message, suppressed },
        'TLS handshake failed',
      ),
    );
  });
}
