// The echo example end to end: a real broker on port 0, the echo backend (in process and as its
// own CLI process with --broker), and raw `ws` clients.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createBroker, type Broker, type BrokerAddresses } from '@strands/broker';
import type { StrandsBackend } from '@strands/backend';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEchoBackend } from '../src/echo.js';
import { parseCommandLine } from '../src/options.js';

/** A raw client that records every text message it receives. */
async function client(url: string): Promise<{ ws: WebSocket; received: string[]; next(count: number): Promise<string[]> }> {
  const ws = new WebSocket(url);
  const received: string[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    received.push(data.toString());
    for (const wake of waiters.splice(0)) wake();
  });
  await once(ws, 'open');
  return {
    ws,
    received,
    async next(count) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return received.slice(0, count);
    },
  };
}

describe('the command line', () => {
  it('defaults --broker to 127.0.0.1:8081 and refuses a malformed one', () => {
    expect(parseCommandLine([]).broker).toBe('127.0.0.1:8081');
    expect(parseCommandLine(['--broker', 'example.com:9000']).broker).toBe('example.com:9000');
    expect(() => parseCommandLine(['--broker', 'nope'])).toThrow(/--broker: expected host:port/);
    expect(() => parseCommandLine(['--bogus'])).toThrow(/bogus/);
  });
});

describe('the echo backend', () => {
  let broker: Broker;
  let addresses: BrokerAddresses;
  let echo: StrandsBackend | undefined;
  let child: ChildProcess | undefined;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent' });
    addresses = await broker.start();
  });
  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    await echo?.close({ timeoutMs: 1000 });
    echo = undefined;
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    child = undefined;
    await broker.stop();
  });

  async function open(path: string) {
    const c = await client(`${addresses.wsUrl}${path}`);
    sockets.push(c.ws);
    return c;
  }

  it('sends each message back to the whole room as "<client id>: <message>"; /room1 and /ws/room1 are one room', async () => {
    echo = createEchoBackend({ broker: `127.0.0.1:${addresses.tcpPort}`, logLevel: 'silent' });
    await echo.start();
    const alice = await open('/room1');
    const bob = await open('/ws/room1');
    const lobby = await open('/');

    alice.ws.send('hello room');
    const [toAlice] = await alice.next(1);
    const [toBob] = await bob.next(1);
    expect(toAlice).toMatch(/^[0-9a-f-]{36}: hello room$/);
    expect(toBob).toBe(toAlice);

    lobby.ws.send('anyone?');
    const [inLobby] = await lobby.next(1);
    expect(inLobby).toMatch(/^[0-9a-f-]{36}: anyone\?$/);
    // The lobby's echo came back to the lobby only: room1 got exactly one more after bob speaks.
    bob.ws.send('hi alice');
    expect((await alice.next(2))[1]).toMatch(/: hi alice$/);
    expect(alice.received.some((m) => m.endsWith('anyone?'))).toBe(false);
    expect(alice.received[1]!.split(':')[0]).not.toBe(toAlice!.split(':')[0]);
  });

  it('runs as its own process pointed at the broker with --broker', async () => {
    const script = fileURLToPath(new URL('../src/main.ts', import.meta.url));
    child = spawn(process.execPath, ['--import', 'tsx', script, '--broker', `127.0.0.1:${addresses.tcpPort}`], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('connected to broker')) resolve();
      });
      child!.once('exit', (code) => reject(new Error(`echo backend exited (${code}): ${out}`)));
    });
    const alice = await open('/ws/echo');
    alice.ws.send('ping');
    expect((await alice.next(1))[0]).toMatch(/^[0-9a-f-]{36}: ping$/);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
