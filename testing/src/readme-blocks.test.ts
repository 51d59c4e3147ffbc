// Every ```ts block of the READMEs compiles against the packages' sources, unless marked `no-check`.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allReadmeBlocks, readmeBlocks, typecheckBlocks } from './readme-blocks.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('README code blocks', () => {
  it('reads blocks, their README lines and markers', () => {
    const markdown = ['# x', '```ts', 'const a = 1;', '```', 'text', '```ts no-check', 'sketch', '```', '```sh', 'ls', '```', '```ts file=contract.ts', 'export const c = 1;', '```'].join('\n');
    expect(readmeBlocks(markdown, 'X.md')).toEqual([
      { readme: 'X.md', line: 3, code: 'const a = 1;\n', check: true, file: undefined },
      { readme: 'X.md', line: 7, code: 'sketch\n', check: false, file: undefined },
      { readme: 'X.md', line: 13, code: 'export const c = 1;\n', check: true, file: 'contract.ts' },
    ]);
    expect(() => readmeBlocks('```ts nocheck\nx\n```\n', 'X.md')).toThrow(/unknown code block marker nocheck/);
  });

  it('reports an error at its README line, and resolves named blocks and @strands/* imports', { timeout: 120_000 }, () => {
    const blocks = readmeBlocks(
      [
        '```ts file=fixture.ts',
        "export const room: string = 'lobby';",
        '```',
        '```ts',
        "import { encodeFrame } from '@strands/protocol';",
        "import { room } from './fixture.js';",
        "encodeFrame({ action: 'broadcast', request_id: '1', params: { message: room } });",
        'const n: number = room;',
        '```',
      ].join('\n'),
      'FIXTURE.md',
    );
    const problems = typecheckBlocks(root, blocks);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^FIXTURE\.md:8: Type 'string' is not assignable to type 'number'/);
  });

  it('compile, every one in every README', { timeout: 120_000 }, () => {
    const blocks = allReadmeBlocks(root);
    // A guard on the finder itself: the package READMEs hold a dozen blocks.
    expect(blocks.filter((b) => b.check).length).toBeGreaterThan(10);
    expect(typecheckBlocks(root, blocks)).toEqual([]);
  });
});
