import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { attentiveCutMix, camExtractor } from '../../src/index.js';
import { expectNoLeak, expectThrowsCleanly, read } from '../support/tensors.js';

/**
 * A classifier whose CAM can be computed by hand: a 1×1 convolution 'features' (F = 2 channels:
 * x and 2 − x of a one-channel image), global average pooling, and a Dense 'logits' of K = 3
 * classes with kernel W (F × K) and a bias that a CAM leaves out.
 */
const W = [
  [1, -1, 0.5],
  [2, 0, -3],
];
function handModel() {
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ name: 'features', inputShape: [4, 4, 1], filters: 2, kernelSize: 1 }),
      tfl.layers.dropout({ name: 'dropout', rate: 0.5 }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ name: 'logits', units: 3 }),
    ],
  });
  model.getLayer('features').setWeights([tf.tensor4d([1, -1], [1, 1, 1, 2]), tf.tensor1d([0, 2])]);
  model.getLayer('logits').setWeights([tf.tensor2d(W), tf.tensor1d([10, 20, 30])]);
  return model;
}

/** CAM by hand: f = (x, 2 − x) per pixel; CAM = Σ_k f_k · Σ_c W[k][c]·y_c. */
function handCam(image: number[][], y: number[]): number[][] {
  const w = W.map((row) => row.reduce((acc, v, c) => acc + v * y[c]!, 0));
  return image.map((row) => row.map((x) => x * w[0]! + (2 - x) * w[1]!));
}

const images = () => tf.tensor4d(Array.from({ length: 2 * 16 }, (_, i) => ((i * 7) % 16) / 16), [2, 4, 4, 1]);

describe('camExtractor', () => {
  it("gives each sample's class activation map for its own label, by hand, unclipped", async () => {
    const model = handModel();
    const x = images();
    const labels = tf.tensor2d([
      [0, 0, 1],
      [0.25, 0.75, 0],
    ]);
    const cam = camExtractor(model, { featureLayer: 'features', classifierLayer: 'logits' });
    expect([cam.featureLayer, cam.classifierLayer]).toEqual(['features', 'logits']);
    const map = cam.extract(x, labels);
    const pixels = (await read<number[][][][]>(x)).map((im) => im.map((row) => row.map((p) => p[0]!)));
    const got = await read<number[][][]>(map);
    const rows = await read<number[][]>(labels);
    for (let b = 0; b < 2; b++) {
      const want = handCam(pixels[b]!, rows[b]!);
      want.flat().forEach((v, i) => expect(got[b]!.flat()[i]).toBeCloseTo(v, 5));
    }
    expect(Math.min(...got.flat(2))).toBeLessThan(0); // class 2 weighs channel 2 by −3: not clipped
    tf.dispose([x, labels, map]);
    model.dispose();
  });

  it('without a classifier layer gives the channel mean of the feature layer, and needs no labels', async () => {
    const model = handModel();
    model.getLayer('features').setWeights([tf.tensor4d([1, 3], [1, 1, 1, 2]), tf.tensor1d([0, 0])]); // f = (x, 3x)
    const x = images();
    const map = camExtractor(model, { featureLayer: 'features' }).extract(x);
    const pixels = (await read<number[][][][]>(x)).flat(3);
    (await read<number[][][]>(map)).flat(2).forEach((v, i) => expect(v).toBeCloseTo(2 * pixels[i]!, 5));
    tf.dispose([x, map]);
    model.dispose();
  });

  it('follows the weights as training changes them, and changes nothing in the model', async () => {
    const model = handModel();
    const x = images();
    const y = tf.tensor2d([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    const cam = camExtractor(model, { classifierLayer: 'logits' }); // featureLayer: the last spatial layer
    expect(cam.featureLayer).toBe('dropout');
    const weightsBefore = await Promise.all(model.getWeights().map((w) => w.data()));
    const first = await read<number[][][]>(cam.extract(x, y));
    const second = await read<number[][][]>(cam.extract(x, y));
    expect(second).toEqual(first); // inference mode: the dropout layer does nothing
    const weightsAfter = await Promise.all(model.getWeights().map((w) => w.data()));
    expect(weightsAfter).toEqual(weightsBefore);
    expect(model.getWeights().every((w) => !w.isDisposed)).toBe(true);
    // One optimiser step on the classifier (the convolution frozen: wasm 4.22 has no gradient of
    // the filter): the next maps differ, as the new weights make them.
    model.getLayer('features').trainable = false;
    model.compile({ optimizer: tf.train.sgd(1), loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    const trained = await read<number[][][]>(cam.extract(x, y));
    expect(trained).not.toEqual(first);
    const kernel = (await read<number[][]>(model.getLayer('logits').getWeights()[0]!)) as number[][];
    const [f] = model.getLayer('features').getWeights();
    const [fw, fb] = [await read<number[][][][]>(f!), await read<number[]>(model.getLayer('features').getWeights()[1]!)];
    const pixel = (await read<number[][][][]>(x))[0]![0]![0]![0]!;
    const features = [0, 1].map((k) => pixel * fw[0]![0]![0]![k]! + fb[k]!);
    expect(trained[0]![0]![0]).toBeCloseTo(features[0]! * kernel[0]![0]! + features[1]! * kernel[1]![0]!, 4);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("drives attentiveCutMix with each partner's map for the partner's own label", async () => {
    const model = handModel();
    // Sample 0 is bright on its left half, sample 1 on its right. Class 2's map (W·y = (0.5, −3))
    // is 3.5·x − 6, highest where the image is bright; class 1's (W·y = (−1, 0)) is −x, highest
    // where it is dark.
    const x = tf.tensor4d(
      [0, 1].flatMap((b) => Array.from({ length: 16 }, (_, i) => ((i % 4 < 2) === (b === 0) ? 1 : 0))),
      [2, 4, 4, 1],
    );
    const cam = camExtractor(model, { featureLayer: 'features', classifierLayer: 'logits' });
    const result = attentiveCutMix(x, [2, 1], cam, { numClasses: 3, grid: 2, topN: 2, partner: 'flip' });
    // Output 0 takes sample 1's (class 1) dark cells, its left half: 0 and 2. Output 1 takes sample
    // 0's (class 2) bright cells, also its left half; with output 1's own class it would take 1 and 3.
    expect(await read(result.cells)).toEqual([
      [0, 2],
      [0, 2],
    ]);
    tf.dispose([x, result]);
    model.dispose();
  });

  it('leaks nothing, and never disposes the caller’s images or labels', () => {
    const model = handModel();
    const x = images();
    const y = tf.tensor2d([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const cam = camExtractor(model, { featureLayer: 'features', classifierLayer: 'logits' });
    expectNoLeak(() => cam.extract(x, y));
    expectNoLeak(() => attentiveCutMix(x, y, cam, { grid: 2, topN: 1, seed: 1 }));
    expect([x.isDisposed, y.isDisposed]).toEqual([false, false]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('checks its arguments when made, and the labels when it extracts, with messages that name them', () => {
    const model = handModel();
    const arg = (a: string) => new RegExp(`Argument '${a}' passed to 'camExtractor'`);
    expect(() => camExtractor({} as tfl.LayersModel)).toThrow(/Argument 'model' passed to 'camExtractor' must be a tf.LayersModel, but got an object/);
    expect(() => camExtractor(model, { featurelayer: 'features' } as object)).toThrow(/Unknown option 'featurelayer' passed to 'camExtractor'/);
    expect(() => camExtractor(model, { featureLayer: 'feature' })).toThrow(/but got 'feature': no layer has that name \(the nearest: 'features' \[1, 4, 4, 2\]\)/);
    expect(() => camExtractor(model, { featureLayer: 'gap' })).toThrow(/must be a layer whose output is a spatial map .* but got 'gap', whose output is \[1, 2\]/);
    expect(() => camExtractor(model, { featureLayer: 'features', classifierLayer: 'gap' })).toThrow(
      "Argument 'options.classifierLayer' passed to 'camExtractor' must be the Dense layer that classifies the pooled output of 'features', with a kernel [2, K], but got 'gap', a GlobalAveragePooling2D layer.",
    );
    expect(() => camExtractor(model, { inputSize: [8, 8] })).toThrow(arg('options.inputSize'));
    expect(() => camExtractor(model, { normalization: 'caffe' as 'unit' })).toThrow(arg('options.normalization'));
    const cam = camExtractor(model, { featureLayer: 'features', classifierLayer: 'logits' });
    const x = images();
    const wrongK = tf.ones([2, 4]) as tf.Tensor2D;
    expectThrowsCleanly(() => cam.extract(x), /camExtractor \(classifierLayer 'logits'\) needs the batch's labels to weight its classes: attentiveCutMix passes them/);
    expectThrowsCleanly(() => cam.extract(x, wrongK), /camExtractor \(classifierLayer 'logits', 3 classes\) needs labels \[2, 3\], but got a float32 tensor of shape \[2, 4\]/);
    tf.dispose([x, wrongK]);
    model.dispose();
  });

  it('resizes and normalises only when asked to', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.conv2d({ name: 'features', inputShape: [null, null, 1], filters: 1, kernelSize: 1, useBias: false, kernelInitializer: 'ones' })] });
    const bytes = tf.tensor4d([0, 51, 102, 255], [1, 2, 2, 1], 'int32');
    expect(await read(camExtractor(model).extract(bytes))).toEqual([[[0, 51], [102, 255]]]); // as they are
    const scaled = await read<number[][][]>(camExtractor(model, { normalization: 'symmetric' }).extract(bytes)); // [0, 255] → [−1, 1]
    scaled.flat(2).forEach((v, i) => expect(v).toBeCloseTo([-1, -0.6, -0.2, 1][i]!, 5));
    const resized = camExtractor(model, { inputSize: [4, 4] }).extract(bytes);
    expect(resized.shape).toEqual([1, 4, 4]);
    tf.dispose([bytes, resized]);
    model.dispose();
  });
});
