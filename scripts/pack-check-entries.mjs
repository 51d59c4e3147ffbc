// Run by pack-check.sh inside the throwaway project: loads every "exports" entry of every installed
// tarball from ESM (import) and from CJS (require), and fails unless both give the same named exports.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const project = JSON.parse(readFileSync('package.json', 'utf8'));
const problems = [];
let checked = 0;

for (const name of Object.keys(project.dependencies ?? {})) {
  const manifest = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
  const subpaths = Object.keys(manifest.exports ?? { '.': manifest.main }).filter((s) => s !== './package.json');
  for (const subpath of subpaths) {
    const specifier = subpath === '.' ? name : `${name}/${subpath.slice(2)}`;
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

if (checked === 0 && problems.length === 0) problems.push('no package entries found to check');
if (problems.length > 0) {
  console.error(`pack-check: ${problems.length} broken entr${problems.length === 1 ? 'y' : 'ies'}:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`pack-check: ${checked} entries load from ESM and CJS`);
