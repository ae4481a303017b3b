// `npm run bench`: times the ops on cpu and wasm in Node and, where Chromium is installed, on
// webgl in headless Chromium, and a training step of a small CNN on wasm and cpu; writes
// bench/results/latest.{json,md} and, with --update-docs, the tables in docs/performance.md.
// Not part of `npm test`: timings are never test assertions.
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import { type BenchRow, COMPOSITE, type PairedRatio, benchShape, pairedRatios } from './core.js';
import { benchInChromium } from './browser.js';
import { realModelCases, usesRealModels } from './real_models.js';
import { TRAINING_CASE_NAMES, type TrainingRow, benchTraining } from './training.js';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--backends='))?.slice(11).split(',');
// --cases=saliency,cutMix: only the cases whose name contains one of these (and the floor);
// --shapes=32x224x224x3: only these batch shapes. For a quick look; the table in the docs wants all.
const onlyCases = args.find((a) => a.startsWith('--cases='))?.slice(8).split(',');
const onlyShapes = args.find((a) => a.startsWith('--shapes='))?.slice(9).split(',');
const SHAPES = (
  [
    [32, 224, 224, 3],
    [128, 32, 32, 3],
  ] as [number, number, number, number][]
).filter((s) => !onlyShapes || onlyShapes.includes(s.join('x')));

// A training step of the small CNN, on a batch of the size the training example uses.
const TRAINING_SHAPE: [number, number, number, number] = [32, 32, 32, 3];
const trainingChosen = (name: string) => !onlyCases || onlyCases.some((o) => name.includes(o));

// The methods of issue 17, whose target is at most 2× cutMix's time: also timed in alternation with it (see pairedRatios).
// Their composite paths too (the fused kernels off), which say what the fused kernels of cpu and wasm save.
const NEW_METHODS = ['resizeMix, elem', 'saliencyMix, precomputed maps [B, 7, 7], elem', 'fmix, batch', 'fmix, elem'];
const COMPOSITES = ['resizeMix, elem', 'saliencyMix, precomputed maps [B, 7, 7], elem', 'fmix, elem'].map((n) => `${n}${COMPOSITE}`);
const CUTMIX = 'cutMix, elem';

tf.env().set('PROD', true);
const rows: BenchRow[] = [];
const paired: PairedRatio[] = [];
const trainingRows: TrainingRow[] = [];
const loads: string[] = [];
for (const backend of only ?? ['wasm', 'cpu', 'webgl']) {
  if (backend === 'webgl') {
    const browserRows = await benchInChromium(root, SHAPES, console.log);
    if (browserRows) rows.push(...browserRows);
    continue;
  }
  await tf.setBackend(backend);
  await tf.ready();
  for (const shape of SHAPES) {
    // A conv net at 224 px takes tens of seconds per batch on the cpu backend: CAM and real models run elsewhere.
    const withCam = backend !== 'cpu' || shape[1] <= 64;
    const real = usesRealModels(shape) ? await realModelCases(root, console.log) : { cases: [], loadMs: {} };
    for (const [name, ms] of Object.entries(real.loadMs)) loads.push(`${name}: loaded in ${Math.round(ms)} ms on ${backend}`);
    rows.push(...(await benchShape(shape, backend === 'cpu' ? 7 : 15, console.log, { withCam, extra: real.cases, only: onlyCases })));
    const names = [...NEW_METHODS, ...COMPOSITES].filter((n) => !onlyCases || onlyCases.some((o) => n.includes(o)));
    if (names.length === 0) continue;
    for (const r of await pairedRatios(shape, shape[1] > 64 ? 9 : 21, CUTMIX, names)) {
      paired.push(r);
      console.log(`${backend} [${shape.join(',')}] ${r.name}, in alternation: ${r.vsReference.toFixed(2)}× cutMix, ${r.vsFloor.toFixed(2)}× the floor`);
    }
  }
  // tfjs-backend-cpu's Conv2DBackpropFilter is an element-by-element loop (about a minute per step
  // of this CNN on this machine): only the plain CNN, three steps, for the comparison.
  const chosen = backend === 'cpu' ? (name: string) => name === TRAINING_CASE_NAMES[0] && trainingChosen(name) : trainingChosen;
  if (TRAINING_CASE_NAMES.some(chosen)) trainingRows.push(...(await benchTraining(TRAINING_SHAPE, backend === 'cpu' ? 3 : 10, chosen, console.log)));
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, tfjs ${tf.version_core}`;
const measured = `Measured on ${machine}, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg().map((l) => l.toFixed(1)).join(', ')} at the end of the run.`;
const opsTable = [
  `${measured} Median ms per call after two warm-up calls (quartiles in brackets), waiting on the result with \`await data()\`; ×floor is the median over that of \`tf.mul(x, scalar)\` on the same backend and shape, in the same run; peak is \`tf.profile\`'s peak bytes over the batch's bytes.`,
  '',
  '| backend | batch | case | ms | images/s | kernels | peak | ×floor |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.backend} | ${r.shape.join('×')} | ${r.name} | ${r.medianMs.toFixed(1)} [${r.q1Ms.toFixed(1)}–${r.q3Ms.toFixed(1)}] | ${Math.round(r.imagesPerSecond)} | ${r.kernels} | ${r.peakVsBatch.toFixed(2)}× | ${r.vsFloor.toFixed(2)} |`),
  ...(loads.length > 0 ? ['', ...loads.map((l) => `- ${l}`)] : []),
  '',
  ...targets(rows),
].join('\n');
const trainingTable = [
  `${measured} Median ms per \`await model.trainOnBatch(x, y)\` of the small CNN (Adam, 10 classes) after one warm-up step (quartiles in brackets), the cases of a backend taking turns step by step; on wasm with \`registerWasmConvGradients()\`, without which a conv net cannot train there.`,
  '',
  '| backend | batch | case | ms | images/s |',
  '|---|---|---|---|---|',
  ...trainingRows.map((r) => `| ${r.backend} | ${r.shape.join('×')} | ${r.name} | ${r.medianMs.toFixed(1)} [${r.q1Ms.toFixed(1)}–${r.q3Ms.toFixed(1)}] | ${r.imagesPerSecond < 10 ? r.imagesPerSecond.toFixed(2) : Math.round(r.imagesPerSecond)} |`),
].join('\n');
const table = trainingRows.length > 0 ? `${opsTable}\n\n${trainingTable}` : opsTable;
/** The ratios the issues set targets for, from this run. */
function targets(all: BenchRow[]): string[] {
  const lines: string[] = [];
  const median = (backend: string, shape: number[], name: string) => all.find((r) => r.backend === backend && r.shape.join() === shape.join() && r.name === name)?.medianMs;
  for (const backend of ['wasm', 'cpu', 'webgl']) {
    for (const shape of SHAPES) {
      const [floor, cut, maps, saliency] = ['floor: tf.mul(x, scalar)', 'cutMix, elem', 'attentiveCutMix, precomputed maps [B, 7, 7], elem', 'attentiveCutMix, saliency extractor'].map((n) => median(backend, shape, n));
      if (floor === undefined || cut === undefined || maps === undefined || saliency === undefined) continue;
      lines.push(`- ${backend} ${shape.join('×')}: attentiveCutMix with precomputed maps ${(maps / cut).toFixed(2)}× cutMix; with the default saliency ${(saliency / floor).toFixed(2)}× the floor`);
    }
  }
  // The methods of issue 17 against cutMix (the target: at most 2×) and the floor: timed in
  // alternation where the run did (Node), else the ratio of the table's medians (webgl).
  for (const backend of ['wasm', 'cpu', 'webgl']) {
    for (const shape of SHAPES) {
      const alternated = paired.filter((r) => r.backend === backend && r.shape.join() === shape.join());
      if (alternated.length > 0) {
        const ratios = alternated.map((r) => `${r.name} ${r.vsReference.toFixed(2)}× cutMix (${r.vsFloor.toFixed(2)}× the floor)`);
        lines.push(`- ${backend} ${shape.join('×')}, timed in alternation with cutMix, elem and the floor (median of ${alternated[0]!.rounds} rounds' ratios): ${ratios.join('; ')}`);
        continue;
      }
      const [floor, cut] = ['floor: tf.mul(x, scalar)', CUTMIX].map((n) => median(backend, shape, n));
      if (floor === undefined || cut === undefined) continue;
      const ratios = NEW_METHODS.flatMap((n) => {
        const ms = median(backend, shape, n);
        return ms === undefined ? [] : [`${n} ${(ms / cut).toFixed(2)}× cutMix (${(ms / floor).toFixed(2)}× the floor)`];
      });
      if (ratios.length > 0) lines.push(`- ${backend} ${shape.join('×')}, from the table's medians: ${ratios.join('; ')}`);
    }
  }
  return lines;
}

mkdirSync(resolve(root, 'bench/results'), { recursive: true });
writeFileSync(resolve(root, 'bench/results/latest.json'), `${JSON.stringify({ machine, rows, paired, training: trainingRows }, null, 1)}\n`);
writeFileSync(resolve(root, 'bench/results/latest.md'), `${table}\n`);
console.log(`\n${table}\n\nWritten to bench/results/latest.json and latest.md.`);
if (args.includes('--update-docs')) {
  // Each table replaces its block only when this run measured it: a run of some cases (--cases,
  // --backends) leaves the others' numbers in place.
  const file = resolve(root, 'docs/performance.md');
  let page = readFileSync(file, 'utf8');
  const replace = (marker: string, text: string) => {
    const block = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`);
    if (!block.test(page)) throw new Error(`docs/performance.md has no <!-- ${marker}:start --> … <!-- ${marker}:end --> block to update.`);
    page = page.replace(block, `$1${text}\n$2`);
  };
  if (rows.some((r) => !r.name.startsWith('floor'))) replace('bench', opsTable);
  if (trainingRows.length > 0) replace('bench-training', trainingTable);
  writeFileSync(file, page);
  console.log('docs/performance.md updated.');
}
