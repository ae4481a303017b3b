// registerFastBatchNormGradient (attentive-cutmix/training) gives tfjs-core's own gradients, for
// every input of the op, over channel counts, batch sizes and image sizes, on cpu and wasm; hands
// what it does not handle (statistics that are not per channel) to the
// gradient it replaced; leaves no tensor behind; and a small BN network trains with it as with
// tfjs' gradient.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers'; // also registers tfjs-core's gradients, as a user's @tensorflow/tfjs does
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerFastBatchNormGradient, registerWasmConvGradients } from '../../src/training.js';
import { expectCloseTo, sizeOf as size, startWeights, trainSteps, values, weightShapes } from '../support/training.js';

const original = tf.getGradient('FusedBatchNorm');

/** A case: the input's shape, and whether the statistics (and β, γ) are per channel `[C]` or as large as the input. */
type Case = { x: number[]; statistics?: 'channel' | 'full' };

/** The gradients of sum(batchNorm(x, μ, σ², β, γ) · w) with respect to all five inputs, as arrays (tfjs' own gradient fails without β or γ). */
function gradients({ x: shape, statistics = 'channel' }: Case): number[][] {
  const statShape = statistics === 'channel' ? [shape.at(-1)!] : shape;
  return tf.tidy(() => {
    const x = tf.tensor(values(size(shape), 1), shape);
    const weights = tf.tensor(values(size(shape), 2), shape);
    const mean = tf.tensor(values(size(statShape), 3), statShape);
    const variance = tf.add(tf.abs(tf.tensor(values(size(statShape), 4), statShape)), 0.5);
    const offset = tf.tensor(values(size(statShape), 5), statShape);
    const scale = tf.tensor(values(size(statShape), 6), statShape);
    const f = (...args: tf.Tensor[]) => {
      const [xi, m, v, o, s] = args as [tf.Tensor4D, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
      return tf.sum(tf.mul(tf.batchNorm(xi, m, v, o, s, 1e-3), weights));
    };
    return tf.grads(f)([x, mean, variance, offset, scale]).map((g) => Array.from(g.dataSync()));
  });
}

const cases: Case[] = [
  { x: [2, 5, 4, 3] },
  { x: [4, 7, 7, 8] },
  { x: [1, 1, 1, 2] },
  { x: [1, 6, 6, 1] }, // one channel, batch 1
  { x: [16, 4, 4, 32] }, // batch 16, 32 channels
  { x: [3, 9, 5, 6] },
  { x: [6, 5] }, // a Dense layer's BN: tf.batchNorm makes x [6, 1, 1, 5] for the kernel
  { x: [4, 3, 5] },
  { x: [2, 3, 3, 2], statistics: 'full' }, // statistics as large as the input: handed to tfjs' own gradient
];
const name = (c: Case) => `[${c.x}]${c.statistics === 'full' ? ', full-size statistics' : ''}`;

for (const backend of ['cpu', 'wasm']) {
  describe(`registerFastBatchNormGradient on ${backend}`, () => {
    const expected = new Map<string, number[][]>();
    beforeAll(async () => {
      tf.env().set('PROD', true);
      await tf.setBackend(backend);
      tf.registerGradient(original); // tfjs' own, in case another describe left ours
      for (const c of cases) expected.set(name(c), gradients(c));
      registerFastBatchNormGradient();
    });
    afterAll(() => tf.registerGradient(original));

    it('replaces the gradient, once', () => {
      expect(tf.getGradient('FusedBatchNorm').gradFunc).not.toBe(original.gradFunc);
      const ours = tf.getGradient('FusedBatchNorm').gradFunc;
      registerFastBatchNormGradient();
      expect(tf.getGradient('FusedBatchNorm').gradFunc).toBe(ours);
    });

    it.each(cases.map((c) => [name(c), c] as const))("gives tfjs' gradients for every input given at %s", (_, c) => {
      const before = tf.memory().numTensors;
      const ours = gradients(c);
      expect(tf.memory().numTensors).toBe(before);
      const theirs = expected.get(name(c))!;
      expect(ours.map((g) => g.length)).toEqual(theirs.map((g) => g.length));
      ours.forEach((g, i) => expectCloseTo(g, theirs[i]!, 1e-5, `gradient of input ${i}`));
    });
  });
}

describe('registerFastBatchNormGradient, what it does not handle', () => {
  it('goes to the gradient it replaced for statistics that are not per channel', async () => {
    await tf.setBackend('cpu');
    let handedOn = 0;
    tf.registerGradient({ ...original, gradFunc: (dy, saved, attrs) => (handedOn++, original.gradFunc(dy, saved, attrs)) });
    registerFastBatchNormGradient();
    try {
      const x = tf.ones([2, 3, 3, 2]);
      const [mean, variance, offset, scale] = [tf.zeros([2]), tf.ones([2]), tf.zeros([2]), tf.ones([2])];
      const gradientOf = (f: (x: tf.Tensor) => tf.Tensor) => tf.tidy(() => void tf.grad(f)(x));
      gradientOf((a) => tf.sum(tf.batchNorm(a as tf.Tensor4D, mean, variance, offset, scale)));
      expect(handedOn).toBe(0);
      gradientOf((a) => tf.sum(tf.batchNorm(a as tf.Tensor4D, tf.zerosLike(a), tf.onesLike(a), tf.zerosLike(a), tf.onesLike(a))));
      expect(handedOn).toBe(1);
      // Without γ tfjs-core 4.22 fails before any gradient runs (it cannot save the missing input), with ours as with its own.
      expect(() => gradientOf((a) => tf.sum(tf.batchNorm(a as tf.Tensor4D, mean, variance, offset)))).toThrow();
      tf.dispose([x, mean, variance, offset, scale]);
    } finally {
      tf.registerGradient(original);
    }
  });

  it("refuses without tfjs' gradients registered, naming what to import", () => {
    const registry = tf.getGradient('FusedBatchNorm');
    // As with tfjs-core alone, which registers no gradient: the registry is a global map keyed by kernel name.
    const gradients = (tf.env().global as { _tfGlobals: Map<string, Map<string, unknown>> })._tfGlobals.get('gradRegistry')!;
    gradients.delete('FusedBatchNorm');
    try {
      expect(() => registerFastBatchNormGradient()).toThrow(/found no gradient of FusedBatchNorm to stand in for: import '@tensorflow\/tfjs' or '@tensorflow\/tfjs-layers' first/);
    } finally {
      tf.registerGradient(registry);
    }
  });
});

/** A small conv net with batch normalisation after each convolution. */
function bnCnn(): tfl.LayersModel {
  const stage = (filters: number, strides: number) => [
    tfl.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false }),
    tfl.layers.batchNormalization(),
    tfl.layers.activation({ activation: 'relu' }),
  ];
  return tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: [10, 10, 3] }), ...stage(6, 1), ...stage(8, 2), tfl.layers.globalAveragePooling2d({}), tfl.layers.dense({ units: 3, activation: 'softmax' })] });
}

/** Ten SGD steps from fixed weights: γ, β and the moving statistics near 1 (the variance must be positive), kernels small. */
const train = () => trainSteps(bnCnn(), startWeights(weightShapes(bnCnn), (v, shape) => (shape.length === 1 ? 1 + 0.2 * v : 0.5 * v)), { steps: 10, learningRate: 0.2, classes: [0, 1, 2, 0, 1, 2], numClasses: 3 });

describe('a small BN network trained on wasm', () => {
  it("follows the path it follows with tfjs' own gradient, and learns", async () => {
    await tf.setBackend('wasm');
    registerWasmConvGradients();
    tf.registerGradient(original);
    const theirs = await train();
    registerFastBatchNormGradient();
    try {
      const before = tf.memory().numTensors;
      const ours = await train();
      expect(tf.memory().numTensors).toBe(before);
      ours.losses.forEach((loss, step) => expect(Math.abs(loss - theirs.losses[step]!), `loss at step ${step}`).toBeLessThan(1e-4 * Math.max(1, theirs.losses[step]!)));
      ours.weights.forEach((w, i) => expectCloseTo(w, theirs.weights[i]!, 1e-4, `weights ${i}`));
      expect(ours.losses.at(-1)!).toBeLessThan(ours.losses[0]! * 0.8);
    } finally {
      tf.registerGradient(original);
    }
  });
});
