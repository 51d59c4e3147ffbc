// The Redis process of `pnpm start --cluster`: starts a throwaway redis-server, reports its URL to the
// launcher, and stops it on SIGTERM or when the launcher goes away (so even a killed launcher leaves
// no redis-server behind).
import { runUntilSignal } from '@strands/example-shared';
import { reportReady } from './cli.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

let redis: RedisServer;
try {
  redis = await startRedisServer();
} catch (error) {
  console.error(`chat redis: ${(error as Error).message}`);
  process.exit(1);
}
console.log(`chat redis: ${redis.url} (redis-server pid ${redis.pid}, no persistence)`);
reportReady('redis', { url: redis.url, port: redis.port, pid: redis.pid });
let stopping = false;
let gone = false;
// A redis-server that dies on its own takes this process with it: the launcher then stops the rest.
void redis.exited.then((how) => {
  gone = true;
  if (stopping) return;
  console.error(`chat redis: redis-server exited (${how})`);
  process.exit(1);
});
// An exit for any other reason (an uncaught error) must not leave the server running either.
process.once('exit', () => {
  if (!gone) redis.stopNow();
});
runUntilSignal(() => {
  stopping = true;
  return redis.stop();
});
