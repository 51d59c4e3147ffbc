// Acceptance: no client event lost between the broker and its backends. Two backend processes,
// 100 clients sending numbered messages at a fixed rate, one backend killed with SIGKILL mid-run:
// SDK backends (ack) handle every message at least once, first deliveries in each client's order;
// PyStrands-style bare backends (no hello) keep the documented at-most-once.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBroker, type Broker } from '@strands/broker';
import { describe, expect, it } from 'vitest';
import { cleanup } from '../support/backend.js';
import { guard, until } from '../support/fake-broker.js';
import { TestClient } from '../support/real-broker.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const CLIENTS = 100;
const MESSAGES = 20;
const INTERVAL_MS = 40;

interface Echo {
  seq: number;
  by: string;
  id?: string;
  redelivered: boolean;
  deliveryCount?: number;
}

/** Starts a backend script as a child process and waits for its "ready". */
async function spawnBackend(script: string, args: string[]): Promise<ChildProcess & { gone: Promise<void> }> {
  const file = fileURLToPath(new URL(`../support/${script}`, import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanup({
    close: async () => {
      child.kill('SIGKILL');
      await gone;
    },
  });
  await guard(
    new Promise<void>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (text: string) => {
        if (text.includes('ready')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    }),
    `${script} ready`,
  );
  return Object.assign(child, { gone });
}

/** Runs the load, kills the first backend once half the messages are sent, and returns what each client got back. */
async function run(broker: Broker, wsUrl: string, killFirst: () => Promise<void>, settle: (echoes: Echo[][]) => boolean, settleMs: number) {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => TestClient.open(`${wsUrl}/ws/load?id=c${i}`)));
  const echoes = clients.map(() => [] as Echo[]);
  clients.forEach((client, i) => client.ws.on('message', (data) => echoes[i]!.push(JSON.parse(data.toString()) as Echo)));
  let sent = 0;
  const sending = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      sent += 1;
      for (const client of clients) client.send(String(sent));
      if (sent === MESSAGES) {
        clearInterval(timer);
        resolve();
      }
    }, INTERVAL_MS);
  });
  await until(() => sent >= MESSAGES / 2, 'half the messages sent');
  await killFirst();
  await sending;
  // Polled, not asserted here: an at-most-once run may never see every echo.
  for (const deadline = Date.now() + settleMs; !settle(echoes) && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 20));
  // Whatever is still on its way (an at-most-once run never completes): a moment more, then count.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(broker.stats().clients).toBe(CLIENTS);
  return echoes;
}

function tally(echoes: Echo[][]) {
  let duplicates = 0;
  let missing = 0;
  let redelivered = 0;
  let outOfOrder = 0;
  for (const list of echoes) {
    const counts = new Map<number, number>();
    for (const echo of list) counts.set(echo.seq, (counts.get(echo.seq) ?? 0) + 1);
    for (let seq = 1; seq <= MESSAGES; seq += 1) if (!counts.has(seq)) missing += 1;
    for (const n of counts.values()) duplicates += n - 1;
    redelivered += list.filter((e) => e.redelivered).length;
    const firsts = list.filter((e) => !e.redelivered).map((e) => e.seq);
    for (let i = 1; i < firsts.length; i += 1) if (firsts[i]! <= firsts[i - 1]!) outOfOrder += 1;
  }
  return { duplicates, missing, redelivered, outOfOrder };
}

async function startBroker(): Promise<{ broker: Broker; wsUrl: string; tcpPort: number }> {
  const broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent', connectionRequestTimeoutMs: 5000 });
  const addresses = await broker.start();
  cleanup(broker);
  return { broker, wsUrl: addresses.wsUrl, tcpPort: addresses.tcpPort };
}

describe('a backend killed mid-run (SIGKILL), 100 clients x 20 messages', () => {
  it('SDK backends (ack): every message handled at least once, first deliveries in order', { timeout: 30_000 }, async () => {
    const { broker, wsUrl, tcpPort } = await startBroker();
    const a = await spawnBackend('echo-backend-process.ts', [`127.0.0.1:${tcpPort}`, 'A']);
    await spawnBackend('echo-backend-process.ts', [`127.0.0.1:${tcpPort}`, 'B']);
    await until(() => broker.stats().backends === 2, 'two backends');
    const echoes = await run(
      broker,
      wsUrl,
      async () => {
        a.kill('SIGKILL');
        await a.gone;
      },
      (all) => tally(all).missing === 0,
      10_000,
    );
    const result = tally(echoes);
    console.info(`ack backends, one killed: ${JSON.stringify(result)}`);
    expect(result.missing).toBe(0);
    expect(result.outOfOrder).toBe(0);
    expect(echoes.flat().every((e) => typeof e.id === 'string')).toBe(true);
    expect(echoes.flat().filter((e) => e.by === 'A').length).toBeGreaterThan(0);
    for (const e of echoes.flat()) expect(e.redelivered ? (e.deliveryCount ?? 0) >= 2 : e.deliveryCount === 1).toBe(true);
    await until(() => broker.unackedEvents() === 0, 'everything acknowledged');
  });

  it('PyStrands-style backends (no hello): at most once, no event_id, no redelivery', { timeout: 30_000 }, async () => {
    const { broker, wsUrl, tcpPort } = await startBroker();
    const a = await spawnBackend('bare-echo-process.ts', [String(tcpPort), 'A']);
    await spawnBackend('bare-echo-process.ts', [String(tcpPort), 'B']);
    await until(() => broker.stats().backends === 2, 'two backends');
    const echoes = await run(
      broker,
      wsUrl,
      async () => {
        a.kill('SIGKILL');
        await a.gone;
      },
      (all) => tally(all).missing === 0,
      3_000,
    );
    const result = tally(echoes);
    console.info(`bare backends, one killed: ${JSON.stringify(result)}`);
    expect(result.duplicates).toBe(0);
    expect(result.redelivered).toBe(0);
    expect(result.outOfOrder).toBe(0);
    expect(echoes.flat().some((e) => e.id !== undefined)).toBe(false);
    expect(broker.unackedEvents()).toBe(0);
  });
});
