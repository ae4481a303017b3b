// Measures where weight-free attention points on real photographs, against where pretrained
// classifiers attend: the top 6 of 7×7 cells of each map (as attentiveCutMix ranks them, ties to
// the lower index), and how many of them two maps share. Not a test: it needs the data that
// `node scripts/real-data.mjs` prepares in .cache/real-data/, and it prints numbers to judge.
//
//   npx tsx scripts/measure-saliency.ts
//
// A CNN's attention is the channel mean of its last spatial feature map, pooled to 7×7 as the
// library pools (poolToGrid). Writes .cache/real-data/saliency-report.json.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { type LayersModel, type SymbolicTensor, loadLayersModel } from '@tensorflow/tfjs-layers';

import { poolToGrid } from '../src/cells/pool_to_grid.js';
import { saliencyExtractor } from '../src/attention/saliency.js';
import { type Photo, data, loadPhotos, resized } from './real_photos.js';

const GRID = 7;
const TOP = 6;
const SIZE = 224; // what the saliency extractors see: a training-sized batch
// The Keras models' batch norms were refitted to a [0, 1] input when their heads were fine-tuned
// (nsfwjs feeds them x / 255): their input statistics match the moving statistics at [0, 1] and
// not at the [-1, 1] of Keras's ImageNet preprocessing (the check is printed with each model).
// KERAS_RANGE='[-1,1]' runs them the other way, for comparison.
const KERAS_RANGE = process.env.KERAS_RANGE ?? '[0,1]';

// ---------------------------------------------------------------------------------------------
// The pretrained CNNs.

interface Cnn {
  name: string;
  /** For the per-photo table. */
  short: string;
  size: number;
  /** Attention `[1, h, w]` for one photo batch `[1, size, size, 3]` in [0, 255]. */
  attend(x: tf.Tensor4D): tf.Tensor3D;
  describe: string;
}

function readModel(name: string): { json: tf.io.ModelJSON; weights: ArrayBuffer } {
  const dir = join(data, 'models', name);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const all = Buffer.concat(buffers);
  return { json, weights: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}

function graphCnn(): Cnn {
  const { json, weights } = readModel('mobilenet_v2_mid');
  const model = loadGraphModelSync([json, weights]);
  const prefix = 'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/';
  const node = `${prefix}MobilenetV2/Conv_1/Relu6`;
  // Its graph begins with hub_input/Mul and hub_input/Sub: it maps a [0, 1] input to [-1, 1] itself.
  const [mul, sub] = ['Mul', 'Sub'].map((op) => (model.weights[`${prefix}hub_input/${op}/y`]![0]!.dataSync() as Float32Array)[0]);
  return {
    name: 'mobilenet_v2_mid',
    short: 'mid',
    size: 224,
    describe: `graph model (TF-Hub MobileNetV2, 48 stem filters, uint8-quantized), input [0,1] (graph: x·${mul} − ${sub}), feature node MobilenetV2/Conv_1/Relu6`,
    attend: (x) => tf.tidy(() => tf.mean(model.execute(tf.div(x, 255), node) as tf.Tensor4D, 3) as tf.Tensor3D),
  };
}

async function layersCnn(name: string, size: number): Promise<Cnn> {
  const { json, weights } = readModel(name);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const model: LayersModel = await loadLayersModel({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs, weightData: weights }) });
  // The last layer whose output is a spatial map, before the head flattens it.
  const last = [...model.layers].reverse().find((l) => {
    const shape = l.outputShape as number[];
    return shape.length === 4 && shape[1]! > 1;
  })!;
  const featureName = (last.output as SymbolicTensor).name;
  const c = normalisationCheck(model);
  const fmt = (v: number) => v.toFixed(2);
  return {
    name,
    short: name === 'inception_v3' ? 'incv3' : 'mnv2',
    size,
    describe:
      `Keras layers model, input ${KERAS_RANGE}; batch-norm input means vs moving means, mean |z|: ` +
      `[-1,1] first ${fmt(c.firstMinus1To1!)} all ${fmt(c.allMinus1To1!)}, [0,1] first ${fmt(c.firstZeroTo1!)} all ${fmt(c.allZeroTo1!)}; feature layer ${last.name} ${JSON.stringify(last.outputShape)}`,
    attend: (x) => tf.tidy(() => tf.mean(model.execute(KERAS_RANGE === '[0,1]' ? tf.div(x, 255) : tf.sub(tf.div(x, 127.5), 1), featureName) as tf.Tensor4D, 3) as tf.Tensor3D),
  };
}

/**
 * Which input range the model's batch norms were last fitted to: a layer's moving mean and
 * variance are the statistics of its input on the data it was trained on, so the right input
 * range gives statistics close to them on natural photographs. Checked over every batch norm
 * layer at once (the heads were fine-tuned, and that may have refitted the statistics).
 */
let checkPhotos: tf.Tensor4D | undefined;
function normalisationCheck(model: LayersModel): Record<string, number> {
  const layers = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  const stats = layers.map((bn) => {
    const names = bn.weights.map((w) => w.originalName);
    const weights = bn.getWeights();
    return { mean: weights[names.findIndex((n) => n.endsWith('moving_mean'))]!, variance: weights[names.findIndex((n) => n.endsWith('moving_variance'))]! };
  });
  const inputNames = layers.map((bn) => (bn.input as { name: string }).name);
  const size = (model.inputs[0]!.shape as number[])[1]!;
  const score = (toRange: (x: tf.Tensor) => tf.Tensor) =>
    tf.tidy(() => {
      const x = toRange(tf.image.resizeBilinear(checkPhotos!, [size, size])) as tf.Tensor4D;
      const outs = model.execute(x, inputNames) as tf.Tensor4D[];
      const zs = outs.map((pre, i) => {
        const { mean } = tf.moments(pre, [0, 1, 2]);
        return tf.mean(tf.abs(tf.div(tf.sub(mean, stats[i]!.mean), tf.sqrt(tf.add(stats[i]!.variance, 1e-3))))).dataSync()[0]!;
      });
      return { first: zs[0]!, all: zs.reduce((a, b) => a + b, 0) / zs.length };
    });
  const m1 = score((x) => tf.sub(tf.div(x, 127.5), 1));
  const z1 = score((x) => tf.div(x, 255));
  return { firstMinus1To1: m1.first, allMinus1To1: m1.all, firstZeroTo1: z1.first, allZeroTo1: z1.all };
}

// ---------------------------------------------------------------------------------------------
// Weight-free maps, on `[1, 224, 224, 3]` in [0, 1].

type Variant = { name: string; short: string; map: (x: tf.Tensor4D) => tf.Tensor3D };

/** The saliency of version 0.1.0, frozen here for comparison. */
function oldSaliency(images: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const [, height, width] = images.shape;
    const scale = Math.min(1, 64 / Math.min(height, width));
    const size: [number, number] = [Math.max(1, Math.round(height * scale)), Math.max(1, Math.round(width * scale))];
    const x = scale < 1 ? tf.image.resizeBilinear(tf.cast(images, 'float32'), size) : tf.cast(images, 'float32');
    const window = 2 * Math.max(1, Math.round(Math.min(...size) / 24)) + 1;
    const blurred = tf.avgPool(tf.avgPool(x as tf.Tensor4D, window, 1, 'same'), window, 1, 'same');
    return tf.sqrt(tf.sum(tf.square(tf.sub(blurred, tf.mean(x, [1, 2], true))), 3)) as tf.Tensor3D;
  });
}

/** A Gaussian bump at the image centre, where photographers put the subject (any width ranks the cells alike). */
function centrePrior(x: tf.Tensor4D): tf.Tensor3D {
  const [b, h, w] = x.shape;
  return tf.tidy(() => {
    const ys = tf.div(tf.sub(tf.range(0, h), (h - 1) / 2), h);
    const xs = tf.div(tf.sub(tf.range(0, w), (w - 1) / 2), w);
    const d2 = tf.add(tf.reshape(tf.square(ys), [h, 1]), tf.reshape(tf.square(xs), [1, w]));
    return tf.tile(tf.expandDims(tf.exp(tf.div(d2, -2 * 0.25 * 0.25)), 0), [b, 1, 1]) as tf.Tensor3D;
  });
}

const newSaliency = saliencyExtractor();
const newWithoutPrior = saliencyExtractor({ centrePrior: false });
const VARIANTS: Variant[] = [
  { name: 'old saliency (0.1.0)', short: 'old', map: oldSaliency },
  { name: 'new saliency', short: 'new', map: (x) => newSaliency.extract(x) as tf.Tensor3D },
  { name: 'new saliency, no centre prior', short: 'new-np', map: (x) => newWithoutPrior.extract(x) as tf.Tensor3D },
  { name: 'centre prior alone', short: 'prior', map: centrePrior },
];

// ---------------------------------------------------------------------------------------------
// Ranking and overlap.

/** The top cells of a 49-value map, as the library ranks: highest first, ties to the lower index, non-finite last. */
function topCells(values: ArrayLike<number>): number[] {
  const key = (i: number) => (Number.isFinite(values[i]!) ? values[i]! : -Infinity);
  return Array.from({ length: values.length }, (_, i) => i)
    .sort((i, j) => key(j) - key(i) || i - j)
    .slice(0, TOP);
}

const overlap = (a: number[], b: number[]) => a.filter((c) => b.includes(c)).length;

function gridOf(map: tf.Tensor3D): number[] {
  return tf.tidy(() => Array.from(poolToGrid(map, GRID).dataSync()));
}

// ---------------------------------------------------------------------------------------------
// Views: each photograph's centre square, and its four corner squares of 70 % of the side,
// where the subject is no longer centred (as after the random crops of a training pipeline).

const CORNER_SHARE = 0.7;
const VIEWS = ['centre', 'top-left', 'top-right', 'bottom-left', 'bottom-right'] as const;

function view(photo: Photo, which: (typeof VIEWS)[number]): Photo {
  if (which === 'centre') return photo;
  const side = photo.pixels.shape[0];
  const crop = Math.round(side * CORNER_SHARE);
  const y = which.startsWith('top') ? 0 : side - crop;
  const x = which.endsWith('left') ? 0 : side - crop;
  return { name: `${photo.name} ${which}`, pixels: tf.slice(photo.pixels, [y, x, 0], [crop, crop, 3]) };
}

tf.env().set('PROD', true);
await tf.setBackend('wasm');
await tf.ready();

const photos = loadPhotos();
checkPhotos = tf.tidy(() => tf.concat(photos.filter((_, i) => i % 4 === 0).map((p) => resized(p, 299))) as tf.Tensor4D);
const cnns: Cnn[] = [graphCnn(), await layersCnn('mobilenet_v2', 224), await layersCnn('inception_v3', 299)];
checkPhotos.dispose();
for (const c of cnns) console.log(`${c.name}: ${c.describe}`);

// tops[map name][view][photo]: the top cells of that map on that view of that photo.
const tops: Record<string, Record<string, number[][]>> = {};
const record = (map: string, which: string, cells: number[]) => ((tops[map] ??= {})[which] ??= []).push(cells);
for (const photo of photos) {
  for (const which of VIEWS) {
    const v = view(photo, which);
    for (const cnn of cnns) {
      const x = resized(v, cnn.size);
      const map = cnn.attend(x);
      record(cnn.name, which, topCells(gridOf(map)));
      tf.dispose([x, map]);
    }
    const x = tf.tidy(() => tf.div(resized(v, SIZE), 255) as tf.Tensor4D);
    for (const variant of VARIANTS) {
      const map = variant.map(x);
      record(variant.name, which, topCells(gridOf(map)));
      map.dispose();
    }
    x.dispose();
    if (v !== photo) v.pixels.dispose();
  }
}

const chance = (TOP * TOP) / (GRID * GRID);
const pairs: [string, string][] = [
  ...VARIANTS.flatMap((v) => cnns.map((c) => [v.name, c.name] as [string, string])),
  ...cnns.flatMap((a, i) => cnns.slice(i + 1).map((b) => [a.name, b.name] as [string, string])),
];
const stats = (values: number[]) => {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1));
  return { mean, standardError: sd / Math.sqrt(values.length) };
};
const rows = pairs.map(([a, b]) => {
  const per = (which: string) => photos.map((_, i) => overlap(tops[a]![which]![i]!, tops[b]![which]![i]!));
  const centre = per('centre');
  // A photo's four corner views are not independent: average them per photo first.
  const corners = photos.map((_, i) => VIEWS.slice(1).reduce((s, w) => s + per(w)[i]!, 0) / (VIEWS.length - 1));
  return { a, b, centre: { ...stats(centre), perPhoto: centre }, corners: { ...stats(corners), perPhoto: corners } };
});

const pad = (s: string, n: number) => s.padEnd(n);
const cell = (r: { mean: number; standardError: number }) => pad(`${r.mean.toFixed(2)} ± ${r.standardError.toFixed(2)}`, 16);
console.log(`\nTop ${TOP} of ${GRID}×${GRID} cells: mean overlap (of ${TOP}) ± standard error over ${photos.length} photographs; chance ${chance.toFixed(2)}`);
console.log(`centre: the photo's centre square; corners: its four corner squares of ${CORNER_SHARE * 100} % of the side, averaged per photo\n`);
console.log(`${pad('map', 30)} ${pad('vs', 18)} ${pad('centre', 16)} corners`);
for (const r of rows) console.log(`${pad(r.a, 30)} ${pad(r.b, 18)} ${cell(r.centre)} ${cell(r.corners).trim()}`);
// Paired differences: the same photos and models, so the photos' own difficulty cancels.
const paired = (a: string, b: string) =>
  cnns.map((c) => {
    const [ra, rb] = [rows.find((r) => r.a === a && r.b === c.name)!, rows.find((r) => r.a === b && r.b === c.name)!];
    const diff = (which: 'centre' | 'corners') => stats(ra[which].perPhoto.map((v, i) => v - rb[which].perPhoto[i]!));
    return { a, b, cnn: c.name, centre: diff('centre'), corners: diff('corners') };
  });
const differences = [...paired('new saliency', 'centre prior alone'), ...paired('new saliency', 'old saliency (0.1.0)')];
console.log(`\nPaired differences of the mean overlap, per photo (± standard error):\n${pad('', 62)} ${pad('centre', 16)} corners`);
for (const d of differences) console.log(`${pad(`${d.a} − ${d.b}, vs ${d.cnn}`, 62)} ${cell(d.centre)} ${cell(d.corners).trim()}`);

const shortNames = new Map([...VARIANTS, ...cnns].map((m) => [m.name, m.short]));
const short = (name: string) => shortNames.get(name)!;
console.log(`\nPer photograph, centre view (overlap of ${TOP}):\n${pad('photo', 16)}${rows.map((r) => pad(`${short(r.a)}/${short(r.b)}`, 14)).join('')}`);
photos.forEach((p, i) => console.log(`${pad(p.name, 16)}${rows.map((r) => pad(String(r.centre.perPhoto[i]), 14)).join('')}`));

writeFileSync(
  join(data, 'saliency-report.json'),
  `${JSON.stringify({ grid: GRID, top: TOP, chance, cornerShare: CORNER_SHARE, photos: photos.map((p) => p.name), models: cnns.map((c) => ({ name: c.name, describe: c.describe })), pairs: rows, differences, topCells: tops }, null, 1)}\n`,
);
console.log(`\nWritten to ${join(data, 'saliency-report.json')}`);
tf.dispose(photos.map((p) => p.pixels));
