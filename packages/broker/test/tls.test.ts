// TLS on both ports, in process, with certificates made by openssl at test time: wss clients,
// TLS backends, client certificates, what a plain peer gets, and reloadTls().
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type IssuedCertificate, type TestPki } from '../../../testing/src/certificates.js';
import { createBroker, isBrokerError } from '../src/index.js';
import { RawBackend, startBroker, waitFor, type Harness } from './support/harness.js';
import { openTls, servedFingerprint, tlsBackend, wssClient } from './support/tls.js';

let pki: TestPki;
let server: IssuedCertificate;
let h: Harness | undefined;

beforeAll(() => {
  pki = createTestPki();
  server = pki.server();
});
afterAll(() => pki.cleanup());
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

/** A client message goes to the backend and the backend's reply comes back. */
async function roundTrip(backend: RawBackend, client: { send(t: string): void; waitMessage(m: string): Promise<string> }, id: string, text: string): Promise<void> {
  client.send(text);
  await backend.waitFrame((f) => f.action === 'new_message' && f.params.message === text, `${text} at backend`);
  backend.send('message_to_connection', { conn_id: id, message: `echo ${text}` });
  await client.waitMessage(`echo ${text}`);
}

describe('wss on the WebSocket port', () => {
  it('serves wss: a ws client trusting the test CA does a round trip through a backend', async () => {
    h = await startBroker({ tlsCert: server.certFile, tlsKey: server.keyFile });
    expect(h.addresses.wsUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const backend = await h.backend();
    const client = await wssClient(`${h.addresses.wsUrl}/ws/room?id=alice`, pki.ca.cert);
    expect(client.fingerprint256).toBe(server.fingerprint256);
    await roundTrip(backend, client, 'alice', 'over tls');
    // /healthz is served over https on the same port.
    const health = await new Promise<number>((resolve, reject) => {
      openTls(h!.addresses.wsPort, { ca: pki.ca.cert }).then((socket) => {
        socket.end('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
        let text = '';
        socket.on('data', (d: Buffer) => (text += d.toString()));
        socket.on('close', () => resolve(Number(text.split(' ')[1])));
      }, reject);
    });
    expect(health).toBe(200);
  });

  it('refuses a plain ws client, a client that does not trust the CA, and keeps serving', async () => {
    h = await startBroker({ tlsCert: server.certFile, tlsKey: server.keyFile });
    const backend = await h.backend();
    const plain = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${h!.addresses.wsPort}/ws/room?id=plain`);
      ws.on('open', () => resolve('open'));
      ws.on('error', (e) => resolve(`error ${e.message}`));
    });
    expect(plain).toMatch(/^error/);
    await expect(wssClient(`${h.addresses.wsUrl}/ws/room?id=untrusting`, pki.server().cert)).rejects.toThrow(/certificate|self.signed|verify/i);
    await waitFor(() => h!.broker.stats().clients === 0 && backend.of('connection_request').length === 0, 'no client, no request');
    const metrics = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`${h!.addresses.wsUrl}/ws/room?id=ok`, { ca: pki.ca.cert });
      ws.on('open', () => resolve('open'));
      ws.on('error', (e) => resolve(e.message));
    });
    expect(metrics).toBe('open');
    expect(backend.of('connection_request')).toHaveLength(1);
  });

  it('reloadTls() serves a new certificate to new clients; open clients keep working; a broken file keeps the old one', async () => {
    const dir = pki.dir;
    const certFile = join(dir, 'reload.crt');
    const keyFile = join(dir, 'reload.key');
    writeFileSync(certFile, server.cert);
    writeFileSync(keyFile, server.key);
    h = await startBroker({ tlsCert: certFile, tlsKey: keyFile });
    const backend = await h.backend();
    const first = await wssClient(`${h.addresses.wsUrl}/ws/room?id=first`, pki.ca.cert);
    const next = pki.server();
    writeFileSync(certFile, next.cert);
    writeFileSync(keyFile, next.key);
    expect(h.broker.reloadTls()).toEqual({ ws: 'reloaded' });
    expect(await servedFingerprint(h.addresses.wsPort, pki.ca.cert)).toBe(next.fingerprint256);
    await roundTrip(backend, first, 'first', 'after reload');
    writeFileSync(keyFile, 'not a key');
    expect(h.broker.reloadTls()).toEqual({ ws: 'failed' });
    expect(await servedFingerprint(h.addresses.wsPort, pki.ca.cert)).toBe(next.fingerprint256);
    const second = await wssClient(`${h.addresses.wsUrl}/ws/room?id=second`, pki.ca.cert);
    expect(second.fingerprint256).toBe(next.fingerprint256);
    await roundTrip(backend, second, 'second', 'after a failed reload');
    await roundTrip(backend, first, 'first', 'still here');
    const text = await h.http('/metrics').catch(() => undefined);
    expect(text).toBeUndefined(); // plain http on a TLS port does not answer
  });
});

describe('TLS on the backend port', () => {
  it('accepts a TLS backend that trusts the CA, and refuses a plain TCP one without harm', async () => {
    h = await startBroker({ backendTlsCert: server.certFile, backendTlsKey: server.keyFile });
    expect(h.addresses.backendTls).toBe(true);
    const backend = await tlsBackend(h.addresses.tcpPort, { ca: pki.ca.cert });
    await waitFor(() => h!.broker.stats().backends === 1, 'TLS backend ready');
    expect((await backend.hello()).params.accepted).toBe(true);
    // A plain TCP backend writes lines a TLS server cannot read: cut, never a backend.
    const plain = connect(h.addresses.tcpPort, '127.0.0.1');
    const plainClosed = new Promise<void>((resolve) => plain.on('close', () => resolve()));
    plain.on('error', () => undefined);
    plain.write(`${JSON.stringify({ action: 'broadcast', request_id: 'x', params: { message: 'from plain' } })}\n`);
    await plainClosed;
    const client = await h.client('/ws/room?id=carol');
    await roundTrip(backend, client, 'carol', 'via tls backend');
    expect(client.messages).not.toContain('from plain');
    expect(h.broker.stats().backends).toBe(1);
  });

  it('with backendTlsCa: a backend without a client certificate is refused, one signed by the CA is accepted', async () => {
    h = await startBroker({ backendTlsCert: server.certFile, backendTlsKey: server.keyFile, backendTlsCa: pki.ca.certFile });
    const noCert = await openTls(h.addresses.tcpPort, { ca: pki.ca.cert }).catch((e: Error) => e);
    // TLS 1.3: the client's handshake completes before the broker has checked it; the broker then cuts it.
    if (!(noCert instanceof Error)) {
      const outcome = await new Promise<string>((resolve) => {
        noCert.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        noCert.on('close', () => resolve('closed'));
        noCert.write('{"action":"hello","request_id":"h","params":{}}\n');
      });
      expect(outcome).toMatch(/CERTIFICATE_REQUIRED|closed|ECONNRESET/);
    }
    const stranger = createTestPki();
    try {
      const foreign = stranger.client('foreign');
      await openTls(h.addresses.tcpPort, { ca: pki.ca.cert, cert: foreign.cert, key: foreign.key })
        .then((s) => new Promise<void>((resolve) => { s.on('error', () => undefined); s.on('close', () => resolve()); }))
        .catch(() => undefined);
    } finally {
      stranger.cleanup();
    }
    expect(h.broker.stats().backends).toBe(0);
    const signed = pki.client('good-backend');
    const backend = await tlsBackend(h.addresses.tcpPort, { ca: pki.ca.cert, cert: signed.cert, key: signed.key });
    await waitFor(() => h!.broker.stats().backends === 1, 'backend with a client certificate ready');
    const client = await h.client('/ws/room?id=dave');
    await roundTrip(backend, client, 'dave', 'mutual tls');
    const metrics = await h.http('/metrics');
    expect(Number(/strands_tls_handshake_failures_total\{port="backend"\} (\d+)/.exec(metrics.body)?.[1])).toBeGreaterThanOrEqual(2);
  });
});

describe('TLS options', () => {
  it('checks the files at creation: a missing file, a key of another certificate, a lone cert', () => {
    const other = pki.server();
    const attempts: [Record<string, string>, RegExp][] = [
      [{ tlsCert: join(pki.dir, 'nope.crt'), tlsKey: server.keyFile }, /tlsCert: cannot read .*ENOENT/],
      [{ tlsCert: server.certFile, tlsKey: other.keyFile }, /tlsKey: .* cannot be used/],
      [{ tlsCert: server.certFile }, /tlsCert and tlsKey go together/],
      [{ backendTlsCa: pki.ca.certFile }, /backendTlsCa: client certificates need TLS/],
    ];
    for (const [options, message] of attempts) {
      let error: unknown;
      try {
        createBroker({ logLevel: 'silent', ...options });
      } catch (e) {
        error = e;
      }
      expect(isBrokerError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('lets client certificates stand in for the token on a non-loopback backend port', () => {
    expect(() => createBroker({ logLevel: 'silent', tcpHost: '0.0.0.0' })).toThrow(/backendToken/);
    expect(() => createBroker({ logLevel: 'silent', tcpHost: '0.0.0.0', backendTlsCert: server.certFile, backendTlsKey: server.keyFile, backendTlsCa: pki.ca.certFile })).not.toThrow();
  });
});
