import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { cutMix, mixLabels, mixup, sampleCutMixParams } from '../../src/index.js';
import { expectThrowsCleanly, oneHotRows, read } from '../support/tensors.js';

const images = () => tf.zeros([4, 4, 4, 1]) as tf.Tensor4D;

describe('labels', () => {
  it('gives the same result for class ids, id arrays, one-hot tensors and one-hot arrays', async () => {
    const x = images();
    const opts = { seed: 3, mode: 'elem', numClasses: 3 } as const;
    const ids = [2, 0, 1, 2];
    const oneHot = ids.map((id) => [0, 1, 2].map((k) => (k === id ? 1 : 0)));
    const results = [
      cutMix(x, tf.tensor1d(ids, 'int32'), opts),
      cutMix(x, ids, opts),
      cutMix(x, Int32Array.from(ids), opts),
      cutMix(x, tf.tensor2d(oneHot), opts),
      cutMix(x, oneHot, opts),
      cutMix(x, tf.tensor2d(oneHot, undefined, 'int32'), opts),
    ];
    const first = await results[0]!.labels.data();
    for (const r of results) expect(await r.labels.data()).toEqual(first);
    tf.dispose([x, ...results]);
  });

  it('smooths before mixing: off-value ε/K, on-value 1 − ε + ε/K', async () => {
    const [eps, K] = [0.1, 5];
    const x = images();
    const unmixed = mixup(x, [0, 1, 2, 3], { numClasses: K, labelSmoothing: eps, prob: 0 });
    for (const [i, row] of (await read<number[][]>(unmixed.labels)).entries()) {
      row.forEach((v, k) => expect(v).toBeCloseTo(k === i ? 1 - eps + eps / K : eps / K, 6));
    }
    const mixed = mixup(x, [0, 1, 2, 3], { numClasses: K, labelSmoothing: eps, seed: 1, mode: 'elem', partner: 'roll' });
    const lambda = await read<number[]>(mixed.lambda);
    for (const [i, row] of (await read<number[][]>(mixed.labels)).entries()) {
      const p = (i + 3) % 4;
      const smooth = (id: number, k: number) => (k === id ? 1 - eps + eps / K : eps / K);
      row.forEach((v, k) => expect(v).toBeCloseTo(lambda[i]! * smooth(i, k) + (1 - lambda[i]!) * smooth(p, k), 6));
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
    tf.dispose([x, unmixed, mixed]);
  });

  it('is off by default (no silent smoothing)', async () => {
    const x = images();
    const r = mixup(x, [0, 1, 2, 3], { numClasses: 4, prob: 0 });
    expect(await read(r.labels)).toEqual(oneHotRows(4, 4));
    tf.dispose([x, r]);
  });

  it('keeps class ids above 256 exact (no low-precision cast)', async () => {
    const x = images();
    const r = cutMix(x, [999, 300, 257, 1000], { numClasses: 1001, prob: 0 });
    const rows = await read<number[][]>(r.labels);
    expect(rows.map((row) => row.indexOf(1))).toEqual([999, 300, 257, 1000]);
    tf.dispose([x, r]);
  });

  it('mixLabels applies sampled parameters to labels on their own', async () => {
    const params = sampleCutMixParams([4, 8, 8], { seed: 6, mode: 'elem', partner: 'roll' });
    const mixed = mixLabels(tf.tensor1d([0, 1, 2, 3], 'int32'), params, { numClasses: 4 });
    const rows = await read<number[][]>(mixed);
    rows.forEach((row, i) => {
      if (params.lambda[i] !== 1) expect(row[params.partners[i]!]).toBeCloseTo(1 - params.lambda[i]!, 6);
      expect(row[i]).toBeCloseTo(params.lambda[i]!, 6);
    });
    mixed.dispose();
  });

  it('checks class ids on host backends, and can skip the check, for arrays too (an out-of-range id then gives a zero row)', async () => {
    const x = images();
    const bad = tf.tensor1d([0, 1, 7, 2], 'int32');
    expectThrowsCleanly(() => cutMix(x, bad, { numClasses: 4 }), /Argument 'labels' passed to 'cutMix' must be class ids that are integers in \[0, 4\).*got 7 at index 2/);
    expectThrowsCleanly(() => cutMix(x, [0, 1, -1, 2], { numClasses: 4 }), /got -1 at index 2/);
    const unchecked = cutMix(x, bad, { numClasses: 4, validateLabels: false, prob: 0 });
    expect((await read<number[][]>(unchecked.labels))[2]).toEqual([0, 0, 0, 0]);
    const uncheckedArray = cutMix(x, [0, 1, -1, 2], { numClasses: 4, validateLabels: false, prob: 0 });
    expect((await read<number[][]>(uncheckedArray.labels))[2]).toEqual([0, 0, 0, 0]);
    tf.dispose([x, bad, unchecked, uncheckedArray]);
  });

  it('takes float32 class ids as tf.data batches plain numbers: the same labels as int32 ids', async () => {
    const x = images();
    const [asInt, asFloat] = [tf.tensor1d([3, 0, 2, 1], 'int32'), tf.tensor1d([3, 0, 2, 1], 'float32')];
    for (const op of [cutMix, mixup] as const) {
      const [a, b] = [op(x, asInt, { numClasses: 4, seed: 2 }), op(x, asFloat, { numClasses: 4, seed: 2 })];
      expect(await read(b.labels)).toEqual(await read(a.labels));
      tf.dispose([a, b]);
    }
    const fractional = tf.tensor1d([3, 0, 2.5, 1]);
    expectThrowsCleanly(() => cutMix(x, fractional, { numClasses: 4 }), /class ids that are integers in \[0, 4\).*but got 2.5 at index 2/);
    tf.dispose([x, asInt, asFloat, fractional]);
  });
});
