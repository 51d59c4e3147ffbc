// strands-broker child processes for the durable-queue tests: started with flags, killed with SIGKILL, restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestClient, waitFor } from '../support/harness.js';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));

export interface BrokerProcess {
  child: ChildProcess;
  wsUrl: string;
  tcpPort: number;
  logs(): string;
}

const children = new Set<ChildProcess>();

/** Starts `strands-broker <args>` on free ports and waits for its listening line. */
export async function startBrokerProcess(args: readonly string[]): Promise<BrokerProcess> {
  const all = ['--import', 'tsx', 'src/cli.ts', '--ws-port', '0', '--tcp-port', '0', '--host', '127.0.0.1', '--log-level', 'warn', ...args];
  const child = spawn(process.execPath, all, { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const match = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`broker exited (${child.exitCode}): ${err}`);
    return /clients (ws:\/\/127\.0\.0\.1:\d+) .*backends tcp:\/\/127\.0\.0\.1:(\d+)/.exec(out);
  }, 'broker listening');
  return { child, wsUrl: match[1]!, tcpPort: Number(match[2]), logs: () => err };
}

/** SIGKILL, as a crash: nothing is flushed, nothing closed. */
export async function kill9(broker: BrokerProcess): Promise<void> {
  if (broker.child.exitCode !== null || broker.child.signalCode !== null) return;
  const exited = new Promise((resolve) => broker.child.once('exit', resolve));
  broker.child.kill('SIGKILL');
  await exited;
}

export async function killAll(): Promise<void> {
  await Promise.all([...children].map((child) => kill9({ child, wsUrl: '', tcpPort: 0, logs: () => '' })));
}

export { openClient } from '../support/open-client.js';
