// The strands-broker bin started the ways users start it (npx, package.json scripts): SIGTERM to the launcher stops the broker and frees its ports.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RawBackend, TestClient, waitFor } from './support/harness.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let project = '';
const groups: number[] = [];

/**
 * A plain project outside the workspace with @strands/broker installed the way npm installs it:
 * the package's own bin (copied, so this tests the committed shim) linked from node_modules/.bin.
 * Its dist/cli.js stands in for the build and runs src/cli.ts through tsx, so no build is needed.
 */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'strands-launchers-'));
  const pkg = join(dir, 'node_modules/@strands/broker');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  mkdirSync(join(pkg, 'dist'));
  mkdirSync(join(dir, 'node_modules/.bin'));
  copyFileSync(join(packageDir, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(join(packageDir, 'bin/strands-broker.js'), join(pkg, 'bin/strands-broker.js'));
  const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs');
  writeFileSync(
    join(pkg, 'dist/cli.js'),
    `import { register } from ${JSON.stringify(pathToFileURL(tsx).href)};\nregister();\n` +
      `await import(${JSON.stringify(pathToFileURL(join(packageDir, 'src/cli.ts')).href)});\n`,
  );
  symlinkSync('../@strands/broker/bin/strands-broker.js', join(dir, 'node_modules/.bin/strands-broker'));
  const scripts = { broker: 'strands-broker' };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'launchers', private: true, scripts }));
  return dir;
}

/** Resolves once nothing listens on `port` of `host`: a server can bind it again. */
function bindable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

beforeAll(() => {
  project = makeProject();
});

afterEach(() => {
  // A broker that outlived its launcher is still in the launcher's process group.
  for (const group of groups.splice(0)) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

interface Launch {
  /** Sends the case's signal. */
  signal: () => void;
  /** Resolves once every process that holds the launcher's stdout and stderr (the broker too) has exited. */
  closed: Promise<void>;
  wsPort: number;
  tcpPort: number;
  stderr: () => string;
}

/** To the launcher only (`kill <pid>`), or to its whole group as a terminal's Ctrl-C or a supervisor's stop does. */
type Signal = 'SIGTERM' | 'SIGINT-group' | 'SIGTERM-group';

async function launch(command: string, args: string[], signal: Signal): Promise<Launch> {
  const child = spawn(command, [...args, '--ws-port', '0', '--tcp-port', '0', '--log-level', 'warn'], {
    cwd: project,
    // npm must neither look for updates nor install anything; a launcher leading its own group lets cleanup find a leftover broker.
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_yes: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  groups.push(child.pid!);
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.on('exit', () => reject(new Error(`launcher exited before listening: ${out}${err}`)));
  });
  const wsPort = Number(/ws:\/\/\S+:(\d+)/.exec(line)?.[1]);
  const tcpPort = Number(/tcp:\/\/\S+:(\d+)/.exec(line)?.[1]);
  const send =
    signal === 'SIGTERM' ? () => child.kill('SIGTERM') : () => process.kill(-child.pid!, signal === 'SIGINT-group' ? 'SIGINT' : 'SIGTERM');
  return { signal: send, closed, wsPort, tcpPort, stderr: () => err };
}

describe('strands-broker under a launcher', () => {
  it.each([
    ['npx', ['strands-broker'], 'SIGTERM'],
    ['npm', ['run', '--silent', 'broker', '--'], 'SIGTERM'],
    ['pnpm', ['run', '--silent', 'broker'], 'SIGTERM'],
    ['pnpm', ['exec', 'strands-broker'], 'SIGTERM'],
    ['npm', ['run', '--silent', 'broker', '--'], 'SIGINT-group'],
    ['npx', ['strands-broker'], 'SIGTERM-group'],
  ] as const)('%s %j, %s: the broker shuts down cleanly and frees both ports', async (command, args, signal) => {
    const run = await launch(command, [...args], signal);
    expect(await bindable('127.0.0.1', run.tcpPort)).toBe(false);
    const backend = await RawBackend.connect(run.tcpPort);
    // A backend that says nothing gets clients once its probation ends (backendProbationMs).
    await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${run.wsPort}/healthz`)).json()) as { backends: number }).backends === 1 || undefined, 'backend ready');
    const client = new TestClient(new WebSocket(`ws://127.0.0.1:${run.wsPort}/room1`));
    await new Promise((resolve) => client.ws.once('open', resolve));
    await backend.waitFrame((f) => f.action === 'new_connection', 'new_connection');

    run.signal();
    await Promise.race([
      run.closed,
      // A bound on a wait, not a timing check: without it a broker left running shows up only as a test timeout.
      new Promise((_, reject) => setTimeout(() => reject(new Error('the broker outlived its launcher')), 10_000)),
    ]);
    // A clean shutdown (not a second signal's immediate exit) closes clients with 1001 and tells the backend.
    expect(await client.waitClose()).toBe(1001);
    const gone = await backend.waitFrame((f) => f.action === 'disconnected', 'disconnected');
    expect(gone.params.code).toBe(1001);
    expect(await bindable('0.0.0.0', run.wsPort)).toBe(true);
    expect(await bindable('127.0.0.1', run.tcpPort)).toBe(true);
    expect(run.stderr()).not.toMatch(/second signal/);
  });
});
