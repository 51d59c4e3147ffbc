import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineContract, isContract, route } from './index.js';

describe('defineContract', () => {
  it('brands the contract and keeps its routes', () => {
    const input = z.object({ a: z.string() });
    const contract = defineContract({ ping: route.response(input, z.literal('pong')) });
    expect(isContract(contract)).toBe(true);
    expect(contract.routes.ping.kind).toBe('response');
    expect(contract.routes.ping.input).toBe(input);
    expect(isContract({ routes: {} })).toBe(false);
  });

  it('refuses an empty route name and an unknown kind', () => {
    expect(() => defineContract({ '': route.fire(z.null()) })).toThrow(/empty/);
    expect(() => defineContract({ x: { kind: 'nope', input: z.null() } as never })).toThrow(/unknown kind/);
  });
});
