// At the file descriptor limit Node drops new connections without a word: the broker says so, and keeps serving.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { waitFor } from './support/harness.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

it('logs an error near the file descriptor limit and stays up', async () => {
  const child = spawn('bash', ['-c', 'ulimit -n 120; exec node --import tsx src/cli.ts --ws-port 0 --tcp-port 0 --host 127.0.0.1'], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seen = { out: '', err: '', code: null as number | null };
  child.stdout.on('data', (d: Buffer) => (seen.out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (seen.err += d.toString()));
  child.on('exit', (code) => (seen.code = code));
  const sockets: Socket[] = [];
  try {
    const port = Number(await waitFor(() => /clients ws:\/\/127\.0\.0\.1:(\d+)/.exec(seen.out)?.[1], 'the broker listening'));
    for (let i = 0; i < 200; i += 1) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    const line = await waitFor(() => seen.err.split('\n').find((l) => l.includes('file descriptor limit')), 'the fd-limit log line');
    expect(JSON.parse(line)).toMatchObject({ level: 50, limit: 120 });
    expect(seen.code).toBeNull();
  } finally {
    for (const socket of sockets) socket.destroy();
    child.kill('SIGTERM');
    await new Promise<void>((resolve) => (seen.code !== null ? resolve() : child.once('exit', () => resolve())));
  }
  expect(seen.code).toBe(0);
});
