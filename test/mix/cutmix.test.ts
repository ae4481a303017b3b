import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { applyCutMix, cutMix, sampleCutMixParams } from '../../src/index.js';
import { indexedImages, oneHotRows, read } from '../support/tensors.js';

type Box4 = [number, number, number, number];

/**
 * Checks a CutMix output against its input value by value: inside box i every pixel is the
 * partner's pixel at the same place, outside it sample i's own, and lambda is the exact share
 * of pixels sample i kept. Returns the pasted pixel count per sample.
 */
async function expectExactPaste(input: tf.Tensor4D, result: ReturnType<typeof cutMix>): Promise<number[]> {
  const [B, H, W, C] = input.shape;
  const x = await read<number[][][][]>(input);
  const out = await read<number[][][][]>(result.images);
  const partners = await read<number[]>(result.partners);
  const boxes = await read<Box4[]>(result.boxes);
  const lambda = await read<number[]>(result.lambda);
  const pasted: number[] = [];
  for (let i = 0; i < B; i++) {
    const [y0, x0, y1, x1] = boxes[i]!;
    expect(0 <= y0 && y0 <= y1 && y1 <= H && 0 <= x0 && x0 <= x1 && x1 <= W, `box ${boxes[i]} inside ${H}×${W}`).toBe(true);
    let fromPartner = 0;
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        const inBox = y >= y0 && y < y1 && xx >= x0 && xx < x1;
        const source = inBox ? partners[i]! : i;
        for (let c = 0; c < C; c++) expect(out[i]![y]![xx]![c]).toBe(x[source]![y]![xx]![c]);
        if (inBox) fromPartner++;
      }
    }
    pasted.push(fromPartner);
    expect(lambda[i]).toBe(Math.fround(1 - fromPartner / (H * W)));
  }
  return pasted;
}

describe('cutMix', () => {
  it('pastes the partner inside the box, pixel for pixel, with exact lambda (odd batch, non-square)', async () => {
    const x = indexedImages([5, 7, 11, 3]);
    for (const seed of [0, 1, 2, 3]) {
      const result = cutMix(x, tf.tensor1d([0, 1, 2, 3, 4], 'int32'), { numClasses: 5, seed, mode: 'elem' });
      const pasted = await expectExactPaste(x, result);
      const partners = await read<number[]>(result.partners);
      pasted.forEach((p, i) => {
        if (partners[i] === i) expect(p).toBe(0); // a sample paired with itself is left unmixed
      });
      tf.dispose(result);
    }
    x.dispose();
  });

  it('weights each label by the pixels it really contributes, and rows sum to 1', async () => {
    const [B, K] = [7, 4];
    const x = indexedImages([B, 9, 6, 1]);
    const y = oneHotRows(B, K);
    const result = cutMix(x, tf.tensor2d(y), { seed: 'labels', mode: 'elem', partner: 'roll' });
    const pasted = await expectExactPaste(x, result);
    const labels = await read<number[][]>(result.labels);
    const partners = await read<number[]>(result.partners);
    for (let i = 0; i < B; i++) {
      const lam = Math.fround(1 - pasted[i]! / 54);
      const expected = y[i]!.map((v, k) => lam * v + (1 - lam) * y[partners[i]!]![k]!);
      labels[i]!.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 6));
      expect(labels[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    tf.dispose([x, result]);
  });

  it('clips boxes at the border and recomputes lambda from what was pasted', async () => {
    const x = indexedImages([16, 8, 8, 1]);
    const result = cutMix(x, tf.tensor2d(oneHotRows(16, 2)), { seed: 11, mode: 'elem', partner: 'roll', alpha: 0.5 });
    await expectExactPaste(x, result);
    const boxes = await read<Box4[]>(result.boxes);
    expect(boxes.some(([y0, x0, y1, x1]) => (y0 === 0 || x0 === 0 || y1 === 8 || x1 === 8) && y1 > y0)).toBe(true);
    tf.dispose([x, result]);
  });

  it('pastes one box for the whole batch in batch mode', async () => {
    const x = indexedImages([4, 10, 10, 2]);
    const result = cutMix(x, tf.tensor2d(oneHotRows(4, 3)), { seed: 4, partner: 'roll' });
    await expectExactPaste(x, result);
    expect(new Set((await read<Box4[]>(result.boxes)).map(String)).size).toBe(1);
    expect(new Set(await read<number[]>(result.lambda)).size).toBe(1);
    tf.dispose([x, result]);
  });

  it('draws box sides within minMax and keeps lambda exact', async () => {
    const x = indexedImages([6, 20, 10, 1]);
    const result = cutMix(x, tf.tensor2d(oneHotRows(6, 2)), { seed: 5, mode: 'elem', partner: 'roll', minMax: [0.3, 0.6] });
    await expectExactPaste(x, result);
    for (const [y0, x0, y1, x1] of await read<Box4[]>(result.boxes)) {
      expect(y1 - y0).toBeGreaterThanOrEqual(6);
      expect(y1 - y0).toBeLessThanOrEqual(12);
      expect(x1 - x0).toBeGreaterThanOrEqual(3);
      expect(x1 - x0).toBeLessThanOrEqual(6);
    }
    tf.dispose([x, result]);
  });

  it('keeps int32 images int32, and float32 float32', async () => {
    for (const dtype of ['int32', 'float32'] as const) {
      const x = indexedImages([3, 5, 5, 3], dtype);
      const result = cutMix(x, tf.tensor2d(oneHotRows(3, 3)), { seed: 1, mode: 'elem' });
      expect(result.images.dtype).toBe(dtype);
      await expectExactPaste(x, result);
      expect([result.labels.dtype, result.lambda.dtype, result.partners.dtype, result.boxes.dtype]).toEqual(['float32', 'float32', 'int32', 'int32']);
      tf.dispose([x, result]);
    }
  });

  it('returns a batch of one unchanged, with lambda 1 and an empty box', async () => {
    const x = indexedImages([1, 4, 6, 3]);
    const result = cutMix(x, tf.tensor1d([2], 'int32'), { numClasses: 3, seed: 0 });
    expect(await read(result.images)).toEqual(await read(x));
    expect(await read(result.lambda)).toEqual([1]);
    expect(await read(result.boxes)).toEqual([[0, 0, 0, 0]]);
    expect(await read(result.labels)).toEqual([[0, 0, 1]]);
    tf.dispose([x, result]);
  });

  it('mixes nothing with prob 0: images equal, lambda 1, boxes zero', async () => {
    const x = indexedImages([4, 6, 6, 1]);
    for (const mode of ['batch', 'elem'] as const) {
      const result = cutMix(x, tf.tensor2d(oneHotRows(4, 4)), { seed: 0, prob: 0, mode });
      expect(await read(result.images)).toEqual(await read(x));
      expect(await read(result.lambda)).toEqual([1, 1, 1, 1]);
      expect(await read(result.boxes)).toEqual(Array.from({ length: 4 }, () => [0, 0, 0, 0]));
      tf.dispose(result);
    }
    x.dispose();
  });

  it('is reproduced bit for bit by its seed, and by sampleCutMixParams + applyCutMix', async () => {
    const x = tf.randomUniform([6, 12, 9, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32');
    const opts = { numClasses: 3, seed: 'same', mode: 'elem' } as const;
    const a = cutMix(x, y, opts);
    const b = cutMix(x, y, opts);
    for (const key of ['images', 'labels', 'lambda', 'partners', 'boxes'] as const) {
      expect(await a[key].data()).toEqual(await b[key].data());
    }
    const params = sampleCutMixParams(x.shape, { seed: 'same', mode: 'elem' });
    const applied = applyCutMix(x, params);
    expect(await applied.data()).toEqual(await a.images.data());
    expect(await read(a.boxes)).toEqual(params.boxes);
    const other = cutMix(x, y, { ...opts, seed: 'other' });
    expect(await read(other.boxes)).not.toEqual(await read(a.boxes));
    tf.dispose([x, y, a, b, applied, other]);
  });

  it('applies the same parameters to a second tensor, such as int32 segmentation masks [B, H, W]', async () => {
    const x = indexedImages([3, 6, 8, 3]);
    const masks = tf.tensor3d(Array.from({ length: 3 * 6 * 8 }, (_, i) => i), [3, 6, 8], 'int32');
    const params = sampleCutMixParams(x.shape, { seed: 2, mode: 'elem', partner: 'flip' });
    const mixed = applyCutMix(masks, params);
    expect(mixed.dtype).toBe('int32');
    const mixedMasks = await read<number[][][]>(mixed);
    const m = await read<number[][][]>(masks);
    params.boxes.forEach(([y0, x0, y1, x1], i) => {
      for (let y = 0; y < 6; y++) {
        for (let xx = 0; xx < 8; xx++) {
          const inBox = y >= y0 && y < y1 && xx >= x0 && xx < x1;
          expect(mixedMasks[i]![y]![xx]).toBe(m[inBox ? params.partners[i]! : i]![y]![xx]);
        }
      }
    });
    tf.dispose([x, masks, mixed]);
  });
});
