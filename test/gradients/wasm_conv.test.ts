// registerWasmConvGradients (attentive-cutmix/training): with it, the wasm backend gives the cpu
// backend's convolution gradients, over strides, paddings, channel counts, batch sizes and image
// and filter shapes, for conv2d, fused conv2d and conv2dTranspose; it leaves no tensor data
// behind; a dilated convolution is refused as on cpu; and a small CNN trains on wasm as on cpu.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers'; // also registers tfjs-core's gradients, as a user's @tensorflow/tfjs does
import { beforeAll, describe, expect, it } from 'vitest';

import { registerWasmConvGradients } from '../../src/training.js';
import { expectCloseTo, sizeOf as size, startWeights, trainSteps, values, weightShapes } from '../support/training.js';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];
type Case = { name: string; x: Shape4; filter: Shape4; stride: number | [number, number]; pad: Pad; op?: 'fused' | 'transpose'; rounding?: 'floor' };

const cases: Case[] = [
  // strides
  { name: 'stride 1, same', x: [4, 12, 12, 3], filter: [3, 3, 3, 8], stride: 1, pad: 'same' },
  { name: 'stride 2, same', x: [2, 9, 9, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { name: 'stride 2, same, even size', x: [3, 8, 8, 4], filter: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { name: 'stride 3, valid, skipping the last rows', x: [1, 11, 11, 3], filter: [2, 2, 3, 2], stride: 3, pad: 'valid' },
  { name: 'strides [1, 2]', x: [2, 7, 10, 2], filter: [3, 3, 2, 3], stride: [1, 2], pad: 'same' },
  { name: 'strides [2, 1], valid', x: [2, 10, 7, 2], filter: [3, 2, 2, 3], stride: [2, 1], pad: 'valid' },
  // paddings
  { name: 'valid, 5×3 filter', x: [2, 10, 9, 2], filter: [5, 3, 2, 4], stride: 1, pad: 'valid' },
  { name: 'numeric pad 1', x: [2, 6, 6, 2], filter: [3, 3, 2, 3], stride: 1, pad: 1 },
  { name: 'numeric pad 3, wider than the filter (the original kernel)', x: [2, 6, 6, 2], filter: [3, 3, 2, 3], stride: 1, pad: 3 },
  { name: 'explicit uneven padding', x: [2, 7, 6, 3], filter: [3, 3, 3, 2], stride: 1, pad: [[0, 0], [0, 2], [1, 0], [0, 0]] },
  { name: 'explicit padding, stride 2', x: [2, 9, 8, 2], filter: [3, 3, 2, 2], stride: 2, pad: [[0, 0], [1, 1], [2, 0], [0, 0]] },
  // (rounded down: with 'ceil' wasm's own forward conv2d is already wrong, reading past the padded input)
  { name: 'numeric pad 1, stride 2, output size rounded down', x: [2, 8, 8, 2], filter: [3, 3, 2, 3], stride: 2, pad: 1, rounding: 'floor' },
  // channel counts and batch sizes
  { name: '1 channel in, 1 out, batch 1', x: [1, 6, 6, 1], filter: [3, 3, 1, 1], stride: 1, pad: 'same' },
  { name: '1 channel in, 16 out', x: [3, 8, 8, 1], filter: [3, 3, 1, 16], stride: 1, pad: 'same' },
  { name: '32 channels in, 8 out', x: [2, 6, 6, 32], filter: [3, 3, 32, 8], stride: 1, pad: 'same' },
  { name: '1×1 filter, 24 channels', x: [4, 5, 5, 24], filter: [1, 1, 24, 12], stride: 1, pad: 'valid' },
  { name: 'batch 5', x: [5, 7, 7, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { name: 'batch 16, stride 2', x: [16, 8, 8, 3], filter: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { name: 'filter as large as the image', x: [2, 5, 5, 2], filter: [5, 5, 2, 3], stride: 1, pad: 'valid' },
  // what tfjs-layers runs: conv + bias + relu in one op
  { name: 'fused conv + bias + relu', x: [2, 9, 7, 3], filter: [3, 3, 3, 5], stride: 1, pad: 'same', op: 'fused' },
  { name: 'fused, stride 2', x: [2, 9, 9, 3], filter: [3, 3, 3, 5], stride: 2, pad: 'valid', op: 'fused' },
  // conv2dTranspose runs Conv2DBackpropInput forwards, and its gradient needs Conv2DBackpropFilter
  { name: 'conv2dTranspose, stride 1', x: [2, 6, 6, 4], filter: [3, 3, 3, 4], stride: 1, pad: 'same', op: 'transpose' },
  { name: 'conv2dTranspose, stride 2', x: [2, 5, 5, 4], filter: [3, 3, 2, 4], stride: 2, pad: 'same', op: 'transpose' },
];

/** The convolution of a case, as a function of its input and filter. */
function convOf({ x, filter, stride, pad, op, rounding }: Case, bias: tf.Tensor1D): (input: tf.Tensor, kernel: tf.Tensor) => tf.Tensor4D {
  if (op === 'transpose') {
    // x is conv2dTranspose's input [B, h, w, F] with filter [kh, kw, C, F]: the output is the size a stride-s 'same' conv would have come from.
    const s = typeof stride === 'number' ? stride : stride[0];
    const outputShape: Shape4 = [x[0], x[1] * s, x[2] * s, filter[2]];
    return (input, kernel) => tf.conv2dTranspose(input as tf.Tensor4D, kernel as tf.Tensor4D, outputShape, stride, pad as 'same');
  }
  if (op === 'fused') return (input, kernel) => tf.fused.conv2d({ x: input as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides: stride, pad: pad as 'same', bias, activation: 'relu' });
  return (input, kernel) => tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, stride, pad, 'NHWC', 1, rounding);
}

/** The output and the gradients of sum(conv(x, filter) · w), w fixed, on the current backend. */
function gradients(c: Case): { y: number[]; dx: number[]; dFilter: number[] } {
  return tf.tidy(() => {
    const xs = tf.tensor4d(values(size(c.x), 1), c.x);
    const kernel = tf.tensor4d(values(size(c.filter), 2), c.filter);
    const bias = tf.tensor1d(values(c.filter[3], 3));
    const conv = convOf(c, bias);
    const y = conv(xs, kernel);
    const w = tf.tensor(values(size(y.shape), 4), y.shape);
    const [dx, dFilter] = tf.grads((input: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(conv(input, k), w)))([xs, kernel]);
    return { y: Array.from(y.dataSync()), dx: Array.from(dx!.dataSync()), dFilter: Array.from(dFilter!.dataSync()) };
  });
}

const expectClose = (actual: number[], expected: number[], what: string) => expectCloseTo(actual, expected, 1e-5, what);

let reference: ReturnType<typeof gradients>[];

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  reference = cases.map(gradients);
  await tf.setBackend('wasm');
});

describe('registerWasmConvGradients', () => {
  it('fills a gap: without it a conv2d cannot be trained on wasm', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(() => gradients(cases[0]!)).toThrow(/Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'/);
  });

  it('refuses to register without the wasm backend, naming the package to import', () => {
    const conv = tf.getKernel('Conv2D', 'wasm')!;
    tf.unregisterKernel('Conv2D', 'wasm'); // as if @tensorflow/tfjs-backend-wasm had not been imported
    try {
      expect(() => registerWasmConvGradients()).toThrow(/needs the wasm backend: import '@tensorflow\/tfjs-backend-wasm'/);
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    } finally {
      tf.registerKernel(conv);
    }
  });

  it.each(cases.map((c, i) => [c.name, i] as const))('gives the cpu output and gradients: %s', (_, i) => {
    registerWasmConvGradients();
    const backend = tf.engine().backend;
    const dataBefore = backend.numDataIds();
    const tensorsBefore = tf.memory().numTensors;
    const got = gradients(cases[i]!);
    expectClose(got.y, reference[i]!.y, 'output');
    expectClose(got.dFilter, reference[i]!.dFilter, 'filter gradient');
    expectClose(got.dx, reference[i]!.dx, 'input gradient');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(dataBefore); // the kernels' temporaries are released too
  });

  it('leaves a dilated convolution refused, as tfjs refuses it on every backend', async () => {
    registerWasmConvGradients();
    const dilated = () =>
      tf.tidy(() => {
        const x = tf.ones([1, 7, 7, 2]);
        const k = tf.ones([3, 3, 2, 2]);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same', 'NHWC', 2)))([x, k]);
      });
    const message = /dilation rates greater than 1 are not yet supported in gradients/;
    expect(dilated).toThrow(message);
    await tf.setBackend('cpu');
    try {
      expect(dilated).toThrow(message);
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('registering twice changes nothing', () => {
    registerWasmConvGradients();
    const [filter, input] = [tf.getKernel('Conv2DBackpropFilter', 'wasm'), tf.getKernel('Conv2DBackpropInput', 'wasm')];
    registerWasmConvGradients();
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBe(filter);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(input);
  });

  it('changes no kernel of another backend', () => {
    const cpuKernels = { filter: tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc, input: tf.getKernel('Conv2DBackpropInput', 'cpu')?.kernelFunc };
    registerWasmConvGradients();
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')?.kernelFunc).toBe(cpuKernels.filter);
    expect(tf.getKernel('Conv2DBackpropInput', 'cpu')?.kernelFunc).toBe(cpuKernels.input);
    expect(cpuKernels.filter).toBeDefined();
  });
});

/** A small CNN of the training example's kind: conv stages (one strided), pooling, a Dense classifier. */
function smallCnn(): tfl.LayersModel {
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 3], filters: 6, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.averagePooling2d({ poolSize: 2 }), // not max pooling: a tie would send the gradient to either input
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 10, kernelSize: 2, padding: 'valid', activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
}

const train = (start: number[][]) => trainSteps(smallCnn(), start, { steps: 12, learningRate: 0.5, classes: [0, 1, 2, 3, 0, 1, 2, 3], numClasses: 4 });

describe('a small CNN trained on wasm with registerWasmConvGradients', () => {
  it('follows the same path as on cpu, step by step, and learns', async () => {
    await tf.setBackend('cpu');
    const initial = startWeights(weightShapes(smallCnn), (v) => 0.5 * v); // the same start every run
    const onCpu = await train(initial);
    await tf.setBackend('wasm');
    registerWasmConvGradients();
    const before = tf.memory().numTensors;
    const onWasm = await train(initial);
    expect(tf.memory().numTensors).toBe(before);
    onWasm.losses.forEach((loss, step) => expect(Math.abs(loss - onCpu.losses[step]!), `loss at step ${step}`).toBeLessThan(1e-4 * Math.max(1, onCpu.losses[step]!)));
    onWasm.weights.forEach((w, i) => expectClose(w, onCpu.weights[i]!, `weights ${i}`));
    expect(onWasm.losses.at(-1)!).toBeLessThan(onWasm.losses[0]! * 0.8); // it learns the colours
  });
});
