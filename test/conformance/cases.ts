// The conformance cases: every public op, on inputs made from a seeded stream (not tf.random, so
// they are the same bytes on every backend), returning every output the op gives. The same cases
// run in Node and in the browser; see runner.ts.
import * as tf from '@tensorflow/tfjs-core';

import { poolToGrid } from '../../src/cells/pool_to_grid.js';
import { type AttentionExtractor, attentiveCutMix, createMixer, createRng, cutMix, fmix, mixup, resizeMix, saliencyExtractor, saliencyMix } from '../../src/index.js';

/** The extractors, made on the backend under test. */
export interface CaseContext {
  /** loadAttentionExtractor of the tiny-cnn graph model's files. */
  graphExtractor: AttentionExtractor;
  /** loadAttentionExtractor of the keras-cnn layers model's files. */
  layersExtractor: AttentionExtractor;
  /** loadAttentionExtractor of keras-cnn as a tf.LayersModel loaded by tfjs-layers, at its layer 'pool1'. */
  modelExtractor: AttentionExtractor;
  /** camExtractor of that LayersModel: 'features' weighted by the Dense 'logits' for each sample's label. */
  camExtractor: AttentionExtractor;
}

export interface ConformanceCase {
  readonly name: string;
  /** Runs the op on a batch of `batchSize` and returns its outputs by name (the caller disposes them). */
  run(context: CaseContext, batchSize: number): Record<string, tf.Tensor>;
  /** Float outputs the fused kernels must give bit for bit on every backend (the composite paths within rounding). */
  readonly exact?: readonly string[];
  /** The grid of each `cells` output, for the checks of half-float runs (see compare.ts). */
  readonly grids?: Readonly<Record<string, number>>;
  /**
   * Outputs that are attention maps an extractor computed on the device: compared within rounding
   * on float32 backends, not on half-float ones, where every op of their computation rounds to float16.
   */
  readonly computedMaps?: readonly string[];
  /**
   * `cells` outputs that half-float textures must give exactly as cpu does: those picked from maps
   * whose every value float16 holds (elsewhere a sample may get other cells there, see compare.ts).
   */
  readonly halfFloatExact?: readonly string[];
}

/**
 * With `inputs` set, every case also returns its inputs as `input 0`, `input 1`, … (as the
 * backend holds them: on half-float textures, rounded), for the checks that compare a result with
 * what it was made from. Off while kernels are counted.
 */
export const reporting = { inputs: false };

function images(batchSize: number, [h, w, c]: [number, number, number], dtype: 'float32' | 'int32', seed: string): tf.Tensor4D {
  const rng = createRng(seed);
  const values = Array.from({ length: batchSize * h * w * c }, () => (dtype === 'int32' ? Math.floor(rng.uniform() * 256) : rng.uniform()));
  return tf.tensor4d(values, [batchSize, h, w, c], dtype);
}

const classIds = (batchSize: number, numClasses: number) => Array.from({ length: batchSize }, (_, i) => (i * 7) % numClasses);
const oneHot = (batchSize: number, numClasses: number) => tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(classIds(batchSize, numClasses), 'int32'), numClasses), 'float32'));

/** The cells of an attentiveCutMix result, its other outputs disposed. */
function cellsOf(result: ReturnType<typeof attentiveCutMix>): tf.Tensor {
  tf.dispose([result.images, result.labels, result.lambda, result.partners]);
  return result.cells;
}

/** Runs `op` on inputs it makes, and disposes the inputs (reported, when asked, as `${prefix}input k`). */
function withInputs(make: () => tf.Tensor[], op: (...inputs: tf.Tensor[]) => Record<string, tf.Tensor>, prefix = ''): Record<string, tf.Tensor> {
  const inputs = make();
  try {
    const outputs = op(...inputs);
    if (reporting.inputs) inputs.forEach((t, k) => (outputs[`${prefix}input ${k}`] = tf.clone(t)));
    return outputs;
  } finally {
    tf.dispose(inputs);
  }
}

/**
 * Attention maps with many exact ties, larger than the grid and not divided by it: `kind` 0 a
 * constant map, 1 a constant background with noise in three rectangles, 2 values from a small set;
 * with `nonFinite`, every seventh value then NaN, +Infinity or −Infinity in turn.
 */
function tiedMaps(batchSize: number, h: number, w: number, kind: number, seed: string, nonFinite = false): tf.Tensor3D {
  const rng = createRng(seed);
  const maps = Array.from({ length: batchSize }, () => {
    const level = Math.fround(rng.uniform() * 4 - 1);
    const map = Array.from({ length: h }, () => Array.from({ length: w }, () => (kind === 2 ? [-1, 0, 0.25, 0.5, 1, 3][Math.floor(rng.uniform() * 6)]! : level)));
    for (let n = 0; kind === 1 && n < 3; n++) {
      const [y0, x0] = [Math.floor(rng.uniform() * h), Math.floor(rng.uniform() * w)];
      for (let y = y0; y < Math.min(h, y0 + 6); y++) for (let x = x0; x < Math.min(w, x0 + 6); x++) map[y]![x] = rng.uniform() * 4;
    }
    return map;
  });
  const special = [Number.NaN, Infinity, -Infinity];
  const values = maps.flat(2).map((v, i) => (nonFinite && i % 7 === 3 ? special[Math.floor(i / 7) % 3]! : v));
  return tf.tensor3d(values, [batchSize, h, w]);
}

/**
 * (grid, h, w) of maps that no grid divides, each kind four times, then three grids of more than
 * 256 cells (the GPU kernels sort those with a bitonic network, fewer by pairwise ranks).
 */
const TIED = [
  ...Array.from({ length: 12 }, (_, k) => ({ grid: 2 + (k % 7), h: 9 + ((k * 13) % 29), w: 10 + ((k * 7) % 23), kind: k % 3 })),
  { grid: 17, h: 40, w: 37, kind: 0 },
  { grid: 20, h: 23, w: 45, kind: 1 },
  { grid: 23, h: 50, w: 29, kind: 2 },
];

/**
 * (grid, kind) of maps one value per cell, so that each NaN or ±Infinity stays in its own cell;
 * kind 2's values and kind 0's ties survive half-float textures. 529 cells: the GPU kernels sort
 * those with a bitonic network.
 */
const NON_FINITE = [
  { grid: 5, kind: 0 },
  { grid: 7, kind: 2 },
  { grid: 23, kind: 2 },
];

export const CASES: ConformanceCase[] = [
  {
    name: 'mixup, elem mode, float32 images, smoothed one-hot labels',
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'mixup-x'), oneHot(b, 10)],
        (x, y) => mixup(x as tf.Tensor4D, y!, { seed: 1, mode: 'elem', alpha: 0.4, labelSmoothing: 0.1 }),
      ),
  },
  {
    name: 'mixup, batch mode, int32 images, class-id array',
    run: (_, b) => withInputs(() => [images(b, [16, 20, 3], 'int32', 'mixup-int')], (x) => mixup(x as tf.Tensor4D, classIds(b, 5), { seed: 2, numClasses: 5, partner: 'flip' })),
  },
  {
    name: 'cutMix, elem mode, float32 images',
    run: (_, b) =>
      withInputs(() => [images(b, [24, 20, 3], 'float32', 'cutmix-x'), oneHot(b, 10)], (x, y) => cutMix(x as tf.Tensor4D, y!, { seed: 3, mode: 'elem', prob: 0.8 })),
  },
  {
    name: 'cutMix, batch mode, int32 images, minMax boxes',
    run: (_, b) =>
      withInputs(() => [images(b, [20, 24, 3], 'int32', 'cutmix-int')], (x) => cutMix(x as tf.Tensor4D, classIds(b, 7), { seed: 4, numClasses: 7, minMax: [0.2, 0.6], partner: 'roll' })),
  },
  {
    name: 'attentiveCutMix, built-in saliency, elem mode, grid 4',
    grids: { cells: 4 },
    computedMaps: ['saliency map'],
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'attentive-x'), oneHot(b, 10)],
        // The map itself too: maps computed on different backends agree within rounding, not bit for bit (docs/backends.md).
        (x, y) => ({ ...attentiveCutMix(x as tf.Tensor4D, y!, saliencyExtractor(), { seed: 5, mode: 'elem', prob: 0.7, grid: 4, topN: 5 }), 'saliency map': saliencyExtractor().extract(x as tf.Tensor4D) }),
      ),
  },
  {
    name: "attentiveCutMix, graph-model extractor, labelMode 'attention'",
    grids: { cells: 7 },
    run: ({ graphExtractor }, b) =>
      withInputs(
        () => [images(b, [28, 28, 3], 'float32', 'attentive-graph')],
        (x) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), graphExtractor, { seed: 6, numClasses: 10, labelMode: 'attention' }),
      ),
  },
  {
    name: "attentiveCutMix, layers-model extractor from files, labelMode 'attention'",
    grids: { cells: 7 },
    run: ({ layersExtractor }, b) =>
      withInputs(
        () => [images(b, [28, 28, 3], 'float32', 'attentive-layers')],
        (x) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), layersExtractor, { seed: 8, numClasses: 10, labelMode: 'attention' }),
      ),
  },
  {
    name: 'attentiveCutMix, a LayersModel passed to loadAttentionExtractor, int32 images, elem mode',
    grids: { cells: 4 },
    run: ({ modelExtractor }, b) =>
      withInputs(
        () => [images(b, [32, 32, 3], 'int32', 'attentive-model')],
        (x) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), modelExtractor, { seed: 9, numClasses: 10, mode: 'elem', grid: 4, topN: 5 }),
      ),
  },
  {
    name: "attentiveCutMix, camExtractor (classifierLayer 'logits'), one-hot labels",
    grids: { cells: 4 },
    run: ({ camExtractor }, b) =>
      withInputs(
        () => [images(b, [32, 32, 3], 'float32', 'attentive-cam'), oneHot(b, 10)],
        (x, y) => attentiveCutMix(x as tf.Tensor4D, y!, camExtractor, { seed: 10, grid: 4, topN: 4 }),
      ),
  },
  {
    name: "attentiveCutMix, maps in place of an extractor, larger than a grid that does not divide them, labelMode 'attention'",
    grids: { cells: 4 },
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'attentive-maps-x'), tf.tidy(() => tf.squeeze(images(b, [10, 9, 1], 'float32', 'attentive-maps'), [3]))],
        (x, maps) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), maps as tf.Tensor3D, { seed: 7, numClasses: 10, grid: 4, topN: 5, mode: 'elem', labelMode: 'attention' }),
      ),
  },
  {
    name: 'attentiveCutMix, maps of the image size in place of an extractor, elem mode, area labels',
    grids: { cells: 7 },
    run: (_, b) =>
      withInputs(
        () => [images(b, [30, 26, 3], 'float32', 'attentive-full-x'), tf.tidy(() => tf.squeeze(images(b, [30, 26, 1], 'float32', 'attentive-full-maps'), [3]))],
        (x, maps) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), maps as tf.Tensor3D, { seed: 14, numClasses: 10, mode: 'elem' }),
      ),
  },
  {
    name: 'oneOf mixer, elem mode: mixup, cutMix and attentiveCutMix (saliency) drawn per sample',
    grids: { cells: 4 },
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'one-of-x')],
        (x) =>
          createMixer({ oneOf: [{ method: 'mixup', alpha: 0.4 }, { method: 'cutMix' }, { method: 'attentiveCutMix', grid: 4, topN: 3 }], mode: 'elem', numClasses: 10 }).mix(x!, classIds(b, 10), {
            seed: 11,
          }) as unknown as Record<string, tf.Tensor>,
      ),
  },
  {
    name: 'attentiveCutMix, constant maps of 37×31 (grid 6) and 5×5 (grid 2): ties stay ties after pooling, to the lower index',
    grids: { 'cells 37×31': 6, 'cells 5×5': 2 },
    run: (_, b) =>
      withInputs(
        () => [tf.zeros([b, 37, 31, 1]), tf.fill([b, 37, 31], 0.7), tf.zeros([b, 5, 5, 1]), tf.fill([b, 5, 5], 0.1)],
        (x1, m1, x2, m2) => ({
          'cells 37×31': cellsOf(attentiveCutMix(x1!, classIds(b, 3), m1 as tf.Tensor3D, { numClasses: 3, grid: 6, topN: 6, seed: 12, partner: 'flip' })),
          'cells 5×5': cellsOf(attentiveCutMix(x2!, classIds(b, 3), m2 as tf.Tensor3D, { numClasses: 3, grid: 2, topN: 4, seed: 12, partner: 'flip' })),
        }),
      ),
  },
  {
    name: 'pooling and ranking of maps with exact ties, sizes no grid divides, grids of 4 to 529 cells: the same pooled bits and cells on every backend',
    exact: TIED.map((_, k) => `pooled ${k}`),
    grids: Object.fromEntries(TIED.map(({ grid }, k) => [`cells ${k}`, grid])),
    run: (_, b) =>
      Object.assign(
        {},
        ...TIED.map(({ grid, h, w, kind }, k) =>
          withInputs(
            () => [tf.zeros([b, h, w, 1]), tiedMaps(b, h, w, kind, `tied-${k}`)],
            (x, maps) => {
              const result = attentiveCutMix(x!, classIds(b, 4), maps as tf.Tensor3D, { numClasses: 4, grid, topN: Math.ceil((grid * grid) / 2), seed: 13 + k, mode: 'elem' });
              return { [`pooled ${k}`]: poolToGrid(maps as tf.Tensor3D, grid), [`cells ${k}`]: cellsOf(result) };
            },
            `${k}: `,
          ),
        ),
      ) as Record<string, tf.Tensor>,
  },
  {
    name: 'attentiveCutMix, maps holding NaN / ±Infinity among exact ties, grids of 25 to 529 cells: those cells last, ties to the lower index, the same cells on every backend',
    grids: Object.fromEntries(NON_FINITE.map(({ grid }, k) => [`cells ${k}`, grid])),
    halfFloatExact: NON_FINITE.map((_, k) => `cells ${k}`),
    run: (_, b) =>
      Object.assign(
        {},
        ...NON_FINITE.map(({ grid, kind }, k) =>
          withInputs(
            () => [tf.zeros([b, grid, grid, 1]), tiedMaps(b, grid, grid, kind, `non-finite-${k}`, true)],
            (x, maps) => ({ [`cells ${k}`]: cellsOf(attentiveCutMix(x!, classIds(b, 4), maps as tf.Tensor3D, { numClasses: 4, grid, topN: grid * grid - 1, seed: 30 + k, mode: 'elem' })) }),
            `${k}: `,
          ),
        ),
      ) as Record<string, tf.Tensor>,
  },
  {
    name: 'resizeMix, elem mode, float32 images, bilinear, per-sample scales',
    run: (_, b) =>
      withInputs(() => [images(b, [24, 20, 3], 'float32', 'resize-x'), oneHot(b, 10)], (x, y) => resizeMix(x as tf.Tensor4D, y!, { seed: 15, mode: 'elem', scale: [0.2, 0.9], prob: 0.8 })),
  },
  {
    name: 'resizeMix, batch mode, int32 images (nearest, int32 kept), class-id array',
    run: (_, b) => withInputs(() => [images(b, [20, 24, 3], 'int32', 'resize-int')], (x) => resizeMix(x as tf.Tensor4D, classIds(b, 7), { seed: 16, numClasses: 7, partner: 'roll' })),
  },
  {
    name: 'saliencyMix, maps with exact ties and NaN / ±Infinity: each peak at the lower index on every backend',
    run: (_, b) =>
      Object.assign(
        {},
        ...[0, 2].map((kind) =>
          withInputs(
            () => [images(b, [21, 26, 1], 'float32', `saliency-tied-${kind}`), tiedMaps(b, 9, 11, kind, `saliency-maps-${kind}`, true)],
            (x, maps) => {
              const { images: mixed, boxes, lambda, labels, partners } = saliencyMix(x as tf.Tensor4D, classIds(b, 3), maps as tf.Tensor3D, { numClasses: 3, seed: 18 + kind, mode: 'elem' });
              return { [`images ${kind}`]: mixed, [`boxes ${kind}`]: boxes, [`lambda ${kind}`]: lambda, [`labels ${kind}`]: labels, [`partners ${kind}`]: partners };
            },
            `${kind}: `,
          ),
        ),
      ) as Record<string, tf.Tensor>,
  },
  {
    name: 'fmix, elem mode, float32 images',
    run: (_, b) => withInputs(() => [images(b, [24, 20, 3], 'float32', 'fmix-x'), oneHot(b, 10)], (x, y) => fmix(x as tf.Tensor4D, y!, { seed: 19, mode: 'elem', prob: 0.8 })),
  },
  {
    name: 'fmix, batch mode, int32 images, decay 2, class-id array',
    run: (_, b) => withInputs(() => [images(b, [20, 24, 3], 'int32', 'fmix-int')], (x) => fmix(x as tf.Tensor4D, classIds(b, 7), { seed: 20, numClasses: 7, decay: 2, partner: 'flip' })),
  },
  {
    // Maps given in place of the extractor (the extractors' own cases cover it): both attention methods use them.
    name: 'oneOf mixer, elem mode: all six methods drawn per sample, attention maps given',
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'one-of-six'), tf.tidy(() => tf.squeeze(images(b, [7, 6, 1], 'float32', 'one-of-six-maps'), [3]))],
        (x, maps) =>
          createMixer({
            oneOf: [{ method: 'mixup' }, { method: 'cutMix' }, { method: 'attentiveCutMix', grid: 4, topN: 3 }, { method: 'resizeMix' }, { method: 'saliencyMix' }, { method: 'fmix' }],
            mode: 'elem',
            numClasses: 10,
          }).mix(x!, classIds(b, 10), { seed: 21, attention: maps as tf.Tensor3D }) as unknown as Record<string, tf.Tensor>,
      ),
  },
];
