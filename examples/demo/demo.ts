// The demo: mixes a small batch of sample scenes with every method (mixup, cutMix, resizeMix,
// fmix, saliencyMix and attentiveCutMix, the last two with the built-in saliency extractor) and
// draws what happened as a PNG grid, with a text summary next to it. No network, no arguments needed:
//   npm run demo                              → demo-output/demo.png and demo-output/demo.txt
//   npm run demo -- --out docs/demo.png       → the picture in the README
//   npm run demo -- --backend wasm            → on the wasm backend (default: cpu)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import { sampleMixupParams, saliencyExtractor } from 'attentive-cutmix';

// The drawing is the preview command's. The library comes by its package name, as the command's
// does, so that its kernels are registered with tfjs once (a copy from src/ would register them again).
import { type BackendName, loadBackend } from '../../packages/cli/src/backend.js';
import { CliError, UsageError } from '../../packages/cli/src/errors.js';
import { charsThatFit } from '../../packages/cli/src/font.js';
import { cellRect, displayScale, renderGrid } from '../../packages/cli/src/grid.js';
import { type MixOutcome, type MixSettings, attentionMaps, previewRows, runMethod, summarizeOutcome, tensorToImages } from '../../packages/cli/src/preview.js';
import { SHAPE_CLASSES, makeScenes } from '../samples/scenes.js';

export interface DemoOptions {
  /** Where the PNG goes; the summary goes next to it, with the extension `.txt`. */
  out: string;
  backend: BackendName;
}

export interface DemoReport {
  pngPath: string;
  summaryPath: string;
  summary: string;
  width: number;
  height: number;
  /** Tensors still allocated after the run that were not before it (0 when nothing leaks). */
  leakedTensors: number;
}

/** The batch: one scene of each shape class, small enough to read at a glance. */
const COUNT = 5;
const SIZE = 50;
const SCENE_SEED = 4;
/**
 * The mixing seed: the same for all three methods, so that they pair the same partners (partners
 * are the first draw of a call). The first seed from 1 whose shuffle pairs no scene with itself,
 * so that every column shows a mix.
 */
function mixSeed(): number {
  for (let seed = 1; seed <= 1000; seed++) {
    if (sampleMixupParams(COUNT, { seed, mode: 'elem' }).partners.every((p, i) => p !== i)) return seed;
  }
  throw new Error(`No seed up to 1000 pairs each of the ${COUNT} scenes with another one.`);
}

export const DEMO_USAGE = `Usage: npm run demo -- [--out PATH.png] [--backend cpu|wasm]

Mixes ${COUNT} sample scenes with mixup, cutMix, resizeMix, fmix, saliencyMix and attentiveCutMix
(built-in saliency extractor) and writes a PNG grid and a text summary (PATH.txt) next to it.

  --out PATH.png     the picture (default demo-output/demo.png)
  --backend NAME     cpu (default) or wasm
  -h, --help         this text`;

/** The demo's command line. */
export function parseDemoArgs(argv: readonly string[]): DemoOptions | 'help' {
  const options: DemoOptions = { out: 'demo-output/demo.png', backend: 'cpu' };
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++k];
      if (v === undefined || v === '') throw new UsageError(`option ${name} needs a value`);
      return v;
    };
    if (name === '-h' || name === '--help') return 'help';
    else if (name === '--out') {
      options.out = value();
      if (!/\.png$/i.test(options.out)) throw new UsageError(`option --out must name a .png file, but got '${options.out}'`);
    } else if (name === '--backend') {
      const v = value();
      if (v !== 'cpu' && v !== 'wasm') throw new UsageError(`option --backend must be cpu or wasm, but got '${v}'`);
      options.backend = v;
    } else throw new UsageError(`unknown argument '${arg}'`);
  }
  return options;
}

/** Runs the demo, writes the PNG and the summary, and returns what it did. */
export async function runDemo(options: Partial<DemoOptions> = {}): Promise<DemoReport> {
  const { out = 'demo-output/demo.png', backend = 'cpu' } = options;
  const used = await loadBackend(backend);
  const before = tf.memory().numTensors;

  const scenes = makeScenes(COUNT, SIZE, SCENE_SEED);
  const seed = mixSeed();
  const settings: MixSettings = { seed, mode: 'elem', alpha: 1, topN: 6, grid: 7 };
  const classNames = [...SHAPE_CLASSES];
  const { labels } = scenes;
  const maps = attentionMaps(saliencyExtractor(), scenes.images);
  let outcomes;
  let images;
  let mapValues: Float32Array;
  try {
    images = await tensorToImages(scenes.images);
    mapValues = (await maps.data()) as Float32Array;
    outcomes = [
      await runMethod('mixup', scenes.images, labels, classNames.length, settings),
      await runMethod('cutmix', scenes.images, labels, classNames.length, settings),
      await runMethod('resizemix', scenes.images, labels, classNames.length, settings),
      await runMethod('fmix', scenes.images, labels, classNames.length, settings),
      await runMethod('saliencymix', scenes.images, labels, classNames.length, settings, maps),
      await runMethod('attentive', scenes.images, labels, classNames.length, settings, maps),
    ];
  } finally {
    tf.dispose([scenes.images, maps]);
  }

  const scale = displayScale(SIZE, 100); // six methods: tiles of 100 px keep the picture small enough for the README
  const sampleNames = labels.map((label, i) => `#${i} ${classNames[label]}`);
  const rows = previewRows({
    images,
    labels,
    classNames,
    sampleCaptions: sampleNames,
    outcomes,
    outcomeTitles: [
      'mixup: λ·x[i] + (1 − λ)·x[partner], λ ~ Beta(1, 1) per sample',
      'cutMix: a box of the partner pasted, λ = exact share of x[i] kept',
      'resizeMix: the whole partner scaled down into a box',
      'fmix: the partner through a mask of low-frequency noise',
      "saliencyMix: a box around the partner's saliency peak",
      `attentiveCutMix: the partner's top ${settings.topN} of ${settings.grid}×${settings.grid} cells pasted`,
    ],
    attention: { maps: mapValues, height: maps.shape[1], width: maps.shape[2], name: 'saliency (saliencyExtractor)' },
    settings,
    captionChars: charsThatFit(SIZE * scale),
  });
  const { canvas, layout } = renderGrid(rows, {
    scale,
    header: ['attentive-cutmix demo', `${COUNT} sample scenes of ${SIZE}×${SIZE} px, seed ${seed}, mode 'elem', backend ${used}; λ is the weight of x[i]`],
  });

  const leakedTensors = tf.memory().numTensors - before;
  const pngPath = resolve(out);
  const summaryPath = pngPath.replace(/\.png$/i, '.txt');
  const summary = [
    `attentive-cutmix demo: ${COUNT} sample scenes (${SIZE}×${SIZE} px, one shape each), seed ${seed}, mode 'elem', backend ${used}`,
    `each output i mixes x[i] (left) with its partner (right of the arrow); λ is the weight of x[i]`,
    '',
    ...outcomes.flatMap((o, k) => [
      [
        'mixup (alpha 1):',
        "cutMix (alpha 1), box [y0, x0, y1, x1], and the share of the partner's object box pasted:",
        'resizeMix (scale 0.1–0.8), box the partner is scaled into:',
        'fmix (alpha 1, decay 3), pixels from the partner:',
        "saliencyMix (alpha 1, saliency extractor), box around the partner's peak, and the share of its object box pasted:",
        `attentiveCutMix (top ${settings.topN} of ${settings.grid}×${settings.grid} cells, saliency extractor), partner's cells r·grid + c, and the share of its object box pasted:`,
      ][k]!,
      // The share of the partner's object pasted, where its pixels are pasted in place (not resizeMix's scaled partner, not fmix's mask).
      ...summarizeOutcome(o, labels, classNames, sampleNames).map((line, i) => {
        const pasted = PASTED_IN_PLACE[k] ? pastedRects(o, i, settings.grid) : undefined;
        return pasted ? `${line}  object ${Math.round(100 * objectShare(scenes.objects[o.partners[i]!]!, pasted))}%` : line;
      }),
      '',
    ]),
    `tensors left allocated by the run: ${leakedTensors}`,
    `grid: ${layout.width} × ${layout.height} px`,
  ].join('\n');
  mkdirSync(dirname(pngPath), { recursive: true });
  writeFileSync(pngPath, canvas.toPng());
  writeFileSync(summaryPath, `${summary}\n`);
  return { pngPath, summaryPath, summary, width: layout.width, height: layout.height, leakedTensors };
}

type Rect = readonly [number, number, number, number];

/** The rectangles `[y0, x0, y1, x1]` of the partner that sample `i` of a cutMix or attentive outcome pasted (none for mixup). */
/** Which outcomes (in the order of the rows) paste the partner's pixels where they were: cutMix, saliencyMix, attentiveCutMix. */
const PASTED_IN_PLACE = [false, true, false, false, true, true];

function pastedRects(o: MixOutcome, i: number, grid: number): Rect[] | undefined {
  if (o.boxes) return [o.boxes[i] as unknown as Rect];
  return o.cells?.[i]!.map((cell) => cellRect(cell, grid, SIZE, SIZE));
}

/** The share of the object's bounding box covered by the (disjoint) pasted rectangles. */
function objectShare([y0, x0, y1, x1]: Rect, pasted: readonly Rect[]): number {
  const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
  const covered = pasted.reduce((sum, [py0, px0, py1, px1]) => sum + overlap(y0, y1, py0, py1) * overlap(x0, x1, px0, px1), 0);
  return covered / ((y1 - y0) * (x1 - x0));
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const options = parseDemoArgs(argv);
    if (options === 'help') {
      console.log(DEMO_USAGE);
      return 0;
    }
    const report = await runDemo(options);
    console.log(report.summary);
    console.log(`\nwrote ${report.pngPath}\n  and ${report.summaryPath}`);
    return report.leakedTensors === 0 ? 0 : 1;
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    console.error(`demo: ${e.message}`);
    return e.exitCode;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
