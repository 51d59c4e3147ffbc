// `pnpm start --cluster` as a newcomer runs it: one process that brings up a redis-server, two
// brokers in cluster mode, the chat backend on both and the page; two clients on two different
// brokers chat; SIGTERM (or a terminal's Ctrl-C) stops everything, Redis included, exit code 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { PageConfig } from '../src/page-server.js';
import { connectClient, roomUrl } from './support/ws-client.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
let launcher: ChildProcess | undefined;
/** Processes the launcher said it started (redis-server), killed after each test if still there. */
const pids: number[] = [];

afterEach(async () => {
  if (launcher !== undefined && launcher.exitCode === null && launcher.signalCode === null) {
    const exited = once(launcher, 'exit');
    killGroup(launcher.pid!, 'SIGKILL');
    await exited;
  }
  for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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

interface Running {
  pageUrl: string;
  redisPort: number;
  redisPid: number;
  /** Every port a broker listens on (WebSocket and backend TCP). */
  brokerPorts: number[];
  output: () => string;
}

/** Starts the launcher in cluster mode (in a process group of its own, as a terminal runs it) and waits for its banner. */
async function startCluster(env: NodeJS.ProcessEnv = {}): Promise<Running> {
  launcher = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts', '--cluster', '--ws-port', '0', '--tcp-port', '0', '--port', '0'], {
    cwd: exampleDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  launcher.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  launcher.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    launcher!.stdout!.on('data', () => {
      if (output.includes('Ctrl-C stops everything')) resolve();
    });
    launcher!.once('exit', (code) => reject(new Error(`the launcher exited (${code}):\n${output}`)));
  });
  const redis = /redis:\/\/127\.0\.0\.1:(\d+)\/0 \(redis-server pid (\d+)\)/.exec(output)!;
  pids.push(Number(redis[2]));
  const brokerPorts = [...output.matchAll(/chat broker: clients ws:\/\/127\.0\.0\.1:(\d+), backends tcp:\/\/127\.0\.0\.1:(\d+)/g)].flatMap((m) => [Number(m[1]), Number(m[2])]);
  return { pageUrl: /open (http:\/\/\S+)/.exec(output)![1]!, redisPort: Number(redis[1]), redisPid: Number(redis[2]), brokerPorts, output: () => output };
}

/** Two clients, one per broker, in one room: each sees the other's chat line. */
async function chatAcrossBrokers(pageUrl: string): Promise<void> {
  const config = (await (await fetch(new URL('/config.json', pageUrl))).json()) as PageConfig;
  expect(config.brokers).toHaveLength(2);
  expect(config.brokers[0]).not.toBe(config.brokers[1]);
  const alice = await connectClient(roomUrl(config.brokers[0]!, 'room1', { name: 'alice' }));
  const bob = await connectClient(roomUrl(config.brokers[1]!, 'room1', { name: 'bob' }));
  alice.send({ type: 'chat', text: 'hello from broker 1' });
  bob.send({ type: 'chat', text: 'hello from broker 2' });
  await bob.waitFor((m) => m.type === 'chat' && m.text === 'hello from broker 1');
  await alice.waitFor((m) => m.type === 'chat' && m.text === 'hello from broker 2');
  // The backend's presence is one for both brokers: `room.who`-style join notices cross too.
  await alice.waitFor((m) => m.type === 'join' && m.user.name === 'bob');
}

/** Waits for the exit code, then checks nothing is left: no listening port, no redis-server. */
async function expectAllGone(running: Running): Promise<number | null> {
  const [code] = (await once(launcher!, 'exit')) as [number | null];
  for (const port of [Number(new URL(running.pageUrl).port), ...running.brokerPorts, running.redisPort]) {
    expect(await refused(port), `port ${port} closed`).toBe(true);
  }
  expect(alive(running.redisPid), 'redis-server gone').toBe(false);
  return code;
}

// Six processes start under tsx: a guard well above the usual ten seconds.
describe('pnpm start --cluster', { timeout: 90_000 }, () => {
  it('brings up Redis, two brokers, the backend and the page; clients on two brokers chat; SIGTERM exits 0 leaving nothing', async () => {
    const running = await startCluster();
    expect(running.brokerPorts).toHaveLength(4);
    expect(running.output()).toContain('?broker=2');
    await chatAcrossBrokers(running.pageUrl);
    launcher!.kill('SIGTERM');
    expect(await expectAllGone(running)).toBe(0);
  });

  it("stops everything, Redis last, on a terminal's Ctrl-C (SIGINT to the whole process group)", async () => {
    const running = await startCluster();
    killGroup(launcher!.pid!, 'SIGINT');
    expect(await expectAllGone(running)).toBe(0);
    expect(running.output()).not.toMatch(/exited \(|stopping everything/);
  });

  it('says how to install redis-server when it is missing, and exits 1', async () => {
    launcher = spawn(process.execPath, ['--import', 'tsx', 'src/start.ts', '--cluster', '--ws-port', '0', '--tcp-port', '0', '--port', '0'], {
      cwd: exampleDir,
      env: { ...process.env, REDIS_SERVER_PATH: '/nonexistent/redis-server' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let errors = '';
    launcher.stderr!.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const [code] = (await once(launcher, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(errors).toContain('apt-get install -y redis-server');
  });
});
