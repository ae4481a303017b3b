// Turns the experiments' results files (docs/results/<dataset>.json, from run.ts) into
// docs/results.md's generated blocks (between each dataset's marker comments; the prose around
// them is kept; a dataset without runs gets a line saying how to make them) and three plots per
// dataset: docs/results/<dataset>-curves.png (test accuracy per epoch), -ablation.png (the
// teacher's N) and -differences.png (paired differences against cutmix).
//
//   npm run report:experiments [-- --results DIR] [--md FILE]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { DATASETS } from './datasets.js';
import { ablationPlot, curvesPlot, differencesPlot } from './plots.js';
import { markers, pendingBlock, reportBlock } from './report.js';
import type { Results } from './protocol.js';

const { values } = parseArgs({ options: { results: { type: 'string', default: 'docs/results' }, md: { type: 'string', default: 'docs/results.md' } } });
const folder = values.results!;
const md = values.md!;

/** Replaces the block between the markers, or adds it at the end. */
export function replaceBlock(text: string, block: string, dataset: string): string {
  const { start, end } = markers(dataset);
  const [a, b] = [text.indexOf(start), text.indexOf(end)];
  return a >= 0 && b > a ? `${text.slice(0, a)}${block}${text.slice(b + end.length)}` : `${text.trimEnd()}\n\n${block}\n`;
}

let text = existsSync(md) ? readFileSync(md, 'utf8') : '# Results\n';
const written: string[] = [];
for (const dataset of DATASETS) {
  const file = join(folder, `${dataset}.json`);
  const results = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Results) : null;
  if (!results || results.runs.length === 0) {
    text = replaceBlock(text, pendingBlock(dataset, results?.teacher), dataset);
    continue;
  }
  text = replaceBlock(text, reportBlock(results), dataset);
  writeFileSync(join(folder, `${dataset}-curves.png`), curvesPlot(results));
  writeFileSync(join(folder, `${dataset}-ablation.png`), ablationPlot(results));
  writeFileSync(join(folder, `${dataset}-differences.png`), differencesPlot(results));
  written.push(dataset);
}
if (written.length === 0) throw new Error(`No results with runs in ${folder} (${DATASETS.map((d) => `${d}.json`).join(', ')}).`);
writeFileSync(md, text);
console.log(`wrote ${md} and the plots of ${written.join(', ')} in ${folder}`);
