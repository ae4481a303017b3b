// The fused kernels (cpu and wasm) against the composite path they replace, on the same backend:
// the results must be the same to the bit.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';

import { type AttentionExtractor, applyAttentiveCutMix, applyCutMix, applyFMix, applyResizeMix, applySaliencyMix, attentiveCutMix, createMixer, cutMix, fmix, mixLabels, mixup, resizeMix, saliencyMix, sampleCutMixParams, sampleFMixParams, sampleResizeMixParams, sampleSaliencyMixParams } from '../../src/index.js';
import { BLEND_PARTNERS, PASTE_MASK, PASTE_RECTS, PEAK_BOXES, RESIZE_PASTE, SELECT_CELLS, hasFusedKernel, setFusedKernelsEnabled } from '../../src/kernels/fused.js';
import { createRng } from '../../src/sampling/rng.js';

type Outputs = Record<string, tf.Tensor> | tf.Tensor;

/** Runs `op` with the fused kernels and without, and checks every output is identical. */
async function expectFusedEqualsComposite(op: () => Outputs): Promise<void> {
  // Leave non-zero garbage in freed memory first: a fused kernel must not rely on zeroed allocations.
  tf.dispose(tf.fill([4096], 7.5));
  const fused = op();
  setFusedKernelsEnabled(false);
  const composite = op();
  setFusedKernelsEnabled(true);
  const [a, b] = [fused instanceof tf.Tensor ? { out: fused } : fused, composite instanceof tf.Tensor ? { out: composite } : composite];
  expect(Object.keys(a)).toEqual(Object.keys(b));
  for (const key of Object.keys(a)) {
    expect([a[key]!.dtype, a[key]!.shape], key).toEqual([b[key]!.dtype, b[key]!.shape]);
    expect(await a[key]!.data(), key).toEqual(await b[key]!.data());
  }
  tf.dispose([fused, composite]);
}

const uniform = (shape: number[], seed: string, dtype: 'float32' | 'int32' = 'float32') => {
  const rng = createRng(seed);
  const size = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(Array.from({ length: size }, () => (dtype === 'int32' ? Math.floor(rng.uniform() * 256) : rng.uniform())), shape, dtype);
};

describe('fused kernels', () => {
  afterEach(() => setFusedKernelsEnabled(true));

  it('exist on the cpu and wasm backends', () => {
    for (const name of [PASTE_RECTS, BLEND_PARTNERS, SELECT_CELLS, RESIZE_PASTE, PASTE_MASK, PEAK_BOXES]) expect(hasFusedKernel(name)).toBe(true);
  });

  it('give the composite results for mixup, float32 and int32, with unmixed and non-finite samples', async () => {
    const x = uniform([7, 9, 11, 3], 'mixup') as tf.Tensor4D;
    const withNaN = tf.tidy(() => tf.where(tf.less(x, 0.01), tf.fill(x.shape, Number.NaN), x)) as tf.Tensor4D;
    const ints = uniform([5, 6, 4, 2], 'ints', 'int32') as tf.Tensor4D;
    for (const mode of ['batch', 'elem'] as const) {
      await expectFusedEqualsComposite(() => mixup(x, tf.eye(7) as tf.Tensor2D, { seed: 3, mode, prob: 0.6, labelSmoothing: 0.1 }));
      await expectFusedEqualsComposite(() => mixup(withNaN, tf.eye(7) as tf.Tensor2D, { seed: 4, mode, prob: 0.5 }));
      await expectFusedEqualsComposite(() => mixup(ints, [0, 1, 2, 3, 4], { numClasses: 5, seed: 5, mode }));
    }
    tf.dispose([x, withNaN, ints]);
  });

  it('give the composite results for cutMix, applyCutMix on [B, H, W] masks, and mixLabels', async () => {
    const x = uniform([6, 13, 10, 3], 'cutmix') as tf.Tensor4D;
    const masks = uniform([6, 13, 10], 'masks', 'int32') as tf.Tensor3D;
    for (const options of [{ mode: 'elem' }, { mode: 'batch' }, { minMax: [0.2, 0.9] }, { prob: 0.5, mode: 'elem' }] as const) {
      await expectFusedEqualsComposite(() => cutMix(x, tf.eye(6) as tf.Tensor2D, { seed: 6, ...options }));
    }
    const params = sampleCutMixParams(masks.shape, { seed: 7, mode: 'elem' });
    await expectFusedEqualsComposite(() => applyCutMix(masks, params));
    await expectFusedEqualsComposite(() => mixLabels([0, 1, 2, 0, 1, 2], params, { numClasses: 3, labelSmoothing: 0.2 }));
    tf.dispose([x, masks]);
  });

  it('give the composite results for applyAttentiveCutMix on masks, cells given as arrays and as tensors', async () => {
    const masks = uniform([4, 11, 9], 'masks', 'int32');
    const params = { partners: [3, 2, 1, 0], cells: [[0, 4], [-1, -1], [8, 1], [5, -1]], grid: 3 };
    await expectFusedEqualsComposite(() => applyAttentiveCutMix(masks, params));
    const tensors = { partners: tf.tensor1d(params.partners, 'int32'), cells: tf.tensor2d(params.cells, [4, 2], 'int32'), grid: 3 };
    await expectFusedEqualsComposite(() => applyAttentiveCutMix(masks, tensors));
    tf.dispose([masks, tensors.partners, tensors.cells]);
  });

  it('give the composite results for attentiveCutMix with a drawn number of cells, alone and in a oneOf mixer', async () => {
    const x = uniform([10, 12, 12, 1], 'drawn-count');
    const ids = Array.from({ length: 10 }, (_, i) => i % 4);
    await expectFusedEqualsComposite(() => attentiveCutMix(x, ids, undefined, { numClasses: 4, grid: 4, topN: { alpha: 0.4 }, mode: 'elem', prob: 0.8, seed: 2 }));
    const mixer = createMixer({ oneOf: [{ method: 'cutMix' }, { method: 'attentiveCutMix', grid: 3, topN: { alpha: 1 } }], mode: 'elem', numClasses: 4 });
    await expectFusedEqualsComposite(() => mixer.mix(x, ids, { seed: 5 }) as unknown as Outputs);
    x.dispose();
  });

  it('give the composite results for a oneOf mixer, whose paste keeps a blended base outside its rectangles', async () => {
    const mixer = createMixer({ oneOf: [{ method: 'mixup', alpha: 0.5 }, { method: 'cutMix' }, { method: 'attentiveCutMix', grid: 3, topN: 2 }], mode: 'elem', prob: 0.8, numClasses: 4 });
    const intMixer = createMixer({ oneOf: [{ method: 'cutMix' }, { method: 'attentiveCutMix', grid: 3, topN: 0 }], mode: 'elem', numClasses: 4 });
    for (const dtype of ['float32', 'int32'] as const) {
      const x = uniform([9, 12, 10, 2], `one-of-${dtype}`, dtype);
      const ids = [0, 1, 2, 3, 0, 1, 2, 3, 0];
      await expectFusedEqualsComposite(() => mixer.mix(x, ids, { seed: 3 }) as unknown as Outputs);
      await expectFusedEqualsComposite(() => intMixer.mix(x, ids, { seed: 4 }) as unknown as Outputs);
      x.dispose();
    }
  });

  it('give the composite results for attentiveCutMix, with ties, non-finite attention and unmixed samples', async () => {
    const x = uniform([6, 15, 17, 3], 'attentive') as tf.Tensor4D;
    const rng = createRng('maps');
    const special = [Number.NaN, Infinity, -Infinity, 0.5];
    const maps = Array.from({ length: 6 * 25 }, () => (rng.uniform() < 0.3 ? special[Math.floor(rng.uniform() * 4)]! : Math.floor(rng.uniform() * 4) / 4));
    const extractor: AttentionExtractor = { extract: () => tf.tensor3d(maps, [6, 5, 5]) };
    for (const labelMode of ['area', 'attention'] as const) {
      for (const topN of [0, 3, 25]) {
        await expectFusedEqualsComposite(() => attentiveCutMix(x, tf.eye(6) as tf.Tensor2D, extractor, { seed: 8, grid: 5, topN, labelMode, mode: 'elem', prob: 0.7 }));
      }
    }
    tf.dispose(x);
  });

  it('give the composite results for resizeMix, bilinear and nearest, float32 and int32, and applyResizeMix on [B, H, W] masks', async () => {
    const x = uniform([7, 13, 10, 3], 'resize') as tf.Tensor4D;
    const withNaN = tf.tidy(() => tf.where(tf.less(x, 0.02), tf.fill(x.shape, Number.NaN), x)) as tf.Tensor4D;
    const ints = uniform([5, 9, 12, 2], 'resize-ints', 'int32') as tf.Tensor4D;
    for (const options of [{ mode: 'elem' }, { mode: 'batch', scale: [0.5, 0.5] }, { mode: 'elem', interpolation: 'nearest', prob: 0.6 }, { mode: 'elem', scale: [0.9, 1] }] as const) {
      await expectFusedEqualsComposite(() => resizeMix(x, tf.eye(7) as tf.Tensor2D, { seed: 6, ...options }));
      await expectFusedEqualsComposite(() => resizeMix(withNaN, tf.eye(7) as tf.Tensor2D, { seed: 7, ...options }));
      await expectFusedEqualsComposite(() => resizeMix(ints, [0, 1, 2, 3, 4], { numClasses: 5, seed: 8, ...options }));
    }
    const masks = uniform([5, 9, 12], 'resize-masks', 'int32');
    const params = sampleResizeMixParams(masks.shape, { seed: 9, mode: 'elem' });
    await expectFusedEqualsComposite(() => applyResizeMix(masks, params));
    await expectFusedEqualsComposite(() => applyResizeMix(masks, params, { interpolation: 'bilinear' }));
    tf.dispose([x, withNaN, ints, masks]);
  });

  it('give the composite results for fmix, float32 and int32, and applyFMix on [B, H, W] masks', async () => {
    const x = uniform([6, 14, 11, 3], 'fmix') as tf.Tensor4D;
    const ints = uniform([5, 8, 9, 2], 'fmix-ints', 'int32') as tf.Tensor4D;
    for (const options of [{ mode: 'elem' }, { mode: 'batch' }, { mode: 'elem', prob: 0.5, decay: 1.5 }] as const) {
      await expectFusedEqualsComposite(() => fmix(x, tf.eye(6) as tf.Tensor2D, { seed: 4, ...options }));
      await expectFusedEqualsComposite(() => fmix(ints, [0, 1, 2, 3, 4], { numClasses: 5, seed: 5, ...options }));
    }
    const masks = uniform([5, 8, 9], 'fmix-masks', 'int32');
    const params = sampleFMixParams(masks.shape, { seed: 6, mode: 'elem' });
    await expectFusedEqualsComposite(() => applyFMix(masks, params));
    // Masks made by hand: runs that go on from one row into the next, a run to the last pixel, a full and an empty mask.
    const handMade = Uint8Array.from({ length: 4 * 8 * 9 }, (_, p) => {
      const [i, q] = [Math.floor(p / 72), p % 72];
      return [q >= 7 && q < 20 ? 1 : q % 5 === 0 ? 1 : 0, q >= 60 ? 1 : 0, 1, 0][i]!;
    });
    const lambda = [0, 1, 2, 3].map((i) => Math.fround(1 - handMade.subarray(i * 72, (i + 1) * 72).reduce((s, m) => s + m, 0) / 72));
    const byHand = { partners: [3, 0, 1, 2], lambda, masks: handMade, height: 8, width: 9 };
    const [fourMasks, fourImages] = [tf.slice(masks, [0, 0, 0], [4, 8, 9]), tf.slice(x, [0, 0, 0, 0], [4, 8, 9, 3])];
    await expectFusedEqualsComposite(() => applyFMix(fourMasks, byHand));
    await expectFusedEqualsComposite(() => applyFMix(fourImages, byHand));
    tf.dispose([fourMasks, fourImages]);
    tf.dispose([x, ints, masks]);
  });

  it('give the composite results for a oneOf mixer of all six methods, float32 and int32', async () => {
    const peaks: AttentionExtractor = { extract: (images) => tf.tidy(() => tf.cast(tf.reshape(tf.oneHot(tf.range(0, images.shape[0], 1, 'int32'), 12), [images.shape[0], 3, 4]), 'float32')) as tf.Tensor3D };
    const all = createMixer({
      oneOf: [{ method: 'mixup' }, { method: 'cutMix' }, { method: 'attentiveCutMix', grid: 3, topN: 2, extractor: peaks }, { method: 'resizeMix' }, { method: 'saliencyMix', extractor: peaks }, { method: 'fmix' }],
      mode: 'elem',
      prob: 0.9,
      numClasses: 4,
    });
    const noBlend = createMixer({ oneOf: [{ method: 'resizeMix', interpolation: 'nearest' }, { method: 'saliencyMix', extractor: peaks }, { method: 'fmix' }], mode: 'elem', numClasses: 4 });
    for (const dtype of ['float32', 'int32'] as const) {
      const x = uniform([12, 12, 10, 2], `six-${dtype}`, dtype);
      const ids = Array.from({ length: 12 }, (_, i) => i % 4);
      await expectFusedEqualsComposite(() => all.mix(x, ids, { seed: 3 }) as unknown as Outputs);
      await expectFusedEqualsComposite(() => noBlend.mix(x, ids, { seed: 4 }) as unknown as Outputs);
      x.dispose();
    }
  });

  it('give the composite results for saliencyMix: peaks with ties and NaN / ±Infinity, maps smaller and larger than the image, unmixed samples', async () => {
    const x = uniform([7, 13, 11, 2], 'saliency') as tf.Tensor4D;
    const rng = createRng('peaks');
    const special = [Number.NaN, Infinity, -Infinity, 1];
    const value = () => (rng.uniform() < 0.3 ? special[Math.floor(rng.uniform() * 4)]! : Math.floor(rng.uniform() * 3));
    const mapsOf = (h: number, w: number) => tf.tensor3d(Array.from({ length: 7 * h * w }, value), [7, h, w]);
    // More than 2048 cells, each map's single highest value past the 2048th (the composite finds
    // row and column apart, so that half-float textures keep them exact); and maps whose only
    // finite value is float32's lowest, after NaN and ±Infinity.
    const peaks = [2049, 2249, 2100, 2070, 2200, 2050, 2248];
    const late = tf.tensor3d(Array.from({ length: 7 * 50 * 45 }, (_, i) => (i % 2250 === peaks[Math.floor(i / 2250)] ? 3 : value())), [7, 50, 45]);
    const lowest = tf.tensor3d(Array.from({ length: 7 * 9 }, (_, i) => (i % 9 === 2 + Math.floor(i / 9) ? -3.4028234663852886e38 : special[i % 3]!)), [7, 3, 3]);
    const maps = [mapsOf(4, 5), mapsOf(13, 11), mapsOf(20, 17), tf.fill([7, 3, 3], Number.NaN) as tf.Tensor3D, late, lowest];
    for (const m of maps) {
      for (const options of [{ mode: 'elem', prob: 0.7 }, { mode: 'batch', alpha: 0.3 }] as const) {
        await expectFusedEqualsComposite(() => saliencyMix(x, tf.eye(7) as tf.Tensor2D, m as tf.Tensor3D, { seed: 9, ...options }));
      }
    }
    const masks = uniform([7, 13, 11], 'saliency-masks', 'int32');
    await expectFusedEqualsComposite(() => applySaliencyMix(masks, sampleSaliencyMixParams(masks.shape, { seed: 2, mode: 'elem' }), maps[0] as tf.Tensor3D));
    tf.dispose([x, masks, ...maps]);
  });
});
