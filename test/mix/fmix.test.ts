import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { applyFMix, fmix, sampleFMixParams } from '../../src/index.js';
import { expectThrowsCleanly, indexedImages, oneHotRows, read } from '../support/tensors.js';

/**
 * Checks an FMix output pixel by pixel: where the mask is set the partner's pixel, elsewhere the
 * base's; lambda the exact share of pixels that did not change. Returns the masks.
 */
async function expectMaskPaste(input: tf.Tensor4D, result: { images: tf.Tensor; partners: tf.Tensor; masks: tf.Tensor; lambda: tf.Tensor }) {
  const [B, H, W, C] = input.shape;
  const [x, out] = [await read<number[][][][]>(input), await read<number[][][][]>(result.images)];
  const [partners, masks, lambda] = [await read<number[]>(result.partners), await read<number[][][]>(result.masks), await read<number[]>(result.lambda)];
  expect(result.masks.dtype).toBe('bool');
  for (let i = 0; i < B; i++) {
    let changed = 0;
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        const pasted = masks[i]![y]![xx] === 1;
        for (let c = 0; c < C; c++) expect(out[i]![y]![xx]![c]).toBe(x[pasted ? partners[i]! : i]![y]![xx]![c]);
        if (out[i]![y]![xx]![0] !== x[i]![y]![xx]![0]) changed++;
      }
    }
    expect(lambda[i]).toBe(Math.fround(1 - changed / (H * W)));
  }
  return masks;
}

/** The share of horizontally or vertically adjacent pixel pairs whose mask values differ. */
function boundaryShare(mask: number[][]): number {
  let [differ, pairs] = [0, 0];
  mask.forEach((row, y) =>
    row.forEach((v, x) => {
      if (x + 1 < row.length) [differ, pairs] = [differ + (v !== row[x + 1] ? 1 : 0), pairs + 1];
      if (y + 1 < mask.length) [differ, pairs] = [differ + (v !== mask[y + 1]![x] ? 1 : 0), pairs + 1];
    }),
  );
  return differ / pairs;
}

describe('fmix', () => {
  it('pastes the partner through each sample’s mask, pixel for pixel, with exact lambda (odd batch, non-square)', async () => {
    const x = indexedImages([5, 16, 13, 3]);
    for (const seed of [0, 1]) {
      const result = fmix(x, [0, 1, 2, 3, 4], { numClasses: 5, mode: 'elem', seed });
      const masks = await expectMaskPaste(x, result);
      expect(new Set(masks.map(String)).size).toBeGreaterThan(1); // one mask per sample
      tf.dispose(result);
    }
    x.dispose();
  });

  it('pastes exactly and with exact lambda where the masks come from an interpolated grid (96 × 96, δ = 3: every 2nd pixel exact)', async () => {
    const x = indexedImages([3, 96, 96, 1]);
    const result = fmix(x, [0, 1, 2], { numClasses: 3, mode: 'elem', seed: 11 });
    const masks = await expectMaskPaste(x, result);
    const lambda = await read<number[]>(result.lambda);
    masks.forEach((mask, i) => expect(lambda[i]).toBe(Math.fround(1 - mask.flat().reduce((s, v) => s + v, 0) / (96 * 96))));
    const params = sampleFMixParams(x.shape, { mode: 'elem', seed: 11 });
    expect(Array.from(await result.masks.data())).toEqual(Array.from(params.masks));
    tf.dispose([x, result]);
  });

  it('cuts free-form, low-frequency masks: few boundary pixels, more with a smaller decay', async () => {
    const x = indexedImages([8, 64, 64, 1]);
    const share = async (decay: number) => {
      const result = fmix(x, tf.tensor2d(oneHotRows(8, 2)), { decay, mode: 'elem', partner: 'roll', seed: 3 });
      const masks = await read<number[][][]>(result.masks);
      tf.dispose(result);
      return masks.reduce((s, m) => s + boundaryShare(m), 0) / masks.length;
    };
    const [smooth, rough] = [await share(3), await share(1)];
    expect(smooth).toBeLessThan(0.08); // a random mask of the same share has about half its pairs differ
    expect(rough).toBeGreaterThan(smooth);
    x.dispose();
  });

  it('uses one mask for the whole batch in batch mode', async () => {
    const x = indexedImages([4, 12, 12, 1]);
    const result = fmix(x, tf.tensor2d(oneHotRows(4, 2)), { partner: 'roll', seed: 4 });
    const masks = await expectMaskPaste(x, result);
    expect(new Set(masks.map(String)).size).toBe(1);
    expect(new Set(await read<number[]>(result.lambda)).size).toBe(1);
    tf.dispose([x, result]);
  });

  it('keeps int32 images int32, and mixes nothing with prob 0 or a batch of one', async () => {
    const x = indexedImages([4, 6, 6, 2], 'int32');
    const mixed = fmix(x, [0, 1, 2, 3], { numClasses: 4, seed: 0, mode: 'elem' });
    expect(mixed.images.dtype).toBe('int32');
    await expectMaskPaste(x, mixed);
    const none = fmix(x, [0, 1, 2, 3], { numClasses: 4, seed: 0, prob: 0, mode: 'elem' });
    expect(await read(none.images)).toEqual(await read(x));
    expect(await read(none.lambda)).toEqual([1, 1, 1, 1]);
    expect((await read<number[][][]>(none.masks)).flat(2).every((v) => v === 0)).toBe(true);
    const one = indexedImages([1, 5, 5, 1]);
    const single = fmix(one, [0], { numClasses: 2, seed: 3 });
    expect(await read(single.images)).toEqual(await read(one));
    tf.dispose([x, mixed, none, one, single]);
  });

  it('changes nothing else when prob changes: the samples still mixed keep their masks', async () => {
    const [all, some] = [sampleFMixParams([6, 10, 10], { mode: 'elem', seed: 7 }), sampleFMixParams([6, 10, 10], { mode: 'elem', seed: 7, prob: 0.5 })];
    expect(some.partners).toEqual(all.partners);
    let kept = 0;
    some.lambda.forEach((l, i) => {
      if (l === 1) return;
      kept++;
      expect(l).toBe(all.lambda[i]);
      expect(some.masks.subarray(i * 100, (i + 1) * 100)).toEqual(all.masks.subarray(i * 100, (i + 1) * 100));
    });
    expect(kept).toBeGreaterThan(0);
  });

  it('is reproduced bit for bit by its seed, and by sampleFMixParams + applyFMix, also on int32 masks [B, H, W]', async () => {
    const x = tf.randomUniform([5, 12, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const ids = [0, 1, 2, 0, 1];
    const opts = { numClasses: 3, seed: 'same', mode: 'elem', decay: 2.5, alpha: 0.5 } as const;
    const [a, b] = [fmix(x, ids, opts), fmix(x, ids, opts)];
    for (const key of ['images', 'labels', 'lambda', 'partners', 'masks'] as const) expect(await a[key].data()).toEqual(await b[key].data());
    const params = sampleFMixParams(x.shape, { seed: 'same', mode: 'elem', decay: 2.5, alpha: 0.5 });
    const applied = applyFMix(x, params);
    expect(await applied.data()).toEqual(await a.images.data());
    expect(Array.from(await a.masks.data())).toEqual(Array.from(params.masks));
    expect(await read(a.lambda)).toEqual(params.lambda);
    const masks = tf.tensor3d(Array.from({ length: 5 * 12 * 9 }, (_, i) => i), [5, 12, 9], 'int32');
    const mixedMasks = applyFMix(masks, params);
    const [m, mm] = [await read<number[][][]>(masks), await read<number[][][]>(mixedMasks)];
    for (let i = 0; i < 5; i++) {
      for (let p = 0; p < 12 * 9; p++) {
        const [y, xx] = [Math.floor(p / 9), p % 9];
        expect(mm[i]![y]![xx]).toBe(m[params.masks[i * 108 + p] ? params.partners[i]! : i]![y]![xx]);
      }
    }
    tf.dispose([x, a, b, applied, masks, mixedMasks]);
  });

  it('gives clear errors for bad options and parameters, leaking nothing', () => {
    const x = indexedImages([2, 6, 6, 1]);
    expectThrowsCleanly(() => fmix(x, [0, 1], { numClasses: 2, decay: 0 }), /Argument 'options.decay' passed to 'fmix' must be a number > 0, but got 0/);
    expectThrowsCleanly(() => fmix(x, [0, 1], { numClasses: 2, decay: Number.NaN }), /'options.decay'.*but got NaN/);
    const params = sampleFMixParams([2, 6, 6], { seed: 1 });
    expectThrowsCleanly(() => applyFMix(x, { ...params, masks: new Uint8Array(10) }), /Argument 'params.masks' passed to 'applyFMix' must be a Uint8Array of 2·6·6 = 72 zeros and ones, but got a Uint8Array of length 10/);
    const flipped = Uint8Array.from(params.masks, (m) => 1 - m);
    expectThrowsCleanly(() => applyFMix(x, { ...params, masks: flipped }), /Argument 'params.lambda\[0\]' passed to 'applyFMix' must be .*the share of pixels mask 0 leaves to the base/);
    expectThrowsCleanly(() => applyFMix(x, { ...params, masks: new Uint8Array(72).fill(2) }), /'params.masks\[0\]'.*0 or 1, but got 2/);
    expect(() => sampleFMixParams([2, 6, 6], { decay: -1 })).toThrow(/Argument 'options.decay' passed to 'sampleFMixParams'/);
    x.dispose();
  });
});
