// Run by pack-check.sh inside the throwaway project: loads every "exports" entry of every installed
// tarball from ESM (import) and from CJS (require), and fails unless both give the same named exports.
// A wildcard entry (`./schema/*`) is expanded to the files it matches; a JSON entry must load as the
// same value both ways (ESM with `with { type: 'json' }`).
import { isDeepStrictEqual } from 'node:util';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const project = JSON.parse(readFileSync('package.json', 'utf8'));
const problems = [];
let checked = 0;

for (const name of Object.keys(project.dependencies ?? {})) {
  const manifest = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
  const exportsMap = manifest.exports ?? { '.': manifest.main };
  const subpaths = Object.keys(exportsMap)
    .filter((s) => s !== './package.json')
    .flatMap((s) => (s.includes('*') ? expandWildcard(name, s, exportsMap[s]) : [s]));
  for (const subpath of subpaths) {
    const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
    if (subpath.endsWith('.json')) {
      await checkJson(specifier);
      continue;
    }
    try {
      const esm = Object.keys(await import(specifier)).filter((key) => key !== 'default' && key !== 'module.exports');
      const cjs = Object.keys(require(specifier));
      if (esm.length === 0) problems.push(`${specifier}: the ESM entry exports nothing`);
      const differ = [...esm.filter((k) => !cjs.includes(k)), ...cjs.filter((k) => !esm.includes(k))];
      if (differ.length > 0) problems.push(`${specifier}: ESM and CJS entries differ in ${differ.join(', ')}`);
      checked += 1;
    } catch (error) {
      problems.push(`${specifier}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The subpaths a wildcard entry (`./schema/*` -> `./schema/*`) reaches: one per matching file in the package. */
function expandWildcard(name, subpath, target) {
  if (typeof target !== 'string' || target.split('*').length !== 2 || !target.startsWith('./')) {
    problems.push(`${name}: cannot expand the wildcard entry ${subpath} (target ${JSON.stringify(target)})`);
    return [];
  }
  const [prefix, suffix] = target.slice(2).split('*');
  const dir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  const start = prefix.slice(dir.length);
  const matches = readdirSync(`node_modules/${name}/${dir}`).filter((f) => f.startsWith(start) && f.endsWith(suffix) && f.length >= start.length + suffix.length);
  if (matches.length === 0) problems.push(`${name}: the wildcard entry ${subpath} matches no file`);
  return matches.map((file) => subpath.replace('*', file.slice(start.length, file.length - suffix.length)));
}

/** A JSON entry: the same non-empty value from `import ... with { type: 'json' }` and from `require`. */
async function checkJson(specifier) {
  try {
    const esm = (await import(specifier, { with: { type: 'json' } })).default;
    const cjs = require(specifier);
    if (esm === null || typeof esm !== 'object' || Object.keys(esm).length === 0) problems.push(`${specifier}: the JSON entry is empty`);
    else if (!isDeepStrictEqual(esm, cjs)) problems.push(`${specifier}: ESM and CJS give different JSON`);
    checked += 1;
  } catch (error) {
    problems.push(`${specifier}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

if (checked === 0 && problems.length === 0) problems.push('no package entries found to check');
if (problems.length > 0) {
  console.error(`pack-check: ${problems.length} broken entr${problems.length === 1 ? 'y' : 'ies'}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`pack-check: ${checked} entries load from ESM and CJS`);
