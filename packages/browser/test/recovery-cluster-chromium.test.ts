// Room history recovery across brokers in real Chromium: @strands/browser's recovery() with a list of
// two broker URLs; two strands-broker processes in cluster mode on a real redis-server; the page's
// broker killed with SIGKILL while the backend (on the other broker) publishes.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBackend, type StrandsBackend } from '@strands/backend';
import { startRedis, type TestRedis } from '@strands/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as StrandsModule from '../src/index.js';
import type * as RecoveryModule from '../src/recovery.js';
import { startBrowser, type BrowserHarness } from './support/browser.js';

declare global {
  interface Window {
    Strands: typeof StrandsModule;
    StrandsRecovery: typeof RecoveryModule;
    recovering: StrandsModule.StrandsClient;
    seen: { type: string; payload: unknown }[];
  }
}

const brokerDir = fileURLToPath(new URL('../../broker', import.meta.url));
const ROOM = '/ws/hist';

interface BrokerProcess {
  child: ChildProcess;
  wsUrl: string;
  tcpPort: number;
}

let harness: BrowserHarness;
let redis: TestRedis;
let a: BrokerProcess;
let b: BrokerProcess;
let backend: StrandsBackend;
let page: Page;
const children: ChildProcess[] = [];

async function startBrokerProcess(prefix: string): Promise<BrokerProcess> {
  const args = ['--import', 'tsx', 'src/cli.ts', '--cluster', redis.url, '--cluster-prefix', prefix, '--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1', '--log-level', 'warn'];
  args.push('--history-rooms', '/ws/hist*', '--resume-secret', 'chromium-cluster-test-secret');
  const child = spawn(process.execPath, args, { cwd: brokerDir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /clients (ws:\/\/127\.0\.0\.1:\d+) .*backends tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
    if (match !== null) return { child, wsUrl: match[1]!, tcpPort: Number(match[2]) };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`broker did not start: ${err}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  [harness, redis] = await Promise.all([startBrowser(), startRedis()]);
  const prefix = `chromium${process.pid}`;
  [a, b] = await Promise.all([startBrokerProcess(prefix), startBrokerProcess(prefix)]);
  // In cluster mode a backend connects to one broker: B decides A's connection requests too.
  backend = createBackend({ brokers: `127.0.0.1:${b.tcpPort}`, logLevel: 'silent' });
  backend.onConnectionRequest((request) => ({ accept: true, roomId: request.path }));
  await backend.start();
  page = await harness.newPage();
}, 60_000);

afterAll(async () => {
  await page?.close();
  await harness?.close();
  await backend?.close({ timeoutMs: 1000 });
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await redis?.stop();
});

function seen(type: string): Promise<unknown[]> {
  return page.evaluate((type) => window.seen.filter((e) => e.type === type).map((e) => e.payload), type);
}

async function waitMessage(text: string): Promise<void> {
  await page.waitForFunction((text) => window.seen.some((e) => e.type === 'message' && e.payload === text), text, { timeout: 20_000 });
}

describe('@strands/browser recovery in Chromium (two brokers, Redis history)', () => {
  it('a page whose broker is killed reconnects to the next URL and gets the 10 missed messages once, in order, then live ones', { timeout: 60_000 }, async () => {
    await page.evaluate((urls) => {
      window.seen = [];
      window.recovering = window.Strands.connect(urls, { session: window.StrandsRecovery.recovery(), initialBackoffMs: 50, maxBackoffMs: 200 });
      for (const type of ['message', 'session', 'recovered', 'recovery_failed'] as const) {
        window.recovering.on(type, (payload: unknown) => window.seen.push({ type, payload }));
      }
    }, [`${a.wsUrl}${ROOM}`, `${b.wsUrl}${ROOM}`]);
    await page.waitForFunction(() => window.seen.some((e) => e.type === 'session'), undefined, { timeout: 20_000 });
    // A room message reaches broker A once it listens to the room: resend until one arrives (the page's position follows that).
    let n = 0;
    const deadline = Date.now() + 15_000;
    while (!(await page.evaluate(() => window.seen.some((e) => e.type === 'message')))) {
      if (Date.now() > deadline) throw new Error('no message reached the page on broker A');
      await backend.sendToRoom(ROOM, `warm${++n}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await backend.sendToRoom(ROOM, 'm1');
    await waitMessage('m1');
    const before = (await seen('message')) as string[];

    a.child.kill('SIGKILL');
    const missed = Array.from({ length: 10 }, (_, i) => `gap${i + 1}`);
    for (const m of missed) await backend.sendToRoom(ROOM, m);
    await page.waitForFunction(() => window.seen.some((e) => e.type === 'recovered' || e.type === 'recovery_failed'), undefined, { timeout: 30_000 });
    await backend.sendToRoom(ROOM, 'live');
    await waitMessage('live');

    const messages = (await seen('message')) as string[];
    expect(messages.slice(before.length)).toEqual([...missed, 'live']);
    expect(messages.slice(0, before.length)).toEqual(before);
    expect(await seen('recovery_failed')).toEqual([]);
    expect(await seen('recovered')).toHaveLength(1);
    const sessions = (await seen('session')) as { clientId: string; resumed: boolean }[];
    expect(sessions.map((s) => s.resumed)).toEqual([false, true]);
    expect(sessions[1]!.clientId).toBe(sessions[0]!.clientId);
  });
});
