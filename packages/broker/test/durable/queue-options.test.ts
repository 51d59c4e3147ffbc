// The queue option from flags, environment, config file and createBroker: 'memory' or Redis,
// Redis by default in cluster mode, clear errors for what cannot work.
import { describe, expect, it } from 'vitest';
import { parseCli } from '../../src/cli-args.js';
import { createBroker } from '../../src/index.js';
import { resolveOptions } from '../../src/options.js';

const file = (config: unknown) => () => JSON.stringify(config);
const optionsOf = (argv: string[], env: Record<string, string> = {}, read?: () => string) => {
  const command = parseCli(argv, env, read);
  if (command.kind !== 'run') throw new Error(command.kind === 'error' ? command.message : command.kind);
  return command.options;
};
const errorOf = (argv: string[], env: Record<string, string> = {}) => {
  const command = parseCli(argv, env);
  return command.kind === 'error' ? command.message : `not an error: ${command.kind}`;
};

describe('the queue option', () => {
  it("is 'memory' by default, Redis on the cluster's Redis and prefix in cluster mode, and memory again when asked", () => {
    expect(resolveOptions().queue).toBe('memory');
    expect(optionsOf(['--cluster', 'redis://r:6379/0', '--cluster-prefix', 'p']).queue).toEqual({ url: 'redis://r:6379/0', prefix: 'p' });
    expect(optionsOf(['--cluster', 'redis://r:6379/0', '--queue', 'memory']).queue).toBe('memory');
  });

  it('comes from --queue and its companions, STRANDS_QUEUE, or the config file', () => {
    expect(optionsOf(['--queue', 'redis://q:1/2', '--queue-consumer', 'b1', '--queue-lease-ms', '900', '--queue-partitions', '4']).queue).toEqual({
      url: 'redis://q:1/2', prefix: 'strands', consumer: 'b1', leaseMs: 900, partitions: 4,
    });
    expect(optionsOf([], { STRANDS_QUEUE: 'redis://e:1' }).queue).toMatchObject({ url: 'redis://e:1' });
    expect(optionsOf(['--config', 'c.json'], {}, file({ queue: 'redis://f:1' })).queue).toMatchObject({ url: 'redis://f:1' });
    expect(optionsOf(['--config', 'c.json'], {}, file({ queue: { url: 'redis://f:1', leaseMs: 500 } })).queue).toMatchObject({ url: 'redis://f:1', leaseMs: 500 });
    // In cluster mode the companions apply to the cluster's queue.
    expect(optionsOf(['--cluster', 'redis://r:1', '--queue-lease-ms', '700']).queue).toMatchObject({ url: 'redis://r:1', leaseMs: 700 });
  });

  it('refuses what cannot work, naming it', () => {
    expect(errorOf(['--queue-lease-ms', '700'])).toMatch(/need --queue <redis url> \(or --cluster\)/);
    expect(errorOf(['--queue', 'memory', '--queue-consumer', 'x'])).toMatch(/need a Redis queue/);
    expect(errorOf(['--queue', 'http://nope'])).toMatch(/--queue: invalid option queue.url: "http:\/\/nope"/);
    expect(() => createBroker({ queue: { url: 'redis://127.0.0.1:1' }, queueOverflow: 'drop-oldest', logLevel: 'silent' })).toThrow(/drop-oldest cannot be used/);
    expect(() => createBroker({ queue: { url: 'redis://127.0.0.1:1', partitions: 0 }, logLevel: 'silent' })).toThrow(/queue.partitions/);
  });
});
