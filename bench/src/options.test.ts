import { describe, expect, it } from 'vitest';
import { FULL_DEFAULTS, QUICK_DEFAULTS, resolveOptions } from './options.js';

describe('resolveOptions', () => {
  it('uses the full defaults, or the quick ones with quick', () => {
    expect(resolveOptions()).toMatchObject({ durationMs: FULL_DEFAULTS.durationMs, roundTripClients: [100, 1000], quick: false });
    expect(resolveOptions({ quick: true })).toMatchObject({ durationMs: QUICK_DEFAULTS.durationMs, outDir: 'results/quick', quick: true });
  });

  it('leaves the cluster scenario out of a quick run unless --only names it', () => {
    expect(resolveOptions().scenarios).toContain('cluster');
    expect(resolveOptions({ quick: true }).scenarios).not.toContain('cluster');
    expect(resolveOptions({ quick: true }).scenarios).toContain('round-trip');
    expect(resolveOptions({ quick: true }).scenarios).toContain('history');
    expect(resolveOptions({ quick: true, scenarios: ['cluster'] }).scenarios).toEqual(['cluster']);
  });

  it('lets explicit options win over quick defaults and ignores undefined ones', () => {
    const options = resolveOptions({ quick: true, durationMs: 300, workers: undefined });
    expect(options.durationMs).toBe(300);
    expect(options.workers).toBe(FULL_DEFAULTS.workers);
  });

  it('runs 3 rounds by default when comparing with a baseline, unless --repeat says otherwise', () => {
    expect(resolveOptions({ baselineRef: 'HEAD~1' })).toMatchObject({ repeat: 3, baselineRef: 'HEAD~1', pin: false, outDir: 'results/baseline' });
    expect(resolveOptions({ baselineRef: 'HEAD~1', repeat: 1 }).repeat).toBe(1);
    expect(resolveOptions({ pin: true }).repeat).toBe(1);
  });

  it('reads the PyStrands binaries from the environment', () => {
    const options = resolveOptions({}, { PYSTRANDS_BROKER_BIN: '/b', PYSTRANDS_ECHO_BIN: '/e' });
    expect(options).toMatchObject({ pystrandsBrokerBin: '/b', pystrandsEchoBin: '/e' });
    expect(resolveOptions({}, { PYSTRANDS_BROKER_BIN: '' }).pystrandsBrokerBin).toBeUndefined();
  });

  it.each([
    [{ durationMs: 0 }, /durationMs/],
    [{ workers: 1.5 }, /workers/],
    [{ drainMs: -1 }, /drainMs/],
    [{ messageBytes: 10 }, /messageBytes/],
    [{ roundTripClients: [] }, /roundTripClients/],
    [{ scenarios: ['nope' as never] }, /unknown scenario/],
    [{ baselineRef: '--upload-pack=x' }, /baselineRef/],
  ])('throws invalid_options for %o', (bad, message) => {
    expect(() => resolveOptions(bad)).toThrow(message);
    try {
      resolveOptions(bad);
    } catch (error) {
      expect(error).toMatchObject({ name: 'BenchError', code: 'invalid_options' });
    }
  });
});
