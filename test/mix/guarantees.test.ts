// The guarantees every mixing op gives, checked for each op with the same cases.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { attentiveCutMix, cutMix, fmix, mixup, resizeMix, saliencyMix } from '../../src/index.js';
import { expectNoLeak, expectThrowsCleanly, oneHotRows } from '../support/tensors.js';

type Op = (images: tf.Tensor | tf.TensorLike, labels: tf.Tensor | number[] | number[][], options?: object) => tf.TensorContainer;
const ops: [string, Op][] = [
  ['mixup', mixup as Op],
  ['cutMix', cutMix as Op],
  ['attentiveCutMix', ((images, labels, options) => attentiveCutMix(images, labels, undefined, options)) as Op],
  ['resizeMix', resizeMix as Op],
  ['saliencyMix', ((images, labels, options) => saliencyMix(images, labels, undefined, options)) as Op],
  ['fmix', fmix as Op],
];

const batch = (b: number) => tf.randomUniform([b, 16, 12, 3], 0, 1, 'float32', b) as tf.Tensor4D;

describe.each(ops)('%s', (name, op) => {
  afterEach(() => vi.restoreAllMocks());

  it('neither disposes nor changes its inputs, and leaves no tensor behind', async () => {
    const x = batch(5);
    const y = tf.tensor1d([0, 1, 2, 3, 4], 'int32');
    const [xBefore, yBefore] = [await x.data(), await y.data()];
    for (const mode of ['batch', 'elem']) {
      expectNoLeak(() => op(x, y, { numClasses: 5, seed: 1, mode, labelSmoothing: 0.1 }));
    }
    expectNoLeak(() => op(x, [[1, 0], [0, 1], [1, 0], [0, 1], [1, 0]], { seed: 1 }));
    expect(x.isDisposed || y.isDisposed).toBe(false);
    expect(await x.data()).toEqual(xBefore);
    expect(await y.data()).toEqual(yBefore);
    tf.dispose([x, y]);
  });

  it('accepts nested arrays as images and disposes its own copy', () => {
    const images = tf.randomUniform([2, 8, 8, 1]) as tf.Tensor4D;
    const nested = images.arraySync();
    images.dispose();
    expectNoLeak(() => op(nested as unknown as tf.Tensor4D, [0, 1], { numClasses: 2, seed: 0 }));
  });

  it('runs the same number of kernels for a batch of 4 and of 32', async () => {
    const kernels = async (b: number) => {
      const x = batch(b);
      const y = tf.tensor2d(oneHotRows(b, 10));
      const info = await tf.profile(() => op(x, y, { seed: 0, mode: 'elem' }) as tf.Tensor[]);
      tf.dispose([x, y]);
      return info.kernelNames;
    };
    const small = await kernels(4);
    expect(small.length).toBeGreaterThan(0);
    expect(await kernels(32)).toEqual(small);
  });

  it('reads nothing back from the device while it runs', () => {
    const x = batch(6);
    const y = tf.tensor2d(oneHotRows(6, 3));
    const proto = tf.Tensor.prototype;
    const spies = (['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'] as const).map((m) => vi.spyOn(proto, m));
    const result = op(x, y, { seed: 2, mode: 'elem' });
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    tf.dispose([x, y, result]);
  });

  it('gives a clear Error for each bad argument, leaking nothing', () => {
    const x = batch(4);
    const ids = tf.tensor1d([0, 1, 2, 3], 'int32');
    const [rank3, bools, floatIds, threeIds, wideLabels, rank3Labels] = [
      tf.zeros([4, 8, 8]),
      tf.zeros([4, 8, 8, 1], 'bool'),
      tf.tensor1d([0, 1.5, 2, 3]),
      tf.tensor1d([0, 1, 2], 'int32'),
      tf.zeros([4, 5]),
      tf.zeros([4, 2, 2]),
    ];
    const arg = (a: string) => new RegExp(`Argument '${a}' passed to '${name}'`);
    expectThrowsCleanly(() => op(rank3 as tf.Tensor4D, ids, { numClasses: 4 }), arg('images'), /rank 4 \[B, H, W, C\], but got rank 3/);
    expectThrowsCleanly(() => op(bools as tf.Tensor4D, ids, { numClasses: 4 }), arg('images'), /float32 or int32.*bool/);
    expectThrowsCleanly(() => op(x, threeIds, { numClasses: 4 }), arg('labels'), /a batch of 4 labels.*but got 3/);
    expectThrowsCleanly(() => op(x, ids), arg('options.numClasses'), /given when labels are class ids/);
    expectThrowsCleanly(() => op(x, floatIds, { numClasses: 4 }), arg('labels'), /class ids that are integers in \[0, 4\).*but got 1.5 at index 1/);
    expectThrowsCleanly(() => op([[[[1]]], [[[1], [2]]]], [0, 1], { numClasses: 2 }), arg('images'), /a rectangular \(Tensor-like\) array, but got a ragged one: images\[1\]\[0\] has 2 entries where images\[0\]\[0\] has 1 entry\./);
    expectThrowsCleanly(() => op(x, [[1, 0], [1], [0, 1], [1, 0]]), arg('labels'), /but got a ragged one: labels\[1\] has 1 entry where labels\[0\] has 2 entries\./);
    expectThrowsCleanly(() => op(x, ids, { numClasses: 3 }), arg('labels'), /in \[0, 3\)/);
    expectThrowsCleanly(() => op(x, wideLabels, { numClasses: 3 }), arg('options.numClasses'), /K = 5.*but got 3/);
    expectThrowsCleanly(() => op(x, rank3Labels), arg('labels'), /\[B\].*\[B, K\]/);
    if (name !== 'attentiveCutMix' && name !== 'resizeMix') expectThrowsCleanly(() => op(x, ids, { numClasses: 4, alpha: 0 }), arg('options.alpha'), /> 0, but got 0/);
    expectThrowsCleanly(() => op(x, ids, { numClasses: 4, prob: -0.1 }), arg('options.prob'), /\[0, 1\], but got -0.1/);
    expectThrowsCleanly(() => op(x, ids, { numClasses: 4, mode: 'pairs' }), arg('options.mode'), /'batch', 'elem'/);
    expectThrowsCleanly(() => op(x, ids, { numClasses: 4, partner: 'next' }), arg('options.partner'), /'shuffle', 'flip', 'roll'/);
    expectThrowsCleanly(() => op(x, ids, { numClasses: 4, labelSmoothing: 2 }), arg('options.labelSmoothing'), /\[0, 1\], but got 2/);
    expectThrowsCleanly(() => op(x, ids, { numClasses: 4.5 }), arg('options.numClasses'), /an integer in \[1, 16777216\], but got 4.5/);
    expectThrowsCleanly(() => op(x, ids, { numClasses: 4, validateLabels: 'yes' }), arg('options.validateLabels'), /boolean/);
    expectThrowsCleanly(() => op(x, ids, { numClasses: 4, sed: 1 }), new RegExp(`Unknown option 'sed' passed to '${name}'`));
    expectThrowsCleanly(() => op(x, ids, 5 as unknown as object), arg('options'), /an object, but got 5/);
    expectThrowsCleanly(() => op('cat' as unknown as tf.Tensor4D, ids, { numClasses: 4 }), arg('images'), /Tensor or TensorLike, but got 'cat'/);
    const disposed = batch(4);
    disposed.dispose();
    expectThrowsCleanly(() => op(disposed, ids, { numClasses: 4 }), arg('images'), /disposed/);
    tf.dispose([x, ids, rank3, bools, floatIds, threeIds, wideLabels, rank3Labels]);
  });
});

describe('cutMix minMax', () => {
  it('rejects minMax outside (0, 1] or with lo > hi', () => {
    const x = batch(2);
    expectThrowsCleanly(() => cutMix(x, [0, 1], { numClasses: 2, minMax: [0.5, 0.2] }), /Argument 'options.minMax' passed to 'cutMix'.*\[0.5, 0.2\]/);
    expectThrowsCleanly(() => cutMix(x, [0, 1], { numClasses: 2, minMax: [0, 1] }), /'options.minMax'/);
    x.dispose();
  });
});
