// `pnpm start` as a newcomer runs it: one process that brings up broker, backend and page,
// prints the URL, serves two WebSocket clients in one room, and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PageConfig } from '../src/page-server.js';
import { connectClient, roomUrl } from './support/ws-client.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
let launcher: ChildProcess | undefined;

afterEach(async () => {
  if (launcher !== undefined && launcher.exitCode === null && launcher.signalCode === null) {
    launcher.kill('SIGKILL');
    await once(launcher, 'exit');
  }
});

/** True once nothing listens on `port` any more. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

// Three processes start under tsx: a guard well above the usual few seconds.
describe('pnpm start', { timeout: 90_000 }, () => {
  it('brings up the chat, prints the URL, serves two clients in a room, and exits 0 on SIGTERM', async () => {
    launcher = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts', '--ws-port', '0', '--tcp-port', '0', '--port', '0'], {
      cwd: exampleDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    launcher.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const pageUrl = await new Promise<string>((resolve, reject) => {
      launcher!.stdout!.on('data', () => {
        const match = /open (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      launcher!.once('exit', (code) => reject(new Error(`the launcher exited (${code}):\n${output}`)));
    });
    expect(output).toContain('Ctrl-C stops everything');

    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Strands chat</title>');
    const { wsUrl } = (await (await fetch(new URL('/config.json', pageUrl))).json()) as PageConfig;
    const alice = await connectClient(roomUrl(wsUrl, 'room1', { name: 'alice' }));
    const bob = await connectClient(roomUrl(wsUrl, 'room1', { name: 'bob' }));
    alice.send({ type: 'chat', text: 'hello from alice' });
    bob.send({ type: 'chat', text: 'hello from bob' });
    await bob.waitFor((m) => m.type === 'chat' && m.text === 'hello from alice');
    await alice.waitFor((m) => m.type === 'chat' && m.text === 'hello from bob');

    const aliceClosed = once(alice.ws, 'close');
    launcher.kill('SIGTERM');
    const [code] = (await once(launcher, 'exit')) as [number | null];
    expect(code).toBe(0);
    await aliceClosed;
    // Nothing is left behind: the page and the broker no longer listen.
    expect(await refused(Number(new URL(pageUrl).port))).toBe(true);
    expect(await refused(Number(new URL(wsUrl).port))).toBe(true);
  });

  it('refuses a bad flag with the usage and exit code 2', async () => {
    launcher = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts', '--port', 'eighty'], { cwd: exampleDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let errors = '';
    launcher.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const [code] = (await once(launcher, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(errors).toContain('--port: expected a non-negative integer (got "eighty")');
    expect(errors).toContain('--ws-port n');
  });
});
