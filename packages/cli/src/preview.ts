// What the demo and the preview command share: running a mixing method on a batch, reading its
// result back, and turning it into grid rows (base, partner, attention, results) and a summary.
import * as tf from '@tensorflow/tfjs-core';
import { type AttentionExtractor, type MixMode, type Seed, attentiveCutMix, cutMix, fmix, mixup, resizeMix, saliencyMix } from 'attentive-cutmix';

import type { RgbImage } from './canvas.js';
import { type GridRow, type Tile, cellRect } from './grid.js';
import { heatmapImage } from './heatmap.js';

/** The mixing methods, by their command-line names. */
export const METHODS = ['attentive', 'cutmix', 'mixup', 'resizemix', 'saliencymix', 'fmix'] as const;
export type Method = (typeof METHODS)[number];

/** The library function behind each method. */
export const METHOD_FUNCTIONS: Record<Method, string> = { attentive: 'attentiveCutMix', cutmix: 'cutMix', mixup: 'mixup', resizemix: 'resizeMix', saliencymix: 'saliencyMix', fmix: 'fmix' };

/** The methods that take attention (an extractor or maps), and so --model. */
export const ATTENTION_METHODS: readonly Method[] = ['attentive', 'saliencymix'];
/** The methods whose lambda is drawn from Beta(alpha, alpha), and so --alpha. */
export const ALPHA_METHODS: readonly Method[] = ['cutmix', 'mixup', 'saliencymix', 'fmix'];

/** The parameters of a preview run. */
export interface MixSettings {
  seed: Seed;
  mode: MixMode;
  /** Beta(alpha, alpha) for mixup and cutMix. */
  alpha: number;
  /** attentiveCutMix: cells pasted and grid size. */
  topN: number;
  grid: number;
  /** resizeMix: the range of the scale τ. Default the library's. */
  scale?: readonly [number, number];
  /** fmix: the decay power δ. Default the library's. */
  decay?: number;
}

/** A mixing result read back into plain arrays. */
export interface MixOutcome {
  method: Method;
  images: RgbImage[];
  lambda: number[];
  /** Mixed labels, one row of K weights per sample. */
  labels: number[][];
  partners: number[];
  /** cutMix, saliencyMix: `[y0, x0, y1, x1]` of the pasted box; resizeMix: of the box the partner was scaled into. */
  boxes?: number[][];
  /** attentiveCutMix: the partner's pasted cells per sample (−1 where not mixed). */
  cells?: number[][];
  /** fmix: how many pixels of each sample show the partner. */
  pastedPixels?: number[];
}

/** A batch as one {@link RgbImage} per sample (channels beyond 3 ignored, 1 channel shown as grey). */
export async function tensorToImages(batch: tf.Tensor4D): Promise<RgbImage[]> {
  const [b, height, width, channels] = batch.shape;
  const values = await batch.data();
  return Array.from({ length: b }, (_, i) => {
    const data = new Float32Array(height * width * 3);
    for (let p = 0; p < height * width; p++) {
      for (let c = 0; c < 3; c++) data[3 * p + c] = values[(i * height * width + p) * channels + Math.min(c, channels - 1)]!;
    }
    return { height, width, data };
  });
}

/** Stacks same-sized images into a float32 `[B, H, W, 3]` batch. */
export function imagesToTensor(images: readonly RgbImage[]): tf.Tensor4D {
  const { height, width } = images[0]!;
  const data = new Float32Array(images.length * height * width * 3);
  images.forEach((image, i) => data.set(image.data, i * height * width * 3));
  return tf.tensor4d(data, [images.length, height, width, 3]);
}

/**
 * The attention maps of a batch, `[B, h, w]` float32 (a `[B, h, w, C]` map is averaged over its
 * channels, as attentiveCutMix does). The caller owns the result.
 */
export function attentionMaps(extractor: AttentionExtractor, images: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const map = extractor.extract(images);
    const map3 = map.rank === 4 ? tf.mean(map, 3) : map;
    return tf.cast(map3, 'float32') as tf.Tensor3D;
  });
}

/**
 * Runs one method on `images` with class ids `labels`, reads the result back and disposes it.
 * attentiveCutMix and saliencyMix use the given attention maps (so that the maps shown are the maps used).
 */
export async function runMethod(
  method: Method,
  images: tf.Tensor4D,
  labels: readonly number[],
  numClasses: number,
  settings: MixSettings,
  attention?: tf.Tensor3D,
): Promise<MixOutcome> {
  const common = { numClasses, seed: settings.seed, mode: settings.mode };
  const ids = tf.tensor1d(labels as number[], 'int32');
  const source = attention ? { extract: () => attention } : undefined;
  let result: ReturnType<typeof mixup> & { boxes?: tf.Tensor2D; cells?: tf.Tensor2D; masks?: tf.Tensor3D };
  try {
    switch (method) {
      case 'attentive':
        result = attentiveCutMix(images, ids, source, { ...common, topN: settings.topN, grid: settings.grid });
        break;
      case 'saliencymix':
        result = saliencyMix(images, ids, source, { ...common, alpha: settings.alpha });
        break;
      case 'cutmix':
        result = cutMix(images, ids, { ...common, alpha: settings.alpha });
        break;
      case 'resizemix':
        result = resizeMix(images, ids, { ...common, ...(settings.scale ? { scale: settings.scale } : {}) });
        break;
      case 'fmix':
        result = fmix(images, ids, { ...common, alpha: settings.alpha, ...(settings.decay === undefined ? {} : { decay: settings.decay }) });
        break;
      case 'mixup':
        result = mixup(images, ids, { ...common, alpha: settings.alpha });
    }
  } finally {
    ids.dispose();
  }
  try {
    return {
      method,
      images: await tensorToImages(result.images),
      lambda: Array.from(await result.lambda.data()),
      labels: (await result.labels.array()) as number[][],
      partners: Array.from(await result.partners.data()),
      ...(result.boxes ? { boxes: (await result.boxes.array()) as number[][] } : {}),
      ...(result.cells ? { cells: (await result.cells.array()) as number[][] } : {}),
      ...(result.masks ? { pastedPixels: ((await result.masks.array()) as number[][][]).map((m) => m.flat().filter(Boolean).length) } : {}),
    };
  } finally {
    tf.dispose(result);
  }
}

/**
 * The weights of a mixed label row as whole percentages that add up to 100 (largest remainders),
 * `first` first and the rest by weight; classes under half a percent are left out. Equal
 * remainders (to float32 rounding) go to `first`, then to the larger weight, so that a lambda is
 * rounded one way whatever the classes' order: 0.625 is 63 % of the sample's own class, as
 * lambda's two decimals (0.63) say.
 */
export function labelShares(row: readonly number[], first: number): { index: number; percent: number }[] {
  const total = row.reduce((s, v) => s + (v > 0 ? v : 0), 0);
  if (!(total > 0)) return [];
  const entries = row.map((v, index) => ({ index, exact: (100 * Math.max(0, v)) / total })).filter((e) => e.exact >= 0.5);
  const floors = entries.map((e) => ({ ...e, percent: Math.floor(e.exact) }));
  let left = 100 - floors.reduce((s, e) => s + e.percent, 0);
  const remainder = (e: { exact: number; percent: number }) => e.exact - e.percent;
  const byClaim = (a: (typeof floors)[number], b: (typeof floors)[number]) =>
    Math.abs(remainder(b) - remainder(a)) > 1e-4 ? remainder(b) - remainder(a) : Number(b.index === first) - Number(a.index === first) || b.exact - a.exact || a.index - b.index;
  for (const e of [...floors].sort(byClaim)) {
    if (left <= 0) break;
    e.percent += 1;
    left -= 1;
  }
  return floors
    .filter((e) => e.percent > 0)
    .sort((a, b) => (a.index === first ? -1 : b.index === first ? 1 : b.exact - a.exact))
    .map(({ index, percent }) => ({ index, percent }));
}

/** "78% disc + 22% ring" for a mixed label row. */
export function describeLabel(row: readonly number[], classNames: readonly string[], first: number): string[] {
  return labelShares(row, first).map(({ index, percent }) => `${percent}% ${classNames[index] ?? `class ${index}`}`);
}

/**
 * The caption of a result image: lambda and the mixed label, on one line when it fits in
 * `maxChars`, else lambda above the label, else one label part per line.
 */
export function resultCaption(lambda: number, parts: readonly string[], maxChars: number): string[] {
  const lam = `λ ${lambda.toFixed(2)}`;
  const mix = parts.join(' + ');
  if ([...`${lam} · ${mix}`].length <= maxChars) return [`${lam} · ${mix}`];
  if ([...mix].length <= maxChars) return [lam, mix];
  return [lam, ...parts.map((p, i) => (i === 0 ? p : `+ ${p}`))];
}

/** What {@link previewRows} draws. */
export interface PreviewInput {
  /** The batch, one image per sample. */
  images: readonly RgbImage[];
  /** Class id of each sample, into `classNames`. */
  labels: readonly number[];
  classNames: readonly string[];
  /** A short caption for each sample, e.g. "#0 disc". */
  sampleCaptions: readonly string[];
  /** Results, one row each, in order; all must pair the same partners. */
  outcomes: readonly MixOutcome[];
  /** Titles of the result rows (default: the library function's name). */
  outcomeTitles?: readonly string[];
  /** The attention maps `[B, h, w]` and what to call them; shown with the attentive outcome's cells, or the saliencyMix outcome's boxes. */
  attention?: { maps: Float32Array; height: number; width: number; name: string };
  settings: MixSettings;
  /** Characters that fit under an image, for the captions. */
  captionChars: number;
}

/** The rows of a preview grid: base, partner, the partner's attention (with an attentiveCutMix or saliencyMix outcome), results. */
export function previewRows(input: PreviewInput): GridRow[] {
  const { images, labels, classNames, sampleCaptions, outcomes, settings } = input;
  const partners = outcomes[0]?.partners;
  if (!partners) throw new Error('previewRows needs at least one outcome.');
  outcomes.forEach((o) => {
    if (o.partners.some((p, i) => p !== partners[i])) throw new Error(`The ${METHOD_FUNCTIONS[o.method]} result paired other partners than the ${METHOD_FUNCTIONS[outcomes[0]!.method]} result.`);
  });
  const { height, width } = images[0]!;
  const attentive = outcomes.find((o) => o.method === 'attentive') ?? outcomes.find((o) => o.method === 'saliencymix');
  // With one outcome that pastes a box from the partner at the same place, the box is outlined on the partner.
  const boxed = outcomes.length === 1 && (outcomes[0]!.method === 'cutmix' || outcomes[0]!.method === 'saliencymix') ? outcomes[0] : undefined;
  const rows: GridRow[] = [
    { key: 'base', title: 'base image x[i]', tiles: images.map((image, i) => ({ image, caption: [sampleCaptions[i]!] })) },
    {
      key: 'partner',
      title: boxed ? 'partner x[partners[i]], the pasted box outlined' : 'partner x[partners[i]]',
      tiles: partners.map((p, i) => ({
        image: images[p]!,
        caption: p === i ? [sampleCaptions[p]!, 'itself: not mixed'] : [sampleCaptions[p]!],
        ...(boxed ? { outlines: [boxed.boxes![i]! as unknown as readonly [number, number, number, number]] } : {}),
      })),
    },
  ];
  if (attentive && input.attention) {
    const { maps, height: mh, width: mw, name } = input.attention;
    const { grid, topN } = settings;
    const cellsOf = (i: number) => attentive.cells?.[i]!.filter((c) => c >= 0) ?? [];
    const boxOf = (i: number) => attentive.boxes?.[i] as unknown as readonly [number, number, number, number] | undefined;
    rows.push({
      key: 'attention',
      title: attentive.method === 'attentive' ? `partner's ${name}, its top ${topN} of ${grid}×${grid} cells outlined` : `partner's ${name}, the box around its peak outlined`,
      tiles: partners.map((p, i): Tile => {
        const image = heatmapImage(maps.subarray(p * mh * mw, (p + 1) * mh * mw), mh, mw, images[p]!);
        if (attentive.method !== 'attentive') {
          const box = boxOf(i)!;
          return { image, outlines: [box], caption: [box[2] > box[0] ? `box ${box.join(' ')}` : 'not mixed'] };
        }
        const cells = cellsOf(i);
        return { image, cellGrid: grid, outlines: cells.map((c) => cellRect(c, grid, height, width)), caption: [cells.length ? `cells ${cells.join(' ')}` : 'not mixed'] };
      }),
    });
  }
  outcomes.forEach((o, k) => {
    rows.push({
      key: `result:${o.method}`,
      title: input.outcomeTitles?.[k] ?? METHOD_FUNCTIONS[o.method],
      tiles: o.images.map((image, i) => ({
        image,
        caption: resultCaption(o.lambda[i]!, describeLabel(o.labels[i]!, classNames, labels[i]!), input.captionChars),
      })),
    });
  });
  return rows;
}

/** One line per sample describing an outcome, for the printed summary. */
export function summarizeOutcome(o: MixOutcome, labels: readonly number[], classNames: readonly string[], sampleNames: readonly string[]): string[] {
  const width = Math.max(...sampleNames.map((n) => [...n].length));
  return o.partners.map((p, i) => {
    const pair = `${sampleNames[i]!.padEnd(width)} ← ${sampleNames[p]!.padEnd(width)}`;
    const label = describeLabel(o.labels[i]!, classNames, labels[i]!).join(' + ');
    const where = o.boxes ? `  box [${o.boxes[i]!.join(', ')}]` : o.cells ? `  cells [${o.cells[i]!.join(', ')}]` : o.pastedPixels ? `  ${o.pastedPixels[i]} px from the partner` : '';
    return `  ${pair}  λ ${o.lambda[i]!.toFixed(4)}  ${label}${where}`;
  });
}
