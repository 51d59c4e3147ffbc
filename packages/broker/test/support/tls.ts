// TLS test helpers: raw newline-JSON backends over TLS, the peer certificate a TLS client sees,
// and wss clients trusting a test CA.
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { WebSocket } from 'ws';
import { RawBackend, TestClient, type Decide } from './harness.js';

/** A raw backend over TLS (accepted by the broker once the handshake is done). */
export async function tlsBackend(port: number, options: ConnectionOptions, decide?: Decide): Promise<RawBackend> {
  const socket = await openTls(port, options);
  return new RawBackend(socket, decide);
}

/** Opens a TLS connection to 127.0.0.1:port; rejects with the handshake's error. */
export function openTls(port: number, options: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connectTls({ host: '127.0.0.1', port, ...options });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The SHA-256 fingerprint of the certificate a new TLS connection to `port` is shown. */
export async function servedFingerprint(port: number, ca: string): Promise<string> {
  const socket = await openTls(port, { ca });
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return fingerprint;
}

/** A wss client trusting `ca`, open (or rejecting with the error that stopped it). */
export function wssClient(url: string, ca: string): Promise<TestClient & { fingerprint256: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { ca });
    let fingerprint256 = '';
    // The 101 response's socket is the TLS connection the client keeps.
    ws.once('upgrade', (res) => (fingerprint256 = (res.socket as TLSSocket).getPeerCertificate().fingerprint256));
    ws.once('open', () => resolve(Object.assign(new TestClient(ws), { fingerprint256 })));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}
