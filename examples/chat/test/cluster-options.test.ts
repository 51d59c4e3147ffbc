// The cluster flags of the chat's programs: `--cluster`, `--redis-url`, comma-separated brokers
// and WebSocket ports, and the ports broker n takes.
import { describe, expect, it } from 'vitest';
import { readFlags } from '../src/cli.js';
import { clusterPort, listOf, resolveBackendOptions, resolveLaunchOptions, resolvePageServerOptions } from '../src/options.js';

describe('cluster flags and options', () => {
  it('reads a boolean flag (or its variable) and a comma-separated list of ports', () => {
    const specs = { cluster: { kind: 'boolean', env: 'CHAT_CLUSTER' }, wsPort: 'integers' } as const;
    expect(readFlags(specs, ['--cluster', '--ws-port', '8080, 8082'])).toEqual({ cluster: true, wsPort: [8080, 8082] });
    expect(readFlags(specs, [], { CHAT_CLUSTER: '1' })).toEqual({ cluster: true });
    expect(readFlags(specs, [], { CHAT_CLUSTER: 'false' })).toEqual({ cluster: false });
    expect(() => readFlags(specs, [], { CHAT_CLUSTER: 'yes please' })).toThrow(/CHAT_CLUSTER: expected 1, 0, true or false/);
    expect(() => readFlags(specs, ['--ws-port', '8080,x'])).toThrow(/--ws-port: expected non-negative integers separated by commas/);
    expect(() => readFlags(specs, ['--cluster=yes'])).toThrow(/cluster/);
  });

  it('turns cluster mode on with --cluster or --redis-url, and checks the last broker\'s ports', () => {
    expect(resolveLaunchOptions({ cluster: true })).toMatchObject({ cluster: true, redisUrl: undefined });
    expect(resolveLaunchOptions({ redisUrl: 'redis://127.0.0.1:6379/0' })).toMatchObject({ cluster: true, redisUrl: 'redis://127.0.0.1:6379/0' });
    expect(() => resolveLaunchOptions({ redisUrl: 'http://x' })).toThrow(/redisUrl: expected redis:\/\//);
    expect(() => resolveLaunchOptions({ cluster: true, wsPort: 65534 })).toThrow(/wsPort: 65536 is not a port/);
    expect(resolveLaunchOptions({ wsPort: 65534 })).toMatchObject({ wsPort: 65534, cluster: false });
    expect([clusterPort(8080, 0), clusterPort(8080, 1), clusterPort(0, 1)]).toEqual([8080, 8082, 0]);
  });

  it('takes several brokers for the backend and several WebSocket ports or URLs for the page', () => {
    expect(listOf('127.0.0.1:8081, 127.0.0.1:8083')).toEqual(['127.0.0.1:8081', '127.0.0.1:8083']);
    expect(listOf([8080, 8082])).toEqual([8080, 8082]);
    expect(resolveBackendOptions({ broker: '127.0.0.1:8081,127.0.0.1:8083' }).broker).toBe('127.0.0.1:8081,127.0.0.1:8083');
    expect(() => resolveBackendOptions({ broker: '127.0.0.1:8081,nowhere' })).toThrow(/broker: expected host:port \(got "nowhere"\)/);
    expect(() => resolveBackendOptions({ broker: ',' })).toThrow(/at least one/);
    expect(resolvePageServerOptions({ wsPort: [8080, 8082] }).wsPort).toEqual([8080, 8082]);
    expect(() => resolvePageServerOptions({ wsPort: [8080, 70000] })).toThrow(/not a port/);
    expect(() => resolvePageServerOptions({ wsUrl: 'ws://a:1,ws://b:2/path' })).toThrow(/wsUrl: expected ws:\/\/host:port with no path \(got "ws:\/\/b:2\/path"\)/);
  });
});
