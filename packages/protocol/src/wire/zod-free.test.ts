// The wire entry must run without zod: no file under src/wire imports zod or a zod-based module.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('.', import.meta.url));
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.includes('.test'));

/** Every module specifier a file imports or re-exports (type-only imports included: the d.ts keeps them). */
function specifiers(file: string): string[] {
  const text = readFileSync(dir + file, 'utf8');
  return [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]!);
}

describe('@strands/protocol/wire', () => {
  it('has its sources here', () => {
    expect(sources).toContain('index.ts');
    expect(sources.length).toBeGreaterThan(10);
  });

  it.each(sources)('%s imports only wire modules (and the zod-free errors.ts and framing.ts)', (file) => {
    for (const spec of specifiers(file)) {
      expect(spec.startsWith('./') || spec === '../errors.js' || spec === '../framing.js', `${file}: ${spec}`).toBe(true);
    }
  });

  it('the shared framing.ts imports only errors.ts', () => {
    expect(specifiers('../framing.ts')).toEqual(['./errors.js']);
  });

  it('the shared errors.ts imports nothing', () => {
    expect(specifiers('../errors.ts')).toEqual([]);
  });
});
