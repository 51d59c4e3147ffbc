// One log format: a line of the SDK's built-in logger has the shape of a line of the real broker's (pino).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createConsoleLogger } from '../../src/index.js';
import { spawnBroker, type BrokerProcess } from '../support/broker-process.js';
import { until } from '../support/fake-broker.js';

let broker: BrokerProcess | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await broker?.kill();
  broker = undefined;
});

/** The keys of a line and the JSON type of each value, in order. */
function shape(line: Record<string, unknown>): [string, string][] {
  return Object.entries(line).map(([key, value]) => [key, typeof value]);
}

describe('log lines', () => {
  it('the SDK writes the broker’s format: numeric pino levels, time, pid, name, fields, msg', async () => {
    broker = await spawnBroker();
    const lines = (): Record<string, unknown>[] =>
      broker!
        .stderr()
        .split('\n')
        .filter((text) => text.startsWith('{'))
        .map((text) => JSON.parse(text) as Record<string, unknown>);
    const listening = (): Record<string, unknown> | undefined => lines().find((entry) => entry.msg === 'broker listening');
    await until(() => listening() !== undefined, 'the broker’s listening line');
    const brokerLine = listening()!;
    const { level, time, pid, name, msg, ...fields } = brokerLine;

    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    createConsoleLogger('info').info(fields, 'broker listening');
    const sdkLine = JSON.parse(written[0] as string) as Record<string, unknown>;

    expect(shape(sdkLine)).toEqual(shape(brokerLine));
    expect({ level, name, msg, pid: typeof pid, time: typeof time }).toEqual({ level: 30, name: 'strands-broker', msg: 'broker listening', pid: 'number', time: 'number' });
    expect(sdkLine).toMatchObject({ ...fields, level: 30, name: '@strands/backend', pid: process.pid, msg: 'broker listening' });
  });

  it('writes errors as pino writes err, and drops lines below the level', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const log = createConsoleLogger('warn');
    log.info({}, 'dropped');
    log.error({ err: new TypeError('boom') }, 'failed');
    expect(written).toHaveLength(1);
    const line = JSON.parse(written[0] as string) as { level: number; err: Record<string, unknown> };
    expect(line.level).toBe(50);
    expect(line.err).toMatchObject({ type: 'TypeError', message: 'boom' });
    expect(typeof line.err.stack).toBe('string');
  });
});
