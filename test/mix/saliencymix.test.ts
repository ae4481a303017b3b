import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, applySaliencyMix, saliencyExtractor, saliencyMix, sampleSaliencyMixParams } from '../../src/index.js';
import { type Box4, expectedBox } from '../support/boxes.js';
import { expectThrowsCleanly, indexedImages, oneHotRows, read } from '../support/tensors.js';

/** Checks the pixels and lambda of a SaliencyMix result against its boxes: partner inside, base outside, lambda the changed share. */
async function expectBoxPaste(input: tf.Tensor4D, result: { images: tf.Tensor; partners: tf.Tensor; boxes: tf.Tensor; lambda: tf.Tensor }) {
  const [B, H, W, C] = input.shape;
  const [x, out] = [await read<number[][][][]>(input), await read<number[][][][]>(result.images)];
  const [partners, boxes, lambda] = [await read<number[]>(result.partners), await read<Box4[]>(result.boxes), await read<number[]>(result.lambda)];
  for (let i = 0; i < B; i++) {
    const [y0, x0, y1, x1] = boxes[i]!;
    let changed = 0;
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        const inBox = y >= y0 && y < y1 && xx >= x0 && xx < x1;
        for (let c = 0; c < C; c++) expect(out[i]![y]![xx]![c]).toBe(x[inBox ? partners[i]! : i]![y]![xx]![c]);
        if (out[i]![y]![xx]![0] !== x[i]![y]![xx]![0]) changed++;
      }
    }
    expect(lambda[i]).toBe(Math.fround(1 - changed / (H * W)));
  }
  return { partners, boxes };
}

/** Maps `[B, h, w]` that are 0 except a peak of 1 at `peaks[b]` (row, column). */
const peakMaps = (peaks: [number, number][], h: number, w: number) =>
  tf.tensor3d(peaks.map(([r, c]) => Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => (y === r && x === c ? 1 : 0)))));

describe('saliencyMix', () => {
  it("centres each box on the peak of the partner's map, clipped, with exact lambda (maps at image resolution)", async () => {
    const [B, H, W] = [6, 12, 10];
    const x = indexedImages([B, H, W, 2]);
    const peaks: [number, number][] = [[0, 0], [11, 9], [5, 4], [2, 8], [9, 1], [6, 6]];
    const maps = peakMaps(peaks, H, W);
    for (const seed of [0, 1, 2]) {
      const result = saliencyMix(x, tf.tensor2d(oneHotRows(B, 3)), maps, { mode: 'elem', seed });
      const { partners, boxes } = await expectBoxPaste(x, result);
      const { sizes } = sampleSaliencyMixParams(x.shape, { mode: 'elem', seed });
      boxes.forEach((box, i) => expect(box).toEqual(expectedBox(sizes[i]!, ...peaks[partners[i]!]!, H, W)));
      tf.dispose(result);
    }
    tf.dispose([x, maps]);
  });

  it('maps the peak of a smaller map to the middle pixel of the image span its cell covers', async () => {
    // A 3 × 4 map on 10 × 13 images: rows [0, 3, 6, 10] → centres 1, 4, 8; columns [0, 3, 6, 9, 13] → 1, 4, 7, 11.
    const x = indexedImages([4, 10, 13, 1]);
    const peaks: [number, number][] = [[0, 0], [2, 3], [1, 2], [2, 1]];
    const centres: [number, number][] = [[1, 1], [8, 11], [4, 7], [8, 4]];
    const maps = peakMaps(peaks, 3, 4);
    const result = saliencyMix(x, [0, 1, 2, 3], maps, { numClasses: 4, mode: 'elem', seed: 5 });
    const { partners, boxes } = await expectBoxPaste(x, result);
    const { sizes } = sampleSaliencyMixParams(x.shape, { mode: 'elem', seed: 5 });
    boxes.forEach((box, i) => expect(box).toEqual(expectedBox(sizes[i]!, ...centres[partners[i]!]!, 10, 13)));
    tf.dispose([x, maps, result]);
  });

  it('breaks ties to the lower row-major index, and ranks NaN and ±Infinity below every finite value', async () => {
    const x = indexedImages([4, 8, 8, 1]);
    const maps = tf.tensor3d([
      [[0, 2, 0, 2], [2, 0, 0, 0], [0, 0, 0, 2]], // ties: index 1
      [[NaN, Infinity, 1, 1], [-Infinity, 1, 3, NaN], [3, 0, 0, 0]], // 3 at index 6 (and 8)
      [[5, 5, 5, 5], [5, 5, 5, 5], [5, 5, 5, 5]], // constant: index 0
      [[NaN, NaN, NaN, NaN], [NaN, NaN, NaN, NaN], [NaN, NaN, NaN, -1e30]], // the only finite value: index 11
    ]);
    const peakOf = [1, 6, 0, 11].map((j) => [Math.floor(j / 4), j % 4]);
    // Map rows [0, 2, 5, 8] → centres 1, 3, 6; columns [0, 2, 4, 6, 8] → 1, 3, 5, 7.
    const centre = ([r, c]: number[]) => [[1, 3, 6][r!]!, [1, 3, 5, 7][c!]!] as [number, number];
    const result = saliencyMix(x, [0, 1, 2, 3], maps, { numClasses: 4, mode: 'elem', seed: 2, alpha: 0.5 });
    const { partners, boxes } = await expectBoxPaste(x, result);
    const { sizes } = sampleSaliencyMixParams(x.shape, { mode: 'elem', seed: 2, alpha: 0.5 });
    boxes.forEach((box, i) => expect(box).toEqual(expectedBox(sizes[i]!, ...centre(peakOf[partners[i]!]!), 8, 8)));
    tf.dispose([x, maps, result]);
  });

  it('runs the extractor (default: the built-in saliency) once on the batch, with its labels', async () => {
    const calls: number[][] = [];
    const extractor: AttentionExtractor = {
      extract: (images, labels) => {
        calls.push([...images.shape, ...(labels?.shape ?? [])]);
        return tf.tidy(() => tf.pad(tf.ones([images.shape[0], 1, 1]), [[0, 0], [2, 1], [0, 3]])) as tf.Tensor3D; // peak at (2, 0) of 4 × 4
      },
    };
    const x = indexedImages([3, 8, 8, 1]);
    const result = saliencyMix(x, [0, 1, 2], extractor, { numClasses: 3, seed: 1 });
    expect(calls).toEqual([[3, 8, 8, 1, 3, 3]]);
    await expectBoxPaste(x, result);
    const byDefault = saliencyMix(x, [0, 1, 2], undefined, { numClasses: 3, seed: 1 });
    const explicit = saliencyMix(x, [0, 1, 2], saliencyExtractor(), { numClasses: 3, seed: 1 });
    expect(await byDefault.images.data()).toEqual(await explicit.images.data());
    tf.dispose([x, result, byDefault, explicit]);
  });

  it('keeps the dtype, and mixes nothing with prob 0 or a batch of one', async () => {
    const x = indexedImages([4, 6, 6, 3], 'int32');
    const maps = tf.randomUniform([4, 3, 3]) as tf.Tensor3D;
    const mixed = saliencyMix(x, [0, 1, 2, 3], maps, { numClasses: 4, seed: 0, mode: 'elem' });
    expect(mixed.images.dtype).toBe('int32');
    await expectBoxPaste(x, mixed);
    const none = saliencyMix(x, [0, 1, 2, 3], maps, { numClasses: 4, seed: 0, prob: 0 });
    expect(await read(none.images)).toEqual(await read(x));
    expect(await read(none.lambda)).toEqual([1, 1, 1, 1]);
    expect(await read(none.boxes)).toEqual(Array.from({ length: 4 }, () => [0, 0, 0, 0]));
    const one = indexedImages([1, 5, 5, 1]);
    const single = saliencyMix(one, [0], undefined, { numClasses: 2, seed: 3 });
    expect(await read(single.images)).toEqual(await read(one));
    tf.dispose([x, maps, mixed, none, one, single]);
  });

  it('is reproduced bit for bit by its seed, and by sampleSaliencyMixParams + applySaliencyMix, also on int32 masks [B, H, W]', async () => {
    const x = tf.randomUniform([5, 14, 11, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const maps = tf.randomUniform([5, 7, 5], 0, 1, 'float32', 5) as tf.Tensor3D;
    const opts = { numClasses: 3, seed: 'same', mode: 'elem', alpha: 0.7 } as const;
    const ids = [0, 1, 2, 0, 1];
    const [a, b] = [saliencyMix(x, ids, maps, opts), saliencyMix(x, ids, maps, opts)];
    for (const key of ['images', 'labels', 'lambda', 'partners', 'boxes'] as const) expect(await a[key].data()).toEqual(await b[key].data());
    const params = sampleSaliencyMixParams(x.shape, { seed: 'same', mode: 'elem', alpha: 0.7 });
    const applied = applySaliencyMix(x, params, maps);
    expect(await applied.data()).toEqual(await a.images.data());
    const masks = tf.tensor3d(Array.from({ length: 5 * 14 * 11 }, (_, i) => i), [5, 14, 11], 'int32');
    const mixedMasks = applySaliencyMix(masks, params, maps);
    const boxes = await read<Box4[]>(a.boxes);
    const [m, mm, partners] = [await read<number[][][]>(masks), await read<number[][][]>(mixedMasks), await read<number[]>(a.partners)];
    boxes.forEach(([y0, x0, y1, x1], i) => {
      for (let y = 0; y < 14; y++) for (let xx = 0; xx < 11; xx++) expect(mm[i]![y]![xx]).toBe(m[y >= y0 && y < y1 && xx >= x0 && xx < x1 ? partners[i]! : i]![y]![xx]);
    });
    tf.dispose([x, maps, a, b, applied, masks, mixedMasks]);
  });

  it('gives clear errors for bad attention and parameters, leaking nothing', () => {
    const x = indexedImages([2, 6, 6, 1]);
    const wrongBatch = tf.zeros([3, 4, 4]) as tf.Tensor3D;
    const masks = tf.zeros([2, 6, 6], 'int32');
    expectThrowsCleanly(() => saliencyMix(x, [0, 1], 42 as never, { numClasses: 2 }), /Argument 'attention' passed to 'saliencyMix' must be an AttentionExtractor.*or attention maps.*but got 42/);
    expectThrowsCleanly(() => saliencyMix(x, [0, 1], wrongBatch, { numClasses: 2 }), /Argument 'attention' passed to 'saliencyMix' must be attention maps for the batch of 2/);
    expectThrowsCleanly(() => saliencyMix(x, [0, 1], undefined, { numClasses: 2, minMax: [0.2, 0.4] } as never), /Unknown option 'minMax' passed to 'saliencyMix'/);
    const params = sampleSaliencyMixParams([2, 6, 6], { seed: 1 });
    expectThrowsCleanly(() => applySaliencyMix(masks, params, saliencyExtractor()), /Argument 'attention' passed to 'applySaliencyMix' must be the images' attention maps.*when x is \[B, H, W\]/);
    expectThrowsCleanly(() => applySaliencyMix(x, { ...params, sizes: [[7, 1], [0, 0]] }, saliencyExtractor()), /Argument 'params.sizes\[0\]' passed to 'applySaliencyMix' must be integers \[h, w\] with 0 <= h <= 6/);
    expectThrowsCleanly(() => applySaliencyMix(x, { ...params, partners: [0, 2] }, saliencyExtractor()), /'params.partners\[1\]'.*an integer in \[0, 2\)/);
    tf.dispose([x, wrongBatch, masks]);
  });
});
