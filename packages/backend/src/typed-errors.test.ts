// Programming mistakes outside the options object still throw this package's typed errors.
import { defineContract, route } from '@strands/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBackend, createRouter, isBackendError } from './index.js';

describe('typed errors', () => {
  it('messages() with a bad bufferSize throws OptionsError naming it', () => {
    const app = createBackend({ brokers: ['127.0.0.1:1'] });
    let caught: unknown;
    try {
      app.messages({ bufferSize: 0 });
    } catch (error) {
      caught = error;
    }
    expect(isBackendError(caught)).toBe(true);
    expect(caught).toMatchObject({ name: 'OptionsError', code: 'invalid_option', option: 'bufferSize' });
  });

  it('a router handler for a route the contract lacks, or of another kind, throws invalid_route', () => {
    const contract = defineContract({ 'room.who': route.response(z.object({}), z.array(z.string())) });
    const router = createRouter(contract);
    const attempts = [
      () => (router as unknown as { response(name: string, h: () => unknown): unknown }).response('nope', () => []),
      () => (router as unknown as { stream(name: string, h: () => unknown): unknown }).stream('room.who', () => []),
    ];
    for (const attempt of attempts) {
      let caught: unknown;
      try {
        attempt();
      } catch (error) {
        caught = error;
      }
      expect(isBackendError(caught)).toBe(true);
      expect(caught).toMatchObject({ code: 'invalid_route' });
    }
  });
});
