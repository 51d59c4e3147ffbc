// SIGHUP to a real strands-broker process serving TLS on both ports: the files are read again,
// new handshakes get the new certificate, open connections carry on, a broken file keeps the old one.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPki, type TestPki } from '../../../testing/src/certificates.js';
import { waitFor, type RawBackend } from './support/harness.js';
import { servedFingerprint, tlsBackend, wssClient } from './support/tls.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let pki: TestPki;
let child: ChildProcess | undefined;

beforeAll(() => {
  pki = createTestPki();
});
afterAll(() => {
  if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
  pki.cleanup();
});

/** Writes a certificate and key over the files the broker was started with. */
function install(files: { cert: string; key: string }, issued: { cert: string; key: string }): void {
  writeFileSync(files.cert, issued.cert);
  writeFileSync(files.key, issued.key);
}

describe('strands-broker SIGHUP', () => {
  it('reloads both ports: open connections stay, new ones see the new certificate, a broken file keeps the old', async () => {
    const ws = { cert: join(pki.dir, 'ws.crt'), key: join(pki.dir, 'ws.key') };
    const tcp = { cert: join(pki.dir, 'tcp.crt'), key: join(pki.dir, 'tcp.key') };
    const first = pki.server();
    install(ws, first);
    install(tcp, first);
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', '--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1', '--tls-cert', ws.cert, '--tls-key', ws.key, '--backend-tls-cert', tcp.cert, '--backend-tls-key', tcp.key],
      { cwd: packageDir, env: { ...process.env, STRANDS_BACKEND_TLS_CA: pki.ca.certFile }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const match = await waitFor(() => /clients (wss:\/\/127\.0\.0\.1:(\d+)).*backends tls:\/\/127\.0\.0\.1:(\d+)/.exec(out), 'listening line', 20_000).catch((error: Error) => {
      throw new Error(`${error.message}; stdout ${out}; stderr ${err}`);
    });
    const [, url, wsPort, tcpPort] = match as unknown as [string, string, string, string];
    const logs = (msg: string) => err.split('\n').filter((line) => line.includes(`"msg":"${msg}"`));

    const clientCert = pki.client();
    const backendTls = { ca: pki.ca.cert, cert: clientCert.cert, key: clientCert.key };
    const backend: RawBackend = await tlsBackend(Number(tcpPort), backendTls);
    await backend.hello();
    const alice = await wssClient(`${url}/ws/room?id=alice`, pki.ca.cert);
    expect(alice.fingerprint256).toBe(first.fingerprint256);
    let n = 0;
    const backends: RawBackend[] = [backend];
    // A client's events go to the backend that accepted it; any backend may answer.
    const roundTrip = async (client: typeof alice, id: string) => {
      const text = `m${(n += 1)}`;
      client.send(text);
      await waitFor(() => backends.some((b) => b.frames.some((f) => f.action === 'new_message' && f.params.message === text)), text);
      backend.send('message_to_connection', { conn_id: id, message: `echo ${text}` });
      await client.waitMessage(`echo ${text}`);
    };
    await roundTrip(alice, 'alice');

    const second = pki.server();
    install(ws, second);
    install(tcp, second);
    child.kill('SIGHUP');
    await waitFor(() => logs('TLS certificate reloaded').length === 2, 'two reload log lines', 10_000);
    expect(child.exitCode).toBeNull();
    // Open connections carry on with the certificate they had.
    await roundTrip(alice, 'alice');
    const bob = await wssClient(`${url}/ws/room?id=bob`, pki.ca.cert);
    expect(bob.fingerprint256).toBe(second.fingerprint256);
    expect(await servedFingerprint(Number(tcpPort), pki.ca.cert)).toBe(second.fingerprint256);
    const backend2 = await tlsBackend(Number(tcpPort), backendTls);
    backends.push(backend2);
    await backend2.hello();
    await roundTrip(bob, 'bob');

    writeFileSync(ws.key, 'garbage');
    writeFileSync(tcp.cert, '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
    child.kill('SIGHUP');
    await waitFor(() => logs('TLS reload failed: still serving the previous certificate').length === 2, 'two failed-reload log lines', 10_000);
    expect(logs('TLS reload failed: still serving the previous certificate')[0]).toContain('"level":50');
    expect(child.exitCode).toBeNull();
    const carol = await wssClient(`${url}/ws/room?id=carol`, pki.ca.cert);
    expect(carol.fingerprint256).toBe(second.fingerprint256);
    expect(await servedFingerprint(Number(tcpPort), pki.ca.cert)).toBe(second.fingerprint256);
    await roundTrip(carol, 'carol');
    await roundTrip(alice, 'alice');
    expect(alice.closed || bob.closed || backend.closed).toBe(false);

    child.kill('SIGTERM');
    expect(await new Promise((resolve) => child!.on('exit', (code) => resolve(code)))).toBe(0);
  });
});
