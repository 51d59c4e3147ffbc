// Cluster code must not cost a single-node broker anything: ioredis is loaded on the first link, not on import.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../../src/cluster/redis/index.ts', import.meta.url));

// A fresh Node (vitest's module graph would hide what a real process loads), with tsx for the TS sources.
const probe = `
  import { createRequire } from 'node:module';
  const require = createRequire(import.meta.url);
  const loaded = () => Object.keys(require.cache).some((path) => path.includes('/ioredis/'));
  const redis = await import(process.argv[1]);
  const onImport = loaded();
  await redis.createIoredisLink({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 50 }).catch(() => undefined);
  console.log(JSON.stringify({ onImport, onFirstLink: loaded() }));
`;

it('imports the Redis transport without loading ioredis until a link is created', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe, entry], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  expect(JSON.parse(stdout.trim())).toEqual({ onImport: false, onFirstLink: true });
});

const brokerEntry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));

// A broker without cluster options starts, serves and stops without the Redis client library.
const brokerProbe = `
  import { createRequire } from 'node:module';
  const require = createRequire(import.meta.url);
  const { createBroker } = await import(process.argv[1]);
  const broker = createBroker({ wsPort: 0, tcpPort: 0, host: '127.0.0.1', logLevel: 'silent' });
  await broker.start();
  await broker.stop();
  console.log(JSON.stringify({ ioredis: Object.keys(require.cache).some((path) => path.includes('/ioredis/')) }));
`;

it('a broker without cluster options never loads ioredis', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', brokerProbe, brokerEntry], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
  });
  expect(JSON.parse(stdout.trim())).toEqual({ ioredis: false });
});
