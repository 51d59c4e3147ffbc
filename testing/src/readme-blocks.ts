// The TypeScript code blocks of the repository's READMEs, and a typecheck of them against the
// packages' sources, so that an example that stops compiling fails a test instead of a reader.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/**
 * One fenced block. Markers after the language on the fence line:
 * - `no-check`: a sketch that is not meant to compile on its own (not typechecked);
 * - `file=<name>.ts`: written under that name, so blocks of any README can import `./<name>.js`.
 */
export interface CodeBlock {
  /** The README, relative to the repository root. */
  readme: string;
  /** Line of the README holding the block's first line of code (1-based). */
  line: number;
  code: string;
  check: boolean;
  file: string | undefined;
}

const FENCE = /^```(ts|typescript)((?:[ \t]+\S+)*)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;

/** The `ts` blocks of one README's text. */
export function readmeBlocks(markdown: string, readme: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(FENCE)) {
    const markers = match[2]!.trim().split(/\s+/).filter(Boolean);
    const unknown = markers.filter((m) => m !== 'no-check' && !/^file=[\w-]+\.ts$/.test(m));
    if (unknown.length > 0) throw new Error(`${readme}: unknown code block marker ${unknown.join(' ')}`);
    blocks.push({
      readme,
      line: markdown.slice(0, match.index).split('\n').length + 1,
      code: match[3]!,
      check: !markers.includes('no-check'),
      file: markers.find((m) => m.startsWith('file='))?.slice('file='.length),
    });
  }
  return blocks;
}

/** The READMEs whose blocks are checked: the root's, and every package's and example's (and testing's). */
export function findReadmes(root: string): string[] {
  const inFolders = ['packages', 'examples'].flatMap((folder) =>
    readdirSync(join(root, folder)).map((name) => join(folder, name, 'README.md')),
  );
  return ['README.md', 'testing/README.md', ...inFolders].filter((readme) => existsSync(join(root, readme)));
}

/** `@strands/*` import paths mapped to sources, from each workspace package's `exports`. */
function sourcePaths(root: string): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  const dirs = ['packages', 'examples'].flatMap((folder) => readdirSync(join(root, folder)).map((name) => join(root, folder, name)));
  for (const dir of [...dirs, join(root, 'testing')]) {
    if (!existsSync(join(dir, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, unknown> };
    for (const subpath of Object.keys(manifest.exports ?? { '.': null })) {
      if (subpath === './package.json') continue;
      const stem = subpath === '.' ? 'index' : subpath.slice(2);
      const source = [`src/${stem}.ts`, `src/${stem}/index.ts`].map((s) => join(dir, s)).find(existsSync);
      if (source !== undefined) paths[subpath === '.' ? manifest.name : `${manifest.name}/${stem}`] = [source];
    }
  }
  return paths;
}

/**
 * Typechecks every checked block as its own module (strict, ES2022, DOM and Node types) in a
 * folder inside the workspace, so that dependencies resolve as they do for the packages.
 * Returns one `README.md:line: message` per error; empty means every block compiles.
 */
export function typecheckBlocks(root: string, blocks: readonly CodeBlock[]): string[] {
  const dir = mkdtempSync(join(root, '.readme-blocks-'));
  try {
    const origin = new Map<string, CodeBlock>();
    for (const block of blocks.filter((b) => b.check)) {
      const name = block.file ?? `${block.readme.replace(/[^\w]+/g, '-')}-${block.line}.ts`;
      const path = join(dir, name);
      if (origin.has(path)) throw new Error(`${block.readme}:${block.line}: a second block named ${name}`);
      origin.set(path, block);
      // `export {}` makes every block a module: its own scope, and top-level await allowed.
      writeFileSync(path, `${block.code}\nexport {};\n`);
    }
    const program = ts.createProgram([...origin.keys()], {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      paths: sourcePaths(root),
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
    });
    const problems = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(
      (d) => `(compiler): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
    // Only the blocks' own files: the packages' sources have their own typecheck.
    for (const [path, block] of origin) {
      const file = program.getSourceFile(path)!;
      for (const diagnostic of [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]) {
        const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        problems.push(`${block.readme}:${block.line + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
      }
    }
    return problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every block of every README under `root`. */
export function allReadmeBlocks(root: string): CodeBlock[] {
  return findReadmes(root).flatMap((readme) => readmeBlocks(readFileSync(join(root, readme), 'utf8'), relative(root, join(root, readme))));
}
