// Opens the socket of one broker link: plain TCP (the default, as PyStrands brokers speak) or TLS,
// and turns a failed TLS handshake into a TlsError that says why.
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { TlsError } from './errors.js';
import type { BackendLogger } from './logger.js';
import type { BrokerAddress } from './options.js';

/** What the link hears from its socket while it opens. */
export interface SocketEvents {
  /** The link can carry frames (after the TLS handshake when TLS is asked for). */
  opened(socket: Socket): void;
  /** A socket error: a TlsError (logged here, with its reason) when it is about TLS, else as Node gave it. 'close' follows. */
  failed(error: Error): void;
}

/** Connects to `broker`. A connect that takes longer than `timeoutMs` is destroyed with an error. */
export function openBrokerSocket(broker: BrokerAddress, timeoutMs: number, events: SocketEvents, log: BackendLogger): Socket {
  const tls = broker.tls;
  let socket: Socket;
  if (tls === undefined) {
    socket = connect({ host: broker.host, port: broker.port });
    socket.once('connect', () => events.opened(socket));
    socket.on('error', (error) => events.failed(error));
  } else {
    const { servername, rejectUnauthorized, ...material } = tls;
    socket = connectTls({
      host: broker.host,
      port: broker.port,
      ...material,
      ca: material.ca as string | Buffer | (string | Buffer)[] | undefined,
      // Unset, Node sends the host as SNI (not an IP address) and checks the certificate against it.
      ...(servername === undefined ? {} : { servername }),
      rejectUnauthorized: rejectUnauthorized ?? true,
    });
    let handshaken = false;
    socket.once('secureConnect', () => {
      handshaken = true;
      events.opened(socket);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const tlsError = asTlsError(error, broker.address, handshaken);
      if (tlsError !== undefined) log.warn({ broker: broker.address, code: tlsError.code, reason: tlsError.reason }, tlsError.message);
      events.failed(tlsError ?? error);
    });
  }
  socket.setNoDelay(true);
  socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`connect to ${broker.address} timed out`)));
  return socket;
}

/**
 * The TlsError for a socket error that is about TLS: any error before the handshake completed
 * (the broker's certificate, a broker that does not speak TLS), or a TLS alert after it (TLS 1.3
 * brokers refuse a missing or wrong client certificate only once the handshake is done).
 */
export function asTlsError(error: NodeJS.ErrnoException, broker: string, handshaken: boolean): TlsError | undefined {
  const reason = error.code ?? 'unknown';
  const tlsAlert = reason.startsWith('ERR_SSL_') || reason.startsWith('ERR_TLS_');
  if (handshaken && !tlsAlert) return undefined;
  if (!handshaken && (reason === 'ECONNREFUSED' || reason === 'ENOTFOUND' || reason === 'EHOSTUNREACH' || reason === 'ETIMEDOUT')) return undefined;
  return new TlsError(`TLS with broker ${broker} failed: ${error.message} (${reason})`, broker, reason, { cause: error });
}
