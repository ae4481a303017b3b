import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { applyMixup, mixup, sampleMixupParams } from '../../src/index.js';
import { indexedImages, oneHotRows, read } from '../support/tensors.js';

describe('mixup', () => {
  it('blends each sample with its partner by lambda (odd batch, non-square)', async () => {
    const x = indexedImages([5, 3, 7, 2]);
    const result = mixup(x, tf.tensor2d(oneHotRows(5, 3)), { seed: 3, mode: 'elem', alpha: 0.4, partner: 'roll' });
    const [input, out] = [await read<number[][][][]>(x), await read<number[][][][]>(result.images)];
    const lambda = await read<number[]>(result.lambda);
    const partners = await read<number[]>(result.partners);
    expect(new Set(lambda).size).toBeGreaterThan(1);
    for (let i = 0; i < 5; i++) {
      input[i]!.flat(2).forEach((v, j) => {
        const expected = lambda[i]! * v + (1 - lambda[i]!) * input[partners[i]!]!.flat(2)[j]!;
        expect(Math.abs(out[i]!.flat(2)[j]! - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));
      });
    }
    tf.dispose([x, result]);
  });

  it('mixes the labels with the same lambda, rows summing to 1', async () => {
    const y = oneHotRows(6, 6);
    const result = mixup(tf.zeros([6, 2, 2, 1]) as tf.Tensor4D, tf.tensor2d(y), { seed: 8, mode: 'elem', partner: 'roll' });
    const labels = await read<number[][]>(result.labels);
    const lambda = await read<number[]>(result.lambda);
    labels.forEach((row, i) => {
      const p = (i + 5) % 6;
      expect(row[i]).toBeCloseTo(lambda[i]!, 6);
      expect(row[p]).toBeCloseTo(1 - lambda[i]!, 6);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    });
    tf.dispose(result);
  });

  it('uses one lambda for the batch in batch mode', async () => {
    const result = mixup(tf.ones([4, 2, 2, 1]) as tf.Tensor4D, tf.tensor2d(oneHotRows(4, 2)), { seed: 1, partner: 'roll' });
    expect(new Set(await read<number[]>(result.lambda)).size).toBe(1);
    tf.dispose(result);
  });

  it('returns float32 for int32 images', async () => {
    const x = indexedImages([2, 2, 2, 1], 'int32');
    const result = mixup(x, tf.tensor2d(oneHotRows(2, 2)), { seed: 0 });
    expect(result.images.dtype).toBe('float32');
    tf.dispose([x, result]);
  });

  it('returns unmixed samples exactly: prob 0 and a batch of one', async () => {
    const x = tf.randomNormal([3, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const none = mixup(x, tf.tensor2d(oneHotRows(3, 3)), { prob: 0, seed: 1 });
    expect(await none.images.data()).toEqual(await x.data());
    expect(await read(none.lambda)).toEqual([1, 1, 1]);
    const single = tf.slice(x, [0], [1]);
    const one = mixup(single, [1], { numClasses: 2, seed: 1 });
    expect(await one.images.data()).toEqual(await single.data());
    expect(await read(one.labels)).toEqual([[0, 1]]);
    tf.dispose([x, none, single, one]);
  });

  it('is reproduced bit for bit by its seed, and by sampleMixupParams + applyMixup', async () => {
    const x = tf.randomUniform([8, 5, 5, 3], 0, 255, 'float32', 2) as tf.Tensor4D;
    const y = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');
    const a = mixup(x, y, { numClasses: 4, seed: 12, mode: 'elem' });
    const b = mixup(x, y, { numClasses: 4, seed: 12, mode: 'elem' });
    expect(await a.images.data()).toEqual(await b.images.data());
    expect(await a.labels.data()).toEqual(await b.labels.data());
    const applied = applyMixup(x, sampleMixupParams(8, { seed: 12, mode: 'elem' }));
    expect(await applied.data()).toEqual(await a.images.data());
    tf.dispose([x, y, a, b, applied]);
  });
});
