import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as zm from 'zod/mini';
import { defineContract, isContract, issuesText, isStandardSchema, route, validate } from './index.js';

describe('defineContract', () => {
  it('brands the contract and keeps its routes', () => {
    const input = z.object({ a: z.string() });
    const contract = defineContract({ ping: route.response(input, z.literal('pong')) });
    expect(isContract(contract)).toBe(true);
    expect(contract.routes.ping.kind).toBe('response');
    expect(contract.routes.ping.input).toBe(input);
    expect(contract.events).toEqual({});
    expect(isContract({ routes: {} })).toBe(false);
  });

  it('takes routes and events in the object form', () => {
    const message = zm.object({ text: zm.string() });
    const contract = defineContract({ routes: { ping: route.fire(zm.null()) }, events: { 'chat.message': message } });
    expect(Object.keys(contract.routes)).toEqual(['ping']);
    expect(contract.events['chat.message']).toBe(message);
    expect(defineContract({ events: { tick: zm.number() } }).routes).toEqual({});
  });

  it('keeps a routes map whose routes are named "routes" or "events"', () => {
    const contract = defineContract({ routes: route.fire(z.null()), events: route.fire(z.null()) });
    expect(Object.keys(contract.routes)).toEqual(['routes', 'events']);
    expect(contract.events).toEqual({});
  });

  it('refuses an empty route name and an unknown kind', () => {
    expect(() => defineContract({ '': route.fire(z.null()) })).toThrow(/empty/);
    expect(() => defineContract({ x: { kind: 'nope', input: z.null() } as never })).toThrow(/unknown kind/);
  });

  it('refuses reserved and empty event names, and events without a Standard Schema', () => {
    expect(() => defineContract({ events: { message: z.string() } })).toThrow(/reserved/);
    expect(() => defineContract({ events: { '': z.string() } })).toThrow(/empty/);
    expect(() => defineContract({ events: { x: {} as never } })).toThrow(/Standard Schema/);
  });
});

describe('Standard Schema helpers', () => {
  it('validate through ~standard with zod and zod/mini alike', () => {
    for (const schema of [z.object({ a: z.number() }), zm.object({ a: zm.number() })]) {
      expect(isStandardSchema(schema)).toBe(true);
      expect(validate(schema, { a: 1 })).toEqual({ value: { a: 1 } });
      const failed = validate(schema, { a: 'x' });
      expect('issues' in failed && issuesText(failed.issues!)).toMatch(/^a: /);
    }
    expect(isStandardSchema({})).toBe(false);
  });

  it('hands back a promise from an async schema', async () => {
    const schema = z.string().refine(async (s) => s === 'ok');
    const result = validate(schema, 'ok');
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toEqual({ value: 'ok' });
  });
});
