// Test certificates made at test time with the openssl CLI: a CA, server certificates for
// localhost / 127.0.0.1 and client certificates it signed, in a fresh temporary directory.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A certificate and its key, as files and as PEM text. */
export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
  /** SHA-256 fingerprint, `AA:BB:...` (as `X509Certificate.fingerprint256` and `getPeerCertificate().fingerprint256` give it). */
  fingerprint256: string;
}

/** A throwaway CA that issues certificates into its directory. */
export interface TestPki {
  dir: string;
  ca: IssuedCertificate;
  /** A certificate for `localhost` and `127.0.0.1` (serverAuth), signed by the CA. */
  server(name?: string): IssuedCertificate;
  /** A client certificate (clientAuth) with this common name, signed by the CA. */
  client(name?: string): IssuedCertificate;
  /** Removes the directory. */
  cleanup(): void;
}

/** Stable code of the error thrown when the openssl CLI is missing or fails. */
export const PKI_ERROR_CODE = 'openssl_failed';

/** The openssl CLI is missing, or one of its commands failed (its stderr is in the message). */
export class PkiError extends Error {
  override readonly name = 'PkiError' as const;
  readonly code = PKI_ERROR_CODE;
}

/** True when the openssl CLI runs here. */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes a CA (EC P-256, valid two days) in a new temporary directory.
 * @example
 * const pki = createTestPki();
 * const server = pki.server();
 * createBroker({ tlsCert: server.certFile, tlsKey: server.keyFile });
 * new WebSocket(url, { ca: pki.ca.cert });
 */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'strands-pki-'));
  const ca = {
    certFile: join(dir, 'ca.crt'),
    keyFile: join(dir, 'ca.key'),
  };
  openssl(dir, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', ca.keyFile, '-out', ca.certFile, '-days', '2', '-subj', '/CN=Strands Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  let serial = 0;
  const issue = (name: string, extensions: string): IssuedCertificate => {
    serial += 1;
    const base = join(dir, `${name}-${serial}`);
    const files = { certFile: `${base}.crt`, keyFile: `${base}.key` };
    openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', files.keyFile, '-out', `${base}.csr`, '-subj', `/CN=${name}`]);
    writeFileSync(`${base}.ext`, extensions);
    openssl(dir, [
      'x509', '-req', '-in', `${base}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(Date.now() * 100 + serial),
      '-out', files.certFile, '-days', '2', '-extfile', `${base}.ext`,
    ]);
    return load(files);
  };
  return {
    dir,
    ca: load(ca),
    server: (name = 'localhost') => issue(name, 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'),
    client: (name = 'test-backend') => issue(name, 'extendedKeyUsage=clientAuth\n'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function load(files: { certFile: string; keyFile: string }): IssuedCertificate {
  const cert = readFileSync(files.certFile, 'utf8');
  return { ...files, cert, key: readFileSync(files.keyFile, 'utf8'), fingerprint256: new X509Certificate(cert).fingerprint256 };
}

function openssl(cwd: string, args: string[]): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (cause) {
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString().trim();
    throw new PkiError(`openssl ${args[0]} failed: ${stderr || (cause as Error).message}`, { cause });
  }
}
