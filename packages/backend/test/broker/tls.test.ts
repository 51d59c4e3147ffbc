// The SDK over TLS to a real @strands/broker, with certificates made by openssl at test time:
// a round trip, client certificates (refused without, accepted with), failures logged with their
// reason while the link keeps retrying.
import { createBroker, type Broker, type BrokerOptions } from '@strands/broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type IssuedCertificate, type TestPki } from '../../../../testing/src/certificates.js';
import { isBackendError, resolveOptions, type BackendLogger } from '../../src/index.js';
import { parseBrokerAddress } from '../../src/options.js';
import { cleanup, testBackend } from '../support/backend.js';
import { until } from '../support/fake-broker.js';
import { TestClient } from '../support/real-broker.js';

let pki: TestPki;
let server: IssuedCertificate;
beforeAll(() => {
  pki = createTestPki();
  server = pki.server();
});
afterAll(() => pki.cleanup());

async function tlsBroker(extra: BrokerOptions = {}): Promise<{ broker: Broker; wsUrl: string; tcpPort: number }> {
  const broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent', backendTlsCert: server.certFile, backendTlsKey: server.keyFile, ...extra });
  const { wsUrl, tcpPort } = await broker.start();
  cleanup(broker);
  return { broker, wsUrl, tcpPort };
}

/** A logger that keeps what it is given. */
function recordingLogger(): BackendLogger & { lines: { level: string; obj: Record<string, unknown>; msg?: string }[] } {
  const lines: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('@strands/backend over TLS', () => {
  it('does a round trip through a broker whose backend port speaks TLS', async () => {
    const { broker, wsUrl, tcpPort } = await tlsBroker();
    const backend = testBackend({ brokers: [`127.0.0.1:${tcpPort}`], tls: { ca: pki.ca.cert } });
    backend.onMessage((m) => m.reply(`tls echo: ${m.message}`));
    await backend.start();
    await until(() => broker.stats().backends === 1, 'backend connected over TLS');
    const client = await TestClient.open(`${wsUrl}/room`);
    client.send('hi');
    expect(await client.next((m) => m.startsWith('tls echo'))).toBe('tls echo: hi');
  });

  it('with backendTlsCa: refused without a client certificate (logged, retried), accepted with one the CA signed', async () => {
    const { broker, wsUrl, tcpPort } = await tlsBroker({ backendTlsCa: pki.ca.certFile });
    const log = recordingLogger();
    const refused = testBackend({ brokers: [`tls://127.0.0.1:${tcpPort}`], tls: { ca: pki.ca.cert }, logger: log });
    const errors: Error[] = [];
    refused.onBrokerDisconnect(({ error }) => void (error && errors.push(error)));
    void refused.start().catch(() => undefined);
    // Retrying with backoff: several refusals, each a TlsError that names the broker's alert.
    await until(() => log.lines.filter((l) => l.obj.code === 'tls_failed').length >= 2, 'two logged TLS failures');
    const failure = log.lines.find((l) => l.obj.code === 'tls_failed')!;
    expect(failure.level).toBe('warn');
    expect(String(failure.obj.reason)).toMatch(/CERTIFICATE_REQUIRED|ECONNRESET|ERR_SSL/);
    expect(broker.stats().backends).toBe(0);
    expect(errors.every((e) => isBackendError(e) && e.code === 'tls_failed')).toBe(true);
    await refused.close({ timeoutMs: 500 });

    const cert = pki.client('sdk-backend');
    const accepted = testBackend({ brokers: [`127.0.0.1:${tcpPort}`], tls: { ca: pki.ca.cert, cert: cert.cert, key: cert.key } });
    accepted.onMessage((m) => m.reply(`mtls: ${m.message}`));
    await accepted.start();
    await until(() => broker.stats().backends === 1, 'backend with a client certificate connected');
    const client = await TestClient.open(`${wsUrl}/room`);
    client.send('x');
    expect(await client.next((m) => m.startsWith('mtls'))).toBe('mtls: x');
  });

  it('logs a certificate that does not verify with its reason, keeps retrying, and the broker stays healthy', async () => {
    const { broker, tcpPort } = await tlsBroker();
    const log = recordingLogger();
    const other = createTestPki();
    try {
      const backend = testBackend({ brokers: [`127.0.0.1:${tcpPort}`], tls: { ca: other.ca.cert }, logger: log });
      void backend.start().catch(() => undefined);
      await until(() => log.lines.filter((l) => l.obj.code === 'tls_failed').length >= 3, 'three logged TLS failures');
      const reasons = new Set(log.lines.filter((l) => l.obj.code === 'tls_failed').map((l) => l.obj.reason));
      expect([...reasons]).toEqual(['UNABLE_TO_VERIFY_LEAF_SIGNATURE']);
      expect(log.lines.find((l) => l.obj.code === 'tls_failed')!.msg).toMatch(/TLS with broker 127\.0\.0\.1:\d+ failed/);
      expect(broker.stats().backends).toBe(0);
      // A plain TCP SDK backend (the default) gets nowhere on the TLS port either.
      const plainLog = recordingLogger();
      const plain = testBackend({ brokers: [`127.0.0.1:${tcpPort}`], logger: plainLog });
      void plain.start().catch(() => undefined);
      await until(() => plainLog.lines.some((l) => l.msg === 'connected to broker'), 'plain socket connected');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(broker.stats().backends).toBe(0);
    } finally {
      other.cleanup();
    }
  });

  it('reads tls:// and tcp:// addresses, and the tls option', () => {
    expect(parseBrokerAddress('tls://broker.example.com:9443')).toMatchObject({ host: 'broker.example.com', port: 9443 });
    const resolved = resolveOptions({ brokers: ['tls://a:1', 'tcp://b:2', 'c:3'] });
    expect(resolved.brokers.map((b) => b.tls !== undefined)).toEqual([true, false, false]);
    const all = resolveOptions({ brokers: ['a:1', 'tcp://b:2'], tls: { servername: 'broker' } });
    expect(all.brokers.map((b) => b.tls)).toEqual([{ servername: 'broker' }, undefined]);
    expect(() => resolveOptions({ tls: { cert: 'only a cert' } })).toThrow(/cert and key go together/);
  });
});
