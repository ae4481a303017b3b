// The mistakes people make, each refused with its likely cause and the fix: channels-first images,
// a model where an extractor belongs, class ids in a [B, 1] column, an unbatched dataset, a method
// spelled another way. Objects are described by what they are, not by their private fields.
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, applyAttentiveCutMix, applyCutMix, applyMixup, attentiveCutMix, createMixer, cutMix, mixDataset, mixup, precomputeAttention, sampleCutMixParams, sampleMixupParams } from '../../src/index.js';
import { expectThrowsCleanly } from '../support/tensors.js';

describe('channels-first images ([B, C, H, W], as PyTorch writes them)', () => {
  const transpose = /which looks channels-first \(\[B, C, H, W\], as PyTorch writes images: 3 channels of 32 × 32; channels last, it would be 3 pixels high with 32 channels\); transpose it: tf\.transpose\(\w+, \[0, 2, 3, 1\]\) gives \[2, 32, 32, 3\]/;

  it('are refused by every op, with the transpose that fixes them', () => {
    const nchw = tf.zeros([2, 3, 32, 32]) as tf.Tensor4D;
    const calls: [string, () => unknown][] = [
      ['mixup', () => mixup(nchw, [0, 1], { numClasses: 2 })],
      ['cutMix', () => cutMix(nchw, [0, 1], { numClasses: 2 })],
      ['attentiveCutMix', () => attentiveCutMix(nchw, [0, 1], undefined, { numClasses: 2 })],
      ['applyCutMix', () => applyCutMix(nchw, sampleCutMixParams([2, 32, 32], { seed: 1 }))],
      ['applyMixup', () => applyMixup(nchw, sampleMixupParams(2, { seed: 1 }))],
      ['attentiveCutMix mixer', () => createMixer({ method: 'attentiveCutMix', numClasses: 2 }).mix(nchw, [0, 1])],
    ];
    for (const [name, call] of calls) expectThrowsCleanly(call, new RegExp(`passed to '${name.split(' ')[0]}`), /must be images \[B, H, W, C\], channels last as tfjs has them/, transpose);
    nchw.dispose();
  });

  it('are refused where the cells are applied, and a one-channel batch says so', () => {
    const gray = tf.zeros([2, 1, 28, 28]) as tf.Tensor4D;
    const cells = { partners: [1, 0], cells: [[0], [1]], lambda: [0.5, 0.5], grid: 2 };
    expectThrowsCleanly(() => applyAttentiveCutMix(gray, cells as never), /Argument 'x' passed to 'applyAttentiveCutMix'/, /1 channel of 28 × 28; channels last, it would be 1 pixel high with 28 channels\); transpose it: tf\.transpose\(x, \[0, 2, 3, 1\]\) gives \[2, 28, 28, 1\]/);
    gray.dispose();
  });

  it('are refused by precomputeAttention before any extractor runs', async () => {
    const nchw = tf.zeros([2, 3, 32, 32]) as tf.Tensor4D;
    let ran = false;
    const extractor: AttentionExtractor = { extract: (x) => ((ran = true), tf.mean(x, 3) as tf.Tensor3D) };
    await expect(precomputeAttention(nchw, extractor)).rejects.toThrow(transpose);
    expect(ran).toBe(false);
    nchw.dispose();
  });

  it('leave channels-last images alone, small ones and one-row ones included', () => {
    for (const shape of [[2, 32, 32, 3], [2, 4, 4, 16], [2, 5, 5, 1], [2, 3, 3, 3], [2, 4, 32, 4], [2, 3, 7, 7], [2, 2, 64, 4]] as [number, number, number, number][]) {
      const x = tf.zeros(shape) as tf.Tensor4D;
      tf.dispose(cutMix(x, [0, 1], { numClasses: 2, seed: 1 }));
      x.dispose();
    }
    // The smallest channels-first batches the rule catches: 1 to 4 channels of 8 × 8.
    for (const shape of [[2, 1, 8, 8], [2, 4, 8, 8]] as [number, number, number, number][]) {
      const x = tf.zeros(shape) as tf.Tensor4D;
      expectThrowsCleanly(() => cutMix(x, [0, 1], { numClasses: 2 }), /which looks channels-first/);
      x.dispose();
    }
  });
});

describe('a model where an extractor belongs', () => {
  const model = tfl.sequential({ layers: [tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, name: 'features' }), tfl.layers.globalAveragePooling2d({}), tfl.layers.dense({ units: 2, name: 'logits' })] });
  const hint = /an instance of Sequential, a tf\.LayersModel, which is a model, not an extractor: pass camExtractor\(model\) .* or await loadAttentionExtractor\(model\)/;

  it('is named as the model it is, with camExtractor and loadAttentionExtractor, not by its private fields', () => {
    const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    const asExtractor = model as unknown as AttentionExtractor;
    const calls: (() => unknown)[] = [
      () => attentiveCutMix(x, [0, 1], asExtractor, { numClasses: 2 }),
      () => createMixer({ method: 'attentiveCutMix', numClasses: 2, extractor: asExtractor }),
      () => mixDataset(tfd.array([]), 'attentiveCutMix', { numClasses: 2, extractor: asExtractor }),
    ];
    for (const call of calls) {
      expectThrowsCleanly(call, hint);
      expectThrowsCleanly(call, /^(?![\s\S]*_trainableWeights)/); // none of the model's fields
    }
    x.dispose();
  });

  it('is named so by precomputeAttention too', async () => {
    const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    await expect(precomputeAttention(x, model as unknown as AttentionExtractor)).rejects.toThrow(hint);
    x.dispose();
  });

  it('a graph model is pointed to loadAttentionExtractor', () => {
    class GraphModel {
      execute() {}
      executeAsync() {}
    }
    const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    expectThrowsCleanly(() => attentiveCutMix(x, [0, 1], new GraphModel() as never, { numClasses: 2 }), /an instance of GraphModel, a graph model, which is a model, not an extractor: pass await loadAttentionExtractor\(model\)/);
    x.dispose();
  });
});

describe('class ids in a [B, 1] column', () => {
  it('are refused with the squeeze that fixes them, not blamed on numClasses', () => {
    const x = tf.zeros([3, 8, 8, 3]) as tf.Tensor4D;
    const column = tf.tensor2d([[0], [2], [1]], [3, 1], 'int32');
    for (const call of [() => cutMix(x, column, { numClasses: 3 }), () => mixup(x, [[0], [2], [1]], { numClasses: 3 })]) {
      expectThrowsCleanly(call, /Argument 'labels' passed to '(cutMix|mixup)' must be class ids of shape \[B\] or one-hot \/ soft labels of shape \[B, 3\] \(numClasses = 3\), but got a (int32|float32) tensor of shape \[3, 1\]: class ids in a column\? Squeeze them to \[3\]: tf\.squeeze\(labels, \[1\]\)/);
    }
    tf.dispose([x, column]);
  });

  it('stay accepted as the soft labels of one output (a sigmoid), without numClasses or with numClasses 1', () => {
    const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    const y = tf.tensor2d([[0], [1]]);
    tf.dispose([mixup(x, y, { seed: 1 }), mixup(x, y, { numClasses: 1, seed: 1 })]);
    tf.dispose([x, y]);
  });
});

describe('a dataset that is not batched', () => {
  const expected = /^Argument 'dataset' passed to 'mixDataset' must be a dataset of \{ xs, ys \} or \{ xs, ys, attention \} batches of tensors, but got an element \{ xs: a float32 tensor of shape \[8, 8, 3\], ys: (1|a int32 tensor of shape \[\]) \}: one image, not a batch; batch the dataset before mixing it \(mixDataset\(dataset\.batch\(32\), …\)\)\.$/;

  it('is told to batch first, whatever its labels are', async () => {
    const images = tf.tidy(() => tf.unstack(tf.zeros([4, 8, 8, 3])));
    const withNumbers = tfd.zip({ xs: tfd.array(images), ys: tfd.array([1, 0, 1, 0]) });
    await expect((await mixDataset(withNumbers, 'cutMix', { numClasses: 2 }).iterator()).next()).rejects.toThrow(expected);
    const ids = tf.tidy(() => tf.unstack(tf.tensor1d([1, 0, 1, 0], 'int32')));
    const withTensors = tfd.zip({ xs: tfd.array(images), ys: tfd.array(ids) });
    await expect((await mixDataset(withTensors, 'cutMix', { numClasses: 2 }).iterator()).next()).rejects.toThrow(expected);
    tf.dispose([images, ids]);
  });
});

describe('a method spelled another way', () => {
  it('gets the spelling the function takes suggested', () => {
    const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
    const cases: [() => unknown, RegExp][] = [
      [() => createMixer({ method: 'cutmix' } as never), /must be one of 'mixup', 'cutMix', 'attentiveCutMix', 'resizeMix', 'saliencyMix', 'fmix', but got 'cutmix' \(did you mean 'cutMix'\?\)/],
      [() => createMixer({ method: 'attentive' } as never), /but got 'attentive' \(did you mean 'attentiveCutMix'\?\)/],
      [() => createMixer({ method: 'Mix-Up' } as never), /but got 'Mix-Up' \(did you mean 'mixup'\?\)/],
      [() => createMixer({ oneOf: [{ method: 'cut_mix' }] } as never), /Argument 'config.oneOf\[0\].method' .* but got 'cut_mix' \(did you mean 'cutMix'\?\)/],
      [() => mixDataset(tfd.array([]), 'CutMix' as never, { numClasses: 2 }), /Argument 'method' passed to 'mixDataset' must be one of .*, but got 'CutMix' \(did you mean 'cutMix'\?\)/],
      [() => cutMix(x, [0, 1], { numClasses: 2, mode: 'Elem' as never }), /but got 'Elem' \(did you mean 'elem'\?\)\.$/],
    ];
    for (const [call, message] of cases) expectThrowsCleanly(call, message);
    x.dispose();
  });

  it('gets no guess where none is near or more than one is', () => {
    expectThrowsCleanly(() => createMixer({ method: 'gridmask' } as never), /but got 'gridmask'\.$/);
    expectThrowsCleanly(() => createMixer({ method: 'mi' } as never), /but got 'mi'\.$/);
  });
});
