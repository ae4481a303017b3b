import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { applyResizeMix, resizeMix, sampleResizeMixParams } from '../../src/index.js';
import { expectThrowsCleanly, indexedImages, oneHotRows, read, referenceBilinear } from '../support/tensors.js';

type Box4 = [number, number, number, number];

/**
 * Checks a ResizeMix output value by value: outside box i exactly sample i's own pixels, inside
 * it `inside(partner image, box)`; lambda the exact share of the pixels that really changed.
 */
async function expectResizePaste(
  input: tf.Tensor4D,
  result: { images: tf.Tensor; partners: tf.Tensor; boxes: tf.Tensor; lambda: tf.Tensor },
  inside: (partner: number[][][], h: number, w: number) => number[][][],
  tolerance = 0,
) {
  const [B, H, W, C] = input.shape;
  const x = await read<number[][][][]>(input);
  const out = await read<number[][][][]>(result.images);
  const [partners, boxes, lambda] = [await read<number[]>(result.partners), await read<Box4[]>(result.boxes), await read<number[]>(result.lambda)];
  for (let i = 0; i < B; i++) {
    const [y0, x0, y1, x1] = boxes[i]!;
    const scaled = y1 > y0 ? inside(x[partners[i]!]!, y1 - y0, x1 - x0) : [];
    let changed = 0;
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        const inBox = y >= y0 && y < y1 && xx >= x0 && xx < x1;
        if (out[i]![y]![xx]!.some((v, c) => v !== x[i]![y]![xx]![c])) changed++;
        for (let c = 0; c < C; c++) {
          const got = out[i]![y]![xx]![c]!;
          if (!inBox) expect(got).toBe(x[i]![y]![xx]![c]);
          else if (tolerance === 0) expect(got).toBe(scaled[y - y0]![xx - x0]![c]);
          else expect(Math.abs(got - scaled[y - y0]![xx - x0]![c]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(got)));
        }
      }
    }
    expect(lambda[i]).toBe(Math.fround(1 - changed / (H * W)));
    expect(changed).toBe((y1 - y0) * (x1 - x0));
  }
}

describe('resizeMix', () => {
  it('halves each partner into its box: every pasted pixel the mean of a 2 × 2 block, exactly', async () => {
    const x = indexedImages([4, 8, 10, 2]);
    const result = resizeMix(x, [0, 1, 2, 3], { numClasses: 4, scale: [0.5, 0.5], mode: 'elem', seed: 1 });
    const blockMeans = (image: number[][][], h: number, w: number) =>
      Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => image[0]![0]!.map((_, c) => (image[2 * i]![2 * j]![c]! + image[2 * i]![2 * j + 1]![c]! + image[2 * i + 1]![2 * j]![c]! + image[2 * i + 1]![2 * j + 1]![c]!) / 4)));
    await expectResizePaste(x, result, blockMeans);
    expect((await read<Box4[]>(result.boxes)).every(([y0, x0, y1, x1]) => y1 - y0 === 4 && x1 - x0 === 5)).toBe(true);
    tf.dispose([x, result]);
  });

  it('scales by any factor as bilinear interpolation with half-pixel centres does (odd batch, non-square, per-sample scales)', async () => {
    const x = indexedImages([5, 13, 11, 3]);
    for (const seed of [0, 1, 2]) {
      const result = resizeMix(x, [0, 1, 2, 3, 4], { numClasses: 5, mode: 'elem', seed });
      await expectResizePaste(x, result, referenceBilinear, 1e-6);
      const sizes = (await read<Box4[]>(result.boxes)).map(([y0, x0, y1, x1]) => `${y1 - y0}×${x1 - x0}`);
      expect(new Set(sizes).size).toBeGreaterThan(1); // per sample
      tf.dispose(result);
    }
    x.dispose();
  });

  it("with interpolation 'nearest' copies the partner pixel that holds each point, and keeps int32 images int32", async () => {
    const nearest = (image: number[][][], h: number, w: number) => {
      const [H, W] = [image.length, image[0]!.length];
      return Array.from({ length: h }, (_, i) => Array.from({ length: w }, (_, j) => image[Math.floor(((i + 0.5) * H) / h)]![Math.floor(((j + 0.5) * W) / w)]!));
    };
    for (const dtype of ['int32', 'float32'] as const) {
      const x = indexedImages([4, 9, 12, 2], dtype);
      const options = { numClasses: 4, mode: 'elem' as const, seed: 3, ...(dtype === 'float32' ? { interpolation: 'nearest' as const } : {}) };
      const result = resizeMix(x, [0, 1, 2, 3], options);
      expect(result.images.dtype).toBe(dtype);
      await expectResizePaste(x, result, nearest);
      tf.dispose([x, result]);
    }
  });

  it("makes int32 images float32 with interpolation 'bilinear'", async () => {
    const x = indexedImages([3, 6, 6, 1], 'int32');
    const result = resizeMix(x, [0, 1, 2], { numClasses: 3, interpolation: 'bilinear', scale: [0.5, 0.5], seed: 0 });
    expect(result.images.dtype).toBe('float32');
    tf.dispose([x, result]);
  });

  it('draws τ from scale per sample, boxes of ⌊τH⌋ × ⌊τW⌋ anywhere inside the image, one box per batch in batch mode', async () => {
    const x = indexedImages([6, 20, 30, 1]);
    const result = resizeMix(x, tf.tensor2d(oneHotRows(6, 3)), { scale: [0.2, 0.6], mode: 'elem', partner: 'roll', seed: 9 });
    for (const [y0, x0, y1, x1] of await read<Box4[]>(result.boxes)) {
      expect(y1 - y0).toBeGreaterThanOrEqual(4);
      expect(y1 - y0).toBeLessThanOrEqual(12);
      expect(x1 - x0).toBeGreaterThanOrEqual(6);
      expect(x1 - x0).toBeLessThanOrEqual(18);
      expect(Math.abs((y1 - y0) / 20 - (x1 - x0) / 30)).toBeLessThan(1 / 20); // one τ for both sides
      expect(y0 >= 0 && x0 >= 0 && y1 <= 20 && x1 <= 30).toBe(true);
    }
    const batch = resizeMix(x, tf.tensor2d(oneHotRows(6, 3)), { partner: 'roll', seed: 9 });
    expect(new Set((await read<Box4[]>(batch.boxes)).map(String)).size).toBe(1);
    tf.dispose([x, result, batch]);
  });

  it('weights each label by the pixels it really contributes', async () => {
    const x = indexedImages([5, 10, 10, 1]);
    const y = oneHotRows(5, 5);
    const result = resizeMix(x, tf.tensor2d(y), { mode: 'elem', seed: 'labels', labelSmoothing: 0 });
    const [labels, partners, lambda] = [await read<number[][]>(result.labels), await read<number[]>(result.partners), await read<number[]>(result.lambda)];
    labels.forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(lambda[i]! * y[i]![k]! + (1 - lambda[i]!) * y[partners[i]!]![k]!, 6)));
    tf.dispose([x, result]);
  });

  it('mixes nothing with prob 0 or a batch of one: images equal, lambda 1, boxes zero', async () => {
    const x = indexedImages([4, 6, 6, 1]);
    for (const mode of ['batch', 'elem'] as const) {
      const result = resizeMix(x, tf.tensor2d(oneHotRows(4, 4)), { seed: 0, prob: 0, mode });
      expect(await read(result.images)).toEqual(await read(x));
      expect(await read(result.lambda)).toEqual([1, 1, 1, 1]);
      expect(await read(result.boxes)).toEqual(Array.from({ length: 4 }, () => [0, 0, 0, 0]));
      tf.dispose(result);
    }
    const one = indexedImages([1, 5, 5, 3]);
    const single = resizeMix(one, [2], { numClasses: 3, seed: 1 });
    expect(await read(single.images)).toEqual(await read(one));
    expect(await read(single.lambda)).toEqual([1]);
    tf.dispose([x, one, single]);
  });

  it('is reproduced bit for bit by its seed, and by sampleResizeMixParams + applyResizeMix, also on int32 masks [B, H, W]', async () => {
    const x = tf.randomUniform([6, 12, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const ids = [0, 1, 2, 0, 1, 2];
    const opts = { numClasses: 3, seed: 'same', mode: 'elem', scale: [0.3, 0.9] } as const;
    const [a, b] = [resizeMix(x, ids, opts), resizeMix(x, ids, opts)];
    for (const key of ['images', 'labels', 'lambda', 'partners', 'boxes'] as const) expect(await a[key].data()).toEqual(await b[key].data());
    const params = sampleResizeMixParams(x.shape, { seed: 'same', mode: 'elem', scale: [0.3, 0.9] });
    const applied = applyResizeMix(x, params);
    expect(await applied.data()).toEqual(await a.images.data());
    expect(await read(a.boxes)).toEqual(params.boxes);
    expect(await read(a.lambda)).toEqual(params.lambda);
    // Segmentation masks get the same boxes, scaled by nearest neighbour: still class ids.
    const masks = tf.tensor3d(Array.from({ length: 6 * 12 * 9 }, (_, i) => i % 7), [6, 12, 9], 'int32');
    const mixedMasks = applyResizeMix(masks, params);
    expect(mixedMasks.dtype).toBe('int32');
    const nearestImages = applyResizeMix(tf.expandDims(masks, 3) as tf.Tensor4D, params);
    expect(await read(tf.squeeze(nearestImages, [3]))).toEqual(await read(mixedMasks));
    tf.dispose([x, a, b, applied, masks, mixedMasks, nearestImages]);
  });

  it('gives clear errors for bad options and parameters, leaking nothing', () => {
    const x = indexedImages([2, 6, 6, 1]);
    expectThrowsCleanly(() => resizeMix(x, [0, 1], { numClasses: 2, scale: [0.5, 0.2] }), /Argument 'options.scale' passed to 'resizeMix' must be \[lo, hi\] with 0 < lo <= hi <= 1, but got \[0.5, 0.2\]/);
    expectThrowsCleanly(() => resizeMix(x, [0, 1], { numClasses: 2, scale: [0, 1] }), /'options.scale'/);
    expectThrowsCleanly(() => resizeMix(x, [0, 1], { numClasses: 2, interpolation: 'cubic' as never }), /Argument 'options.interpolation' passed to 'resizeMix' must be one of 'bilinear', 'nearest', but got 'cubic'/);
    expectThrowsCleanly(() => resizeMix(x, [0, 1], { numClasses: 2, alpha: 1 } as never), /Unknown option 'alpha' passed to 'resizeMix'/);
    const params = sampleResizeMixParams([2, 6, 6], { seed: 1 });
    const taller = indexedImages([2, 7, 6, 1]);
    expectThrowsCleanly(() => applyResizeMix(taller, params), /Argument 'params' passed to 'applyResizeMix' must be sampled for 7×6 images/);
    expectThrowsCleanly(() => applyResizeMix(x, { ...params, lambda: [0.5, 0.5] }), /'params.lambda\[0\]'.*the share of pixels box/);
    expectThrowsCleanly(() => applyResizeMix(x, params, { interpolation: 'area' as never }), /'options.interpolation' passed to 'applyResizeMix'/);
    expect(() => sampleResizeMixParams([2, 6], {})).toThrow(/Argument 'shape' passed to 'sampleResizeMixParams' must be \[B, H, W\] or \[B, H, W, C\]/);
    tf.dispose([x, taller]);
  });
});
