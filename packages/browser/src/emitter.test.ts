import { describe, expect, it } from 'vitest';
import { Emitter } from './emitter.js';

class Probe extends Emitter<{ ping: number }> {
  fire(n: number): void {
    this.emit('ping', n);
  }
}

describe('Emitter', () => {
  it('calls listeners in order and stops calling removed ones', () => {
    const probe = new Probe();
    const seen: string[] = [];
    const off = probe.on('ping', (n) => seen.push(`a${n}`));
    probe.on('ping', (n) => seen.push(`b${n}`));
    probe.fire(1);
    off();
    probe.fire(2);
    expect(seen).toEqual(['a1', 'b1', 'b2']);
  });

  it('keeps calling the other listeners when one throws, and reports the error on its own', async () => {
    const probe = new Probe();
    const seen: number[] = [];
    const boom = new Error('listener bug');
    const reported = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    probe.on('ping', () => {
      throw boom;
    });
    probe.on('ping', (n) => seen.push(n));
    expect(() => probe.fire(7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(await reported).toBe(boom);
  });
});
