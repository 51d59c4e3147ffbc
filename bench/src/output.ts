// Writes a run's JSON and SVG into the results folder.
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSvg } from './report/svg.js';
import type { SuiteResult } from './results.js';

const BENCH_DIR = fileURLToPath(new URL('../', import.meta.url));

/** Writes latest.json and chart.svg into `outDir` (relative to bench/); returns their paths. */
export async function writeResults(suite: SuiteResult, outDir: string): Promise<{ json: string; svg: string }> {
  const dir = isAbsolute(outDir) ? outDir : join(BENCH_DIR, outDir);
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const svg = join(dir, 'chart.svg');
  await writeFile(json, `${JSON.stringify(suite, null, 2)}\n`);
  await writeFile(svg, renderSvg(suite));
  return { json, svg };
}
