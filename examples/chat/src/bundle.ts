// Bundles the page's script with esbuild, resolving @strands/* to the packages' sources so that a
// fresh clone serves the page with no build step.
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const packages = fileURLToPath(new URL('../../../packages/', import.meta.url));
const SOURCES: Readonly<Record<string, string>> = {
  '@strands/protocol': 'protocol/src/index.ts',
  '@strands/browser': 'browser/src/index.ts',
  '@strands/browser/contract': 'browser/src/contract.ts',
  '@strands/browser/recovery': 'browser/src/recovery.ts',
};

// esbuild reads `paths` only from the tsconfig nearest each file, and the packages' own
// tsconfigs have none; one resolver for every file is simpler than matching them all.
const strandsSources: Plugin = {
  name: 'strands-sources',
  setup(build) {
    build.onResolve({ filter: /^@strands\// }, (args) => {
      const file = SOURCES[args.path];
      return file === undefined ? undefined : { path: `${packages}${file}` };
    });
  },
};

let bundled: Promise<string> | undefined;

/** The page's script (`page/app.ts`) as one minified ES module; built once per process. */
export function bundlePage(): Promise<string> {
  bundled ??= buildPage();
  bundled.catch(() => (bundled = undefined)); // a failed build is retried by the next caller
  return bundled;
}

async function buildPage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../page/app.ts', import.meta.url))],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins: [strandsSources],
  });
  return result.outputFiles[0]!.text;
}
