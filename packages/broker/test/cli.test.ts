// The strands-broker command as a real process: help, version, bad input (exit 2), listening line, signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FLAGS, envName, parseCli, type CliCommand } from '../src/cli-args.js';
import { resolveOptions, type BrokerOptions } from '../src/options.js';
import { VERSION } from '../src/version.js';
import { RawBackend, TestClient, waitFor } from './support/harness.js';
import { WebSocket } from 'ws';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const children: ChildProcess[] = [];

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: packageDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('strands-broker CLI', () => {
  it('documents every flag and its environment variables in --help', async () => {
    const r = run(['--help']);
    expect(await r.exit).toBe(0);
    for (const flag of Object.keys(FLAGS)) {
      expect(r.stdout()).toContain(`--${flag} `);
      expect(r.stdout()).toContain(envName(flag));
    }
    for (const legacy of ['PYSTRAND_WS_PORT', 'PYSTRAND_TCP_PORT', 'PYSTRAND_QUEUE_SIZE', '--help', '--version']) {
      expect(r.stdout()).toContain(legacy);
    }
  });

  it('prints the version of package.json', async () => {
    const r = run(['--version']);
    expect(await r.exit).toBe(0);
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    expect(r.stdout().trim()).toBe(`strands-broker ${pkg.version}`);
  });

  it.each([
    [['--bogus'], {}, /Unknown option '--bogus'/],
    [['--ws-port', 'abc'], {}, /--ws-port: invalid value "abc"/],
    [['--tcp-port', '70000'], {}, /tcpPort/],
    [['--queue-overflow', 'sometimes'], {}, /--queue-overflow/],
    [['--log-level', 'loud'], {}, /--log-level/],
    [[], { STRANDS_QUEUE_SIZE: 'many' }, /STRANDS_QUEUE_SIZE/],
    [[], { PYSTRAND_WS_PORT: '-5' }, /PYSTRAND_WS_PORT/],
    [['--retry-after-seconds', 'soon'], {}, /--retry-after-seconds: invalid value "soon"/],
  ])('exits 2 with a clear message for %j %j', async (args, env, message) => {
    const r = run(args, env as Record<string, string>);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(message);
    expect(r.stderr()).toContain('--help');
  });

  it('reads flags over STRANDS_* over PYSTRAND_* variables', () => {
    const parsed = parseCli(['--ws-port', '1'], { STRANDS_WS_PORT: '2', PYSTRAND_WS_PORT: '3', PYSTRAND_TCP_PORT: '4', PYSTRAND_QUEUE_SIZE: '0', STRANDS_BACKEND_TOKEN: 't' });
    expect(parsed).toMatchObject({ kind: 'run', options: { wsPort: 1, tcpPort: 4, queueSize: 0, backendToken: 't' } });
    expect(parseCli([], { STRANDS_WS_PORT: '2', PYSTRAND_WS_PORT: '3' })).toMatchObject({ options: { wsPort: 2 } });
  });

  it('has a flag for every option a flag can carry (all but objects such as `logger`)', () => {
    // An option that exists in options.ts but not here is one --help cannot list.
    // A nested flag (`queue.url`) carries its object's option (`queue`, 'memory' by default).
    const flagged = new Set(Object.values(FLAGS).flatMap((f) => [f.option, f.option.split('.')[0] as string]));
    const primitive = Object.entries(resolveOptions()).filter(([, value]) => typeof value === 'number' || typeof value === 'string');
    expect(primitive.map(([option]) => option).filter((option) => !flagged.has(option as keyof BrokerOptions))).toEqual([]);
    expect(flagged.has('backendToken')).toBe(true); // unset by default, so not in the list above
  });

  it('reads --retry-after-seconds over STRANDS_RETRY_AFTER_SECONDS', () => {
    expect(parseCli(['--retry-after-seconds', '7'], { STRANDS_RETRY_AFTER_SECONDS: '9' })).toMatchObject({ kind: 'run', options: { retryAfterSeconds: 7 } });
    expect(parseCli([], { STRANDS_RETRY_AFTER_SECONDS: '0' })).toMatchObject({ kind: 'run', options: { retryAfterSeconds: 0 } });
  });

  it('answers 503 with the Retry-After given by STRANDS_RETRY_AFTER_SECONDS while no backend is connected', async () => {
    const r = run(['--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1', '--log-level', 'silent'], { STRANDS_RETRY_AFTER_SECONDS: '9' });
    const match = await waitFor(() => /clients ws:\/\/127\.0\.0\.1:(\d+)/.exec(r.stdout()), 'listening line');
    const response = await new Promise<{ status: number | undefined; retryAfter: string | string[] | undefined }>((resolve, reject) => {
      const headers = { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };
      get({ host: '127.0.0.1', port: Number(match[1]), path: '/ws/room', headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode, retryAfter: res.headers['retry-after'] });
      }).on('error', reject);
    });
    expect(response).toEqual({ status: 503, retryAfter: '9' });
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });

  it('exits 1 with a message when a port is taken', async () => {
    const first = run(['--ws-port', '0', '--tcp-port', '0', '--log-level', 'silent']);
    await waitFor(() => /tcp:\/\/127\.0\.0\.1:(\d+)/.exec(first.stdout()), 'first broker listening');
    const tcpPort = (/tcp:\/\/127\.0\.0\.1:(\d+)/.exec(first.stdout()) as RegExpExecArray)[1] as string;
    const second = run(['--ws-port', '0', '--tcp-port', tcpPort, '--log-level', 'silent']);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toMatch(/EADDRINUSE/);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
  });

  it('prints where it listens, and on SIGTERM closes clients with 1001, tells backends, and exits 0', async () => {
    const r = run(['--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1'], { PYSTRAND_QUEUE_SIZE: '10' });
    const match = await waitFor(() => /clients (ws:\/\/127\.0\.0\.1:\d+).*backends tcp:\/\/127\.0\.0\.1:(\d+)/.exec(r.stdout()), 'listening line');
    const backend = await RawBackend.connect(Number(match[2]));
    // A backend that says nothing gets clients once its probation ends (backendProbationMs).
    const health = `${(match[1] ?? '').replace('ws:', 'http:')}/healthz`;
    await waitFor(async () => ((await (await fetch(health)).json()) as { backends: number }).backends === 1 || undefined, 'backend ready');
    const ws = new WebSocket(`${match[1]}/ws/room?id=c1`);
    const client = new TestClient(ws);
    await new Promise((resolve) => ws.once('open', resolve));
    await backend.waitFrame((f) => f.action === 'new_connection', 'new_connection');
    r.child.kill('SIGTERM');
    expect(await client.waitClose()).toBe(1001);
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected before exit');
    expect(gone.params.code).toBe(1001);
    await waitFor(() => backend.closed, 'backend connection closed by the broker');
    expect(await r.exit).toBe(0);
    // Logs are JSON lines on stderr; never one per message at info.
    const logs = r.stderr().trim().split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(logs.map((l) => l.msg)).toContain('broker stopped');
  });
});

/** A config file's text, as `parseCli` would read it from `strands.json`. */
const fromFile = (config: unknown) => (path: string) => {
  if (path !== 'strands.json') throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return typeof config === 'string' ? config : JSON.stringify(config);
};

const errorOf = (command: CliCommand): string => (command.kind === 'error' ? command.message : `not an error: ${JSON.stringify(command)}`);

describe('strands-broker config file and environment', () => {
  it('carries every option a flag does, by its createBroker name', () => {
    const chosen: Record<string, unknown> = {
      wsPort: 1001, tcpPort: 1002, host: '127.0.0.2', tcpHost: '127.0.0.3', metricsPort: 1003, metricsHost: '127.0.0.4',
      queueOverflow: 'drop-oldest', backendToken: 'secret', logLevel: 'warn', 'cluster.url': 'redis://127.0.0.1:6379/0', 'cluster.prefix': 'p',
      'queue.url': 'redis://127.0.0.1:6379/1', 'queue.consumer': 'b1',
      allowedOrigins: ['https://app.example.com'],
      historyRooms: ['chat:*'], resumeSecret: 'a-resume-secret-of-32-characters',
    };
    // backendTokenFile cannot go with backendToken: it has a test of its own (hardening.test.ts).
    // The TLS files are read at start, so 'x' cannot stand for them: tls.test.ts and tls-reload.test.ts cover them.
    const alone = new Set(['backendTokenFile', 'tlsCert', 'tlsKey', 'backendTlsCert', 'backendTlsKey', 'backendTlsCa']);
    // Every flag's option, from the list of flags: a value chosen above, else its default plus one (a flag added later is covered).
    const defaults = resolveOptions() as unknown as Record<string, unknown>;
    const config: Record<string, Record<string, unknown> | unknown> = { cluster: {}, queue: {} };
    const expected: Record<string, unknown> = {};
    for (const { option, kind } of Object.values(FLAGS)) {
      if (alone.has(option)) continue;
      const value = chosen[option] ?? (kind === 'integer' ? Number(defaults[option] ?? 0) + 1 : 'x');
      const [top, inner] = option.split('.') as [string, string | undefined];
      if (inner === undefined) config[top] = expected[top] = value;
      else (config[top] as Record<string, unknown>)[inner] = value;
    }
    const nested = Object.values(FLAGS).filter((f) => f.option.includes('.')).length;
    expect(Object.keys(config).length).toBe(Object.keys(FLAGS).length - nested + 2 - alone.size); // the cluster and queue flags fill one object each
    expect(parseCli(['--config', 'strands.json'], {}, fromFile(config))).toEqual({
      kind: 'run',
      options: expect.objectContaining({
        ...expected,
        cluster: { url: 'redis://127.0.0.1:6379/0', prefix: 'p' },
        queue: { prefix: 'p', ...(config.queue as Record<string, unknown>) },
      }),
      warnings: [],
    });
  });

  it('takes a flag over STRANDS_* over PYSTRAND_* over the config file over the default', () => {
    const read = fromFile({ wsPort: 1, tcpPort: 11, queueSize: 21 });
    const env = { STRANDS_CONFIG: 'strands.json', STRANDS_WS_PORT: '2', PYSTRAND_TCP_PORT: '12' };
    expect(parseCli(['--ws-port', '3'], env, read)).toMatchObject({ options: { wsPort: 3, tcpPort: 12, queueSize: 21, heartbeatIntervalMs: 15_000 } });
    expect(parseCli([], env, read)).toMatchObject({ options: { wsPort: 2 } });
    expect(parseCli(['--config', 'strands.json'], {}, read)).toMatchObject({ options: { wsPort: 1, tcpPort: 11 } });
    // --config over STRANDS_CONFIG.
    expect(errorOf(parseCli(['--config', 'other.json'], env, read))).toMatch(/^other\.json: cannot read the config file \(ENOENT\)/);
  });

  it.each([
    ['{"wsPort": 80,', /^strands\.json: not valid JSON/],
    ['[1]', /^strands\.json: expected a JSON object of options/],
    [{ wsPrt: 80 }, /^strands\.json: unknown option "wsPrt" \(did you mean "wsPort"\?\)$/],
    [{ wsPort: '8080' }, /^strands\.json: wsPort: invalid value "8080" \(expected a non-negative integer\)$/],
    [{ queueOverflow: 'sometimes' }, /^strands\.json: queueOverflow: invalid value "sometimes"/],
    [{ tcpPort: 70_000 }, /^strands\.json: tcpPort: invalid option tcpPort: 70000/],
    [{ cluster: { url: 'http://x' } }, /^strands\.json: cluster\.url: invalid option cluster\.url/],
    [{ cluster: { uri: 'redis://x' } }, /^strands\.json: unknown option "cluster\.uri"/],
    [{ metricsHost: '127.0.0.1' }, /^strands\.json: metricsHost: invalid option metricsHost: it needs metricsPort/],
  ])('names the file and the key of a bad config %j', (config, message) => {
    expect(errorOf(parseCli(['--config', 'strands.json'], {}, fromFile(config)))).toMatch(message);
  });

  it('reads --metrics-port and --metrics-host', () => {
    expect(parseCli(['--metrics-port', '9100', '--metrics-host', '127.0.0.1'], {})).toMatchObject({ options: { metricsPort: 9100, metricsHost: '127.0.0.1' } });
    expect(parseCli([], { STRANDS_METRICS_PORT: '9100' })).toMatchObject({ options: { metricsPort: 9100, metricsHost: '0.0.0.0' } });
  });

  it('warns once about unknown STRANDS_* variables, naming each with the closest known name', () => {
    const parsed = parseCli([], { STRANDS_WS_PROT: '1', STRANDS_QUEUESIZE: '5', STRANDS_TCP_PORT: '1', PATH: '/bin' });
    expect(parsed).toMatchObject({
      kind: 'run',
      warnings: ['unknown environment variables ignored: STRANDS_QUEUESIZE (did you mean STRANDS_QUEUE_SIZE?), STRANDS_WS_PROT (did you mean STRANDS_WS_PORT?)'],
    });
    expect(parseCli([], { STRANDS_CONFIG: '', STRANDS_WS_PORT: '1' })).toMatchObject({ warnings: [] });
  });

  it('as a process: exits 2 naming the file on a bad one; runs from a good one and logs the unknown-variable warning as one JSON line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strands-config-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ wsPort: 0, queueSise: 3 }));
    const refused = run(['--config', bad]);
    expect(await refused.exit).toBe(2);
    expect(refused.stderr()).toContain(`${bad}: unknown option "queueSise" (did you mean "queueSize"?)`);

    const good = join(dir, 'strands.json');
    writeFileSync(good, JSON.stringify({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', metricsPort: 0, metricsHost: '127.0.0.1', logLevel: 'warn' }));
    const r = run([], { STRANDS_CONFIG: good, STRANDS_LOG_LEVL: 'debug' });
    const match = await waitFor(() => /metrics (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(r.stdout()), 'listening line with the metrics port');
    expect((await fetch(`${match[1]}/readyz`)).status).toBe(503);
    const warning = await waitFor(
      () => r.stderr().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string }).find((l) => l.msg.includes('STRANDS_LOG_LEVL')),
      'the warning line',
    );
    expect(warning.level).toBe(40);
    expect(warning.msg).toContain('STRANDS_LOG_LEVL (did you mean STRANDS_LOG_LEVEL?)');
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
  });
});
