// The convolution gradients the training example registers for the wasm backend give the cpu
// backend's gradients, and leave no tensor data behind.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients, as in the example
import { beforeAll, describe, expect, it } from 'vitest';

import { registerWasmConvGradients } from '../../examples/training/wasm_conv_grad.js';

type Case = { x: [number, number, number, number]; filter: [number, number, number, number]; stride: number; pad: 'same' | 'valid' | number; fused?: boolean };

const cases: Case[] = [
  { x: [4, 12, 12, 3], filter: [3, 3, 3, 8], stride: 1, pad: 'same' },
  { x: [2, 9, 7, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same', fused: true }, // what tfjs-layers runs: conv + bias + relu
  { x: [2, 10, 9, 2], filter: [5, 3, 2, 4], stride: 1, pad: 'valid' },
  { x: [2, 9, 9, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [3, 8, 8, 4], filter: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { x: [1, 11, 11, 3], filter: [2, 2, 3, 2], stride: 3, pad: 'valid' },
  { x: [2, 6, 6, 2], filter: [3, 3, 2, 3], stride: 1, pad: 1 },
  { x: [2, 6, 6, 2], filter: [3, 3, 2, 3], stride: 1, pad: 3 }, // wider than the filter: the original kernel
];

/** Deterministic values in [−1, 1). */
const values = (size: number, seed: number) => Array.from({ length: size }, (_, i) => (((i * 7919 + seed * 104729) % 2000) - 1000) / 1000);

/** Gradients of sum(conv(x, filter)²) with respect to x and the filter, on the current backend. */
function gradients({ x, filter, stride, pad, fused }: Case): { dx: number[]; dFilter: number[] } {
  const xs = tf.tensor4d(values(x.reduce((a, b) => a * b), 1), x);
  const w = tf.tensor4d(values(filter.reduce((a, b) => a * b), 2), filter);
  const bias = tf.tensor1d(values(filter[3], 3));
  const f = (input: tf.Tensor, kernel: tf.Tensor) => {
    const out = fused
      ? tf.fused.conv2d({ x: input as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides: stride, pad, bias, activation: 'relu' })
      : tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, stride, pad);
    return tf.sum(tf.square(out));
  };
  const [dx, dFilter] = tf.grads(f)([xs, w]);
  const result = { dx: Array.from(dx!.dataSync()), dFilter: Array.from(dFilter!.dataSync()) };
  tf.dispose([xs, w, bias, dx!, dFilter!]);
  return result;
}

const expectClose = (actual: number[], expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  expected.forEach((v, i) => expect(Math.abs(actual[i]! - v) / scale).toBeLessThan(1e-5));
};

let reference: { dx: number[]; dFilter: number[] }[];

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  reference = cases.map(gradients);
  await tf.setBackend('wasm');
});

describe('wasm convolution gradients of the training example', () => {
  it('cannot train a conv2d on wasm without them (the gap they fill)', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(() => gradients(cases[0]!)).toThrow(/Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'/);
  });

  it.each(cases.map((c, i) => [i, c] as const))('give the cpu gradients, case %i %o', (i, c) => {
    registerWasmConvGradients();
    const backend = tf.engine().backend;
    const dataBefore = backend.numDataIds();
    const tensorsBefore = tf.memory().numTensors;
    const got = gradients(c);
    expectClose(got.dFilter, reference[i]!.dFilter);
    expectClose(got.dx, reference[i]!.dx);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(dataBefore); // the kernels' temporaries are released too
  });

  it('registering twice changes nothing', () => {
    registerWasmConvGradients();
    const [filter, input] = [tf.getKernel('Conv2DBackpropFilter', 'wasm'), tf.getKernel('Conv2DBackpropInput', 'wasm')];
    registerWasmConvGradients();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(filter);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(input);
  });
});
