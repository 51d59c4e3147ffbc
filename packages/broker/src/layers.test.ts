// The broker's folders are layers: no file imports from a layer above its own, and sibling layers never import each other.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));

/**
 * Which layer each file belongs to and which layers it may import. `base` holds what every part
 * shares; `core` the routing core and the ports; `gateway` (WebSocket side), `backends` (TCP
 * side) and `cluster` (backplanes) build on the core and never on each other; `root` composes.
 */
const LAYERS = {
  base: ['base'],
  core: ['base', 'core'],
  gateway: ['base', 'core', 'gateway'],
  backends: ['base', 'core', 'backends'],
  cluster: ['base', 'core', 'cluster'],
  root: ['base', 'core', 'gateway', 'backends', 'cluster', 'root'],
} as const;
type Layer = keyof typeof LAYERS;

const ROOT_FILES = new Set(['broker.ts', 'index.ts', 'cli.ts', 'cli-args.ts']);

function layerOf(file: string): Layer {
  const rel = relative(SRC, file);
  const top = rel.split('/')[0] as string;
  if (top === 'core' || top === 'gateway' || top === 'backends' || top === 'cluster') return top;
  return ROOT_FILES.has(rel) ? 'root' : 'base';
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative import and export specifiers of a file, type-only ones included. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)) {
    found.push((match[1] ?? match[2]) as string);
  }
  return found;
}

describe('broker layers', () => {
  const files = sourceFiles(SRC);

  it('finds the source files of every layer', () => {
    const layers = new Set(files.map(layerOf));
    for (const layer of ['base', 'core', 'gateway', 'backends', 'root'] as const) expect(layers.has(layer)).toBe(true);
  });

  it('loads no zod: values come from @strands/protocol/wire, the root entry is imported for types only', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+['"](@strands\/protocol|zod)['"]/gm)) {
        if (match[1] === undefined) wrong.push(`${relative(SRC, file)} imports ${match[2] as string}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import from a higher or a sibling layer', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of relativeImports(file)) {
        const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
        const to = layerOf(target);
        if (!(LAYERS[from] as readonly Layer[]).includes(to)) wrong.push(`${relative(SRC, file)} (${from}) imports ${spec} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
