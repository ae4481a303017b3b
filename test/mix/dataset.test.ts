import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import {
  type AttentionExtractor,
  type BatchMixer,
  type MixDatasetOptions,
  type MixedBatch,
  type MixMethod,
  type MixResult,
  attentiveCutMix,
  createRng,
  cutMix,
  fmix,
  mixBatches,
  mixDataset,
  mixup,
  resizeMix,
  saliencyExtractor,
  saliencyMix,
} from '../../src/index.js';
import type { Rng } from '../../src/sampling/rng.js';
import { expectThrowsCleanly, indexedImages, read } from '../support/tensors.js';

const [BATCHES, B, H, W, C, K] = [3, 6, 8, 8, 3, 4];

/** The raw batches as plain arrays: images whose values name their place, class ids b mod K shifted per batch. */
function rawBatches(): { xs: number[][][][]; ys: number[] }[] {
  return Array.from({ length: BATCHES }, (_, n) => {
    const x = indexedImages([B, H, W, C]);
    const xs = x.arraySync() as number[][][][];
    x.dispose();
    return { xs: xs.map((img) => img.map((row) => row.map((px) => px.map((v) => v + n * 10_000)))), ys: Array.from({ length: B }, (_, b) => (b + n) % K) };
  });
}

/** A real tf.data dataset of `{ xs: [B, H, W, C] float32, ys: int32 [B] }` batches. */
function batchDataset(raw = rawBatches()): tfd.Dataset<{ xs: tf.Tensor4D; ys: tf.Tensor1D }> {
  return tfd.array(raw.map(({ xs, ys }) => ({ xs: tf.tensor4d(xs), ys: tf.tensor1d(ys, 'int32') })));
}

/** Every element of a dataset, read back as arrays (and disposed). */
async function collect(dataset: { iterator(): Promise<{ next(): Promise<IteratorResult<tf.TensorContainer>> }> }) {
  const out: { xs: number[][][][]; ys: number[][]; xsDtype: string; ysDtype: string; ysShape: number[] }[] = [];
  const it = await dataset.iterator();
  for (let item = await it.next(); !item.done; item = await it.next()) {
    const { xs, ys } = item.value as { xs: tf.Tensor; ys: tf.Tensor };
    out.push({ xs: await read(xs), ys: await read(ys), xsDtype: xs.dtype, ysDtype: ys.dtype, ysShape: ys.shape });
    tf.dispose([xs, ys]);
  }
  return out;
}

type Mixing = Exclude<MixMethod, 'none'>;
const direct: Record<Mixing, (x: tf.Tensor4D, y: tf.Tensor1D, options: MixDatasetOptions, rng: Rng) => MixResult> = {
  mixup: (x, y, o, rng) => mixup(x, y, { ...o, seed: rng }),
  cutMix: (x, y, o, rng) => cutMix(x, y, { ...o, seed: rng }),
  attentiveCutMix: (x, y, o, rng) => attentiveCutMix(x, y, saliencyExtractor(), { ...o, seed: rng }),
  resizeMix: (x, y, o, rng) => resizeMix(x, y, { ...o, seed: rng }),
  saliencyMix: (x, y, o, rng) => saliencyMix(x, y, saliencyExtractor(), { ...o, seed: rng }),
  fmix: (x, y, o, rng) => fmix(x, y, { ...o, seed: rng }),
  // The short names are aliases of the functions' own.
  cutmix: (x, y, o, rng) => cutMix(x, y, { ...o, seed: rng }),
  attentive: (x, y, o, rng) => attentiveCutMix(x, y, saliencyExtractor(), { ...o, seed: rng }),
};

const cases: [Mixing, MixDatasetOptions][] = [
  ['mixup', { numClasses: K, mode: 'elem', alpha: 0.4 }],
  ['cutMix', { numClasses: K, mode: 'elem' }],
  ['cutmix', { numClasses: K, minMax: [0.25, 0.5], labelSmoothing: 0.1 }],
  ['attentiveCutMix', { numClasses: K, grid: 4, topN: 3 }],
  ['attentive', { numClasses: K, grid: 4, topN: 5, mode: 'elem', labelMode: 'attention' }],
  ['resizeMix', { numClasses: K, mode: 'elem', scale: [0.3, 0.7] }],
  ['saliencyMix', { numClasses: K, mode: 'elem', alpha: 0.5 }],
  ['fmix', { numClasses: K, mode: 'elem', decay: 2 }],
];

describe('mixDataset', () => {
  it.each(cases)("mixes each batch of a tf.data dataset with '%s' %o exactly as the mixer does on one seeded stream, over two epochs", async (method, options) => {
    const raw = rawBatches();
    const base = batchDataset(raw);
    const before = tf.memory().numTensors;
    const mixed = mixDataset(base, method, { ...options, seed: 17 });
    const epochs = [await collect(mixed), await collect(mixed)];
    expect(tf.memory().numTensors).toBe(before); // nothing left behind by two epochs

    const rng = createRng(17);
    let changed = 0;
    for (const epoch of epochs) {
      expect(epoch).toHaveLength(BATCHES);
      for (const [n, got] of epoch.entries()) {
        const [x, y] = [tf.tensor4d(raw[n]!.xs), tf.tensor1d(raw[n]!.ys, 'int32')];
        const expected = direct[method](x, y, options, rng);
        expect(got.xs).toEqual(await read(expected.images));
        expect(got.ys).toEqual(await read(expected.labels));
        expect(got.ysDtype).toBe('float32');
        expect(got.ysShape).toEqual([B, K]);
        if (JSON.stringify(got.xs) !== JSON.stringify(raw[n]!.xs)) changed++;
        tf.dispose([x, y, expected]);
      }
    }
    expect(changed).toBeGreaterThan(0); // the images really were mixed
    expect(JSON.stringify(epochs[1])).not.toBe(JSON.stringify(epochs[0])); // the second epoch draws anew
  });

  it("runs the extractor given for 'attentive' once per batch, as attentiveCutMix does", async () => {
    const calls: number[][] = [];
    // Attention on the bottom-right quarter of every image.
    const extractor: AttentionExtractor = {
      extract: (images) => {
        calls.push(images.shape);
        return tf.tidy(() => tf.pad(tf.ones([images.shape[0], 2, 2]), [[0, 0], [2, 0], [2, 0]])) as tf.Tensor3D;
      },
    };
    const raw = rawBatches();
    const out = await collect(mixDataset(batchDataset(raw), 'attentive', { numClasses: K, grid: 4, topN: 4, extractor, seed: 5 }));
    expect(calls).toEqual(Array.from({ length: BATCHES }, () => [B, H, W, C]));
    const rng = createRng(5);
    for (const [n, got] of out.entries()) {
      const expected = attentiveCutMix(raw[n]!.xs, raw[n]!.ys, extractor, { numClasses: K, grid: 4, topN: 4, seed: rng });
      expect(got.xs).toEqual(await read(expected.images));
      const partners = await read<number[]>(expected.partners);
      expect(await read(expected.cells)).toEqual(partners.map((p, i) => (p === i ? [-1, -1, -1, -1] : [10, 11, 14, 15]))); // the attended quarter
      tf.dispose(expected);
    }
  });

  it('mixBatches is the same transform for dataset.map, typed as tf.data types it: Dataset<MixedBatch>', async () => {
    const options = { numClasses: K, mode: 'elem', seed: 5 } as const;
    const typed: tfd.Dataset<MixedBatch> = batchDataset().map(mixBatches('cutMix', options)); // no cast
    const it = await typed.iterator();
    const first = (await it.next()).value; // { xs: Tensor4D, ys: Tensor2D }
    expect([first.xs.rank, first.ys.rank]).toEqual([4, 2]);
    tf.dispose([first.xs, first.ys]);
    expect(await collect(batchDataset().map(mixBatches('cutMix', options)))).toEqual(await collect(mixDataset(batchDataset(), 'cutMix', options)));
    expectThrowsCleanly(() => mixBatches('snapmix' as never), /Argument 'method' passed to 'mixBatches' must be one of 'attentiveCutMix'/);
    expectThrowsCleanly(() => mixBatches('mixup', { minMax: [0.1, 0.2] }), /Unknown option 'minMax' passed to 'mixBatches'/);
  });

  it('the same seed gives the same stream, another seed another one', async () => {
    const run = async (seed: number) => collect(mixDataset(batchDataset(), 'cutmix', { numClasses: K, mode: 'elem', seed }));
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(b).toEqual(a);
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it("shares an Rng given as seed: the caller's stream advances as it would under direct calls", async () => {
    const [shared, reference] = [createRng(9), createRng(9)];
    const raw = rawBatches();
    await collect(mixDataset(batchDataset(raw), 'mixup', { numClasses: K, seed: shared }));
    for (const { xs, ys } of raw) tf.dispose(mixup(xs, tf.tensor1d(ys, 'int32'), { numClasses: K, seed: reference }));
    expect(shared.state()).toEqual(reference.state());
    expect(shared.state()).not.toEqual(createRng(9).state());
  });

  it("'none' passes the images through and gives float32 [B, K] labels (one-hot, smoothed if asked)", async () => {
    const raw = rawBatches();
    const out = await collect(mixDataset(batchDataset(raw), 'none', { numClasses: K, labelSmoothing: 0.2 }));
    out.forEach((got, n) => {
      expect(got.xs).toEqual(raw[n]!.xs);
      expect(got.xsDtype).toBe('float32');
      expect(got.ysDtype).toBe('float32');
      got.ys.forEach((row, b) => row.forEach((v, k) => expect(v).toBeCloseTo(k === raw[n]!.ys[b] ? 0.85 : 0.05, 6)));
    });
  });

  it('takes one-hot [B, K] labels as well, and int32 images (kept int32 by cutMix)', async () => {
    const ds = tfd.array([{ xs: indexedImages([4, 6, 6, 1], 'int32'), ys: tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3) }]);
    const [cut] = await collect(mixDataset(ds, 'cutmix', { seed: 1 }));
    const [none] = await collect(mixDataset(ds, 'none'));
    expect(cut!.xsDtype).toBe('int32');
    expect(cut!.ysShape).toEqual([4, 3]);
    expect(none!.ys).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(none!.ysDtype).toBe('float32');
  });

  it('runs a mixer function with the shared Rng and disposes what it returns besides images and labels, but not tensors it did not create', async () => {
    const cached = tf.scalar(5);
    const rngs = new Set<Rng>();
    const mixer: BatchMixer = (images, labels, rng) => {
      rngs.add(rng);
      const result = cutMix(images, labels, { numClasses: K, minMax: [0.5, 0.5], seed: rng });
      return { ...result, cached };
    };
    const raw = rawBatches();
    const base = batchDataset(raw);
    const before = tf.memory().numTensors;
    const out = await collect(mixDataset(base, mixer, { seed: 2 }));
    expect(tf.memory().numTensors).toBe(before);
    expect(cached.isDisposed).toBe(false);
    expect(rngs.size).toBe(1);
    const rng = createRng(2);
    for (const [n, got] of out.entries()) {
      const expected = cutMix(raw[n]!.xs, raw[n]!.ys, { numClasses: K, minMax: [0.5, 0.5], seed: rng });
      expect(got.xs).toEqual(await read(expected.images));
      tf.dispose(expected);
    }
    cached.dispose();
  });

  it('works on any object with a map, and disposes the mixer’s other outputs itself (no tf.data tidy around it)', async () => {
    const raw = rawBatches();
    const inputs = raw.map(({ xs, ys }) => ({ xs: tf.tensor4d(xs), ys: tf.tensor1d(ys, 'int32') }));
    const plain = { map: (transform: (batch: tf.TensorContainer) => MixedBatch) => inputs.map(transform) };
    const before = tf.memory().numTensors;
    const mixed = mixDataset(plain, 'cutmix', { numClasses: K, seed: 8 });
    expect(mixed).toHaveLength(BATCHES);
    expect(tf.memory().numTensors).toBe(before + 2 * BATCHES); // images and labels only: lambda, partners, boxes are gone
    const rng = createRng(8);
    for (const [n, { xs, ys }] of mixed.entries()) {
      const expected = cutMix(inputs[n]!.xs, inputs[n]!.ys, { numClasses: K, seed: rng });
      expect(await read(xs)).toEqual(await read(expected.images));
      expect(await read(ys)).toEqual(await read(expected.labels));
      tf.dispose([expected, xs, ys]);
    }
    expect(inputs.every(({ xs, ys }) => !xs.isDisposed && !ys.isDisposed)).toBe(true); // the caller's batches are left alone
    tf.dispose(inputs);
  });

  it('gives model.fitDataset batches it trains on', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [H, W, C] }), tfl.layers.dense({ units: K, activation: 'softmax' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const raw = rawBatches().map(({ xs, ys }) => ({ xs: xs.map((img) => img.map((row) => row.map((px) => px.map((v) => (v % 97) / 97)))), ys }));
    const history = await model.fitDataset(mixDataset(batchDataset(raw), 'attentive', { numClasses: K, grid: 4, topN: 2, seed: 0 }), { epochs: 2, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    history.history.loss!.forEach((loss) => expect(Number.isFinite(loss as number)).toBe(true));
    model.dispose();
  });

  it('checks its arguments before reading any batch', () => {
    const ds = batchDataset();
    const op = /passed to 'mixDataset'/;
    expectThrowsCleanly(() => mixDataset(null as never, 'cutmix'), op, /Argument 'dataset'.*a dataset of \{ xs, ys \} batches with a map method.*but got null/);
    expectThrowsCleanly(() => mixDataset({} as never, 'cutmix'), /Argument 'dataset'.*but got an object with keys \[\]/);
    expectThrowsCleanly(() => mixDataset(ds, 'CutMix' as never), /Argument 'method'.*one of 'attentiveCutMix', 'cutMix', 'mixup', 'resizeMix', 'saliencyMix', 'fmix', 'none', 'attentive', 'cutmix'.*but got 'CutMix'/);
    expectThrowsCleanly(() => mixDataset(ds, 'resizeMix', { alpha: 1 }), /Unknown option 'alpha' passed to 'mixDataset'/);
    expectThrowsCleanly(() => mixDataset(ds, 'fmix', { decay: -1 }), /'options.decay'.*> 0.*but got -1/);
    expectThrowsCleanly(() => mixDataset(ds, 'resizeMix', { scale: [0.9, 0.1] }), /'options.scale'.*\[lo, hi\]/);
    expectThrowsCleanly(() => mixDataset(ds, 'fmix', { extractor: saliencyExtractor() }), /Unknown option 'extractor'/);
    expectThrowsCleanly(() => mixDataset(ds, 'mixup', 3 as never), /Argument 'options'.*an object.*but got 3/);
    expectThrowsCleanly(() => mixDataset(ds, 'attentive', { alpha: 0.5 }), /Unknown option 'alpha' passed to 'mixDataset'/);
    expectThrowsCleanly(() => mixDataset(ds, 'mixup', { minMax: [0.2, 0.4] }), /Unknown option 'minMax' passed to 'mixDataset'/);
    expectThrowsCleanly(() => mixDataset(ds, 'cutmix', { extractor: saliencyExtractor() }), /Unknown option 'extractor'/);
    expectThrowsCleanly(() => mixDataset(ds, 'none', { alpha: 1 }), /Unknown option 'alpha'/);
    expectThrowsCleanly(() => mixDataset(ds, (x, y) => mixup(x, y), { numClasses: 3 }), /Unknown option 'numClasses'.*the options are: seed/);
    expectThrowsCleanly(() => mixDataset(ds, 'cutmix', { alpha: -1 }), op, /'options.alpha'.*> 0.*but got -1/);
    expectThrowsCleanly(() => mixDataset(ds, 'cutmix', { minMax: [0.5, 0.2] }), /'options.minMax'.*\[lo, hi\]/);
    expectThrowsCleanly(() => mixDataset(ds, 'mixup', { prob: 2 }), /'options.prob'.*\[0, 1\].*but got 2/);
    expectThrowsCleanly(() => mixDataset(ds, 'mixup', { numClasses: 2.5 }), /'options.numClasses'.*an integer in \[1, 16777216\], but got 2.5/);
    expectThrowsCleanly(() => mixDataset(ds, 'none', { labelSmoothing: 3 }), /'options.labelSmoothing'.*but got 3/);
    expectThrowsCleanly(() => mixDataset(ds, 'attentive', { grid: 4, topN: 17 }), /'options.topN'.*an integer in \[0, 16\].*but got 17/);
    expectThrowsCleanly(() => mixDataset(ds, 'attentive', { grid: 2 }), /'options.topN'.*given when the grid has fewer than the default 6 cells/);
    expectThrowsCleanly(() => mixDataset(ds, 'attentive', { grid: 0 }), /'options.grid'.*but got 0/);
    expectThrowsCleanly(() => mixDataset(ds, 'attentive', { labelMode: 'pixels' as never }), /'options.labelMode'.*'area', 'attention'.*but got 'pixels'/);
    expectThrowsCleanly(() => mixDataset(ds, 'attentive', { extractor: 42 as never }), /'options.extractor'.*but got 42/);
    expectThrowsCleanly(() => mixDataset(ds, 'attentive', { extractor: {} as never }), /Argument 'options.extractor' passed to 'mixDataset' must be an AttentionExtractor.*but got an object with keys \[\]/);
    expectThrowsCleanly(() => mixDataset(ds, 'mixup', { seed: Number.NaN }), /'options.seed'.*but got NaN/);
    expectThrowsCleanly(() => mixDataset(ds, 'mixup', { seed: {} as never }), /'options.seed'.*but got an object/);
  });

  it('names the batch when one cannot be mixed, and checks what a mixer function returns', async () => {
    const ds = batchDataset();
    await expect(collect(mixDataset(ds, 'cutmix'))).rejects.toThrow(
      /'mixDataset' could not mix a batch \(xs: a float32 tensor of shape \[6, 8, 8, 3\], ys: a int32 tensor of shape \[6\]\) with 'cutmix': .*'options.numClasses'.*given when labels are class ids/,
    );
    await expect(collect(mixDataset(ds, 'mixup', { numClasses: 3 }))).rejects.toThrow(/with 'mixup': .*class ids that are integers in \[0, 3\)/);
    await expect(collect(mixDataset(tfd.array([tf.zeros([2, 4, 4, 1])]), 'none'))).rejects.toThrow(
      /Argument 'dataset' passed to 'mixDataset' must be a dataset of \{ xs, ys \} or \{ xs, ys, attention \} batches of tensors, but got an element that is a float32 tensor of shape \[2, 4, 4, 1\]/,
    );
    await expect(collect(mixDataset(tfd.array([{ xs: tf.zeros([4, 4, 1]), ys: tf.zeros([4, 2]) }]), 'none'))).rejects.toThrow(/Argument 'images'.*rank 4/);
    const intLabels: BatchMixer = (images, labels) => ({ images, labels: tf.oneHot(labels as tf.Tensor1D, K) as tf.Tensor2D });
    await expect(collect(mixDataset(ds, intLabels))).rejects.toThrow(
      /The mixer passed to 'mixDataset' must return \{ images: \[6, H, W, C\], labels: float32 \[6, K\] \} for a batch of 6, but returned \{ images: a float32 tensor of shape \[6, 8, 8, 3\], labels: a int32 tensor of shape \[6, 4\] \}/,
    );
  });
});
