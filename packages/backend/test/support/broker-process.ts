// The real broker as a child process (its CLI through tsx), so that tests can SIGKILL it.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { guard } from './fake-broker.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const cli = fileURLToPath(new URL('../../../broker/src/cli.ts', import.meta.url));

export interface BrokerProcess {
  child: ChildProcess;
  wsUrl: string;
  tcpPort: number;
  /** Everything the broker wrote on stderr so far (its JSON log lines). */
  stderr(): string;
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>;
}

/** Starts `strands-broker` on a free WebSocket port and `tcpPort` (0: free); resolves once it listens. */
export async function spawnBroker(tcpPort = 0): Promise<BrokerProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cli, '--ws-port', '0', '--tcp-port', String(tcpPort), '--host', '127.0.0.1', '--log-level', 'info'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const listening = await guard(
    new Promise<{ wsUrl: string; tcpPort: number }>((resolve, reject) => {
      let text = '';
      // The CLI prints "listening: clients ws://host:port (...), backends tcp://host:port" on stdout.
      let found = false;
      const scan = (chunk: string): void => {
        if (found) return;
        text += chunk;
        const match = /clients (ws:\/\/\S+) .*backends tcp:\/\/\S+:(\d+)/.exec(text);
        found = match !== null;
        if (match) resolve({ wsUrl: match[1]!, tcpPort: Number(match[2]) });
      };
      child.stdout!.setEncoding('utf8').on('data', scan);
      child.stderr!.setEncoding('utf8').on('data', scan);
      child.once('exit', (code) => reject(new Error(`broker exited with ${code} before listening: ${text}`)));
    }),
    'the broker process to listen',
    30_000,
  );
  return {
    child,
    ...listening,
    stderr: () => stderr,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
