// The batch-normalisation gradient the experiments register (examples/training/batch_norm_grad.ts)
// gives tfjs-core's own gradients, for every input of the op, on cpu and wasm, and leaves no
// tensor behind.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients, as in the experiments
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerFastBatchNormGradient } from '../../examples/training/batch_norm_grad.js';

const original = tf.getGradient('FusedBatchNorm');
/** Deterministic values in [−1, 1). */
const values = (size: number, seed: number) => Array.from({ length: size }, (_, i) => (((i * 7919 + seed * 104729) % 2000) - 1000) / 1000);

/** The gradients of sum(batchNorm(x, μ, σ², β, γ) · w) with respect to all five inputs, as arrays (tfjs' own gradient needs γ: it saves it). */
function gradients(shape: [number, number, number, number]): number[][] {
  const channels = shape[3];
  const size = shape.reduce((a, b) => a * b);
  return tf.tidy(() => {
    const x = tf.tensor4d(values(size, 1), shape);
    const weights = tf.tensor4d(values(size, 2), shape);
    const mean = tf.tensor1d(values(channels, 3));
    const variance = tf.add(tf.abs(tf.tensor1d(values(channels, 4))), 0.5);
    const offset = tf.tensor1d(values(channels, 5));
    const scale = tf.tensor1d(values(channels, 6));
    const f = (...args: tf.Tensor[]) => {
      const [xi, m, v, o, s] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
      return tf.sum(tf.mul(tf.batchNorm(xi, m, v, o, s, 1e-3), weights));
    };
    return tf.grads(f)([x, mean, variance, offset, scale]).map((g) => Array.from(g.dataSync()));
  });
}

const cases: [number, number, number, number][] = [
  [2, 5, 4, 3],
  [4, 7, 7, 8],
  [1, 1, 1, 2],
];

for (const backend of ['cpu', 'wasm']) {
  describe(`registerFastBatchNormGradient on ${backend}`, () => {
    const expected = new Map<string, number[][]>();
    beforeAll(async () => {
      tf.env().set('PROD', true);
      await tf.setBackend(backend);
      tf.registerGradient(original); // tfjs' own, in case another describe left ours
      for (const shape of cases) expected.set(`${shape}`, gradients(shape));
      registerFastBatchNormGradient();
    });
    afterAll(() => tf.registerGradient(original));

    it('replaces the gradient, once', () => {
      expect(tf.getGradient('FusedBatchNorm').gradFunc).not.toBe(original.gradFunc);
      const ours = tf.getGradient('FusedBatchNorm').gradFunc;
      registerFastBatchNormGradient();
      expect(tf.getGradient('FusedBatchNorm').gradFunc).toBe(ours);
    });

    for (const shape of cases) {
      it(`gives tfjs' gradients for x, mean, variance, offset and scale at [${shape}]`, () => {
        const before = tf.memory().numTensors;
        const ours = gradients(shape);
        expect(tf.memory().numTensors).toBe(before);
        const theirs = expected.get(`${shape}`)!;
        expect(ours.map((g) => g.length)).toEqual(theirs.map((g) => g.length));
        ours.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(theirs[i]![j]!, 4)));
      });
    }
  });
}
