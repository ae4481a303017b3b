// The conformance cases: every public op, on inputs made from a seeded stream (not tf.random, so
// they are the same bytes on every backend), returning every output the op gives. The same cases
// run in Node and in the browser; see runner.ts.
import * as tf from '@tensorflow/tfjs-core';

import { type AttentionExtractor, attentiveCutMix, createMixer, createRng, cutMix, mixup, saliencyExtractor } from '../../src/index.js';

/** The extractors, made on the backend under test. */
export interface CaseContext {
  /** loadAttentionExtractor of the tiny-cnn graph model's files. */
  graphExtractor: AttentionExtractor;
  /** loadAttentionExtractor of the keras-cnn layers model's files. */
  layersExtractor: AttentionExtractor;
  /** loadAttentionExtractor of keras-cnn as a tf.LayersModel loaded by tfjs-layers, at its layer 'pool1'. */
  modelExtractor: AttentionExtractor;
  /** camExtractor of that LayersModel: 'features' weighted by the Dense 'logits' for each sample's label. */
  camExtractor: AttentionExtractor;
}

export interface ConformanceCase {
  readonly name: string;
  /** Runs the op on a batch of `batchSize` and returns its outputs by name (the caller disposes them). */
  run(context: CaseContext, batchSize: number): Record<string, tf.Tensor>;
}

function images(batchSize: number, [h, w, c]: [number, number, number], dtype: 'float32' | 'int32', seed: string): tf.Tensor4D {
  const rng = createRng(seed);
  const values = Array.from({ length: batchSize * h * w * c }, () => (dtype === 'int32' ? Math.floor(rng.uniform() * 256) : rng.uniform()));
  return tf.tensor4d(values, [batchSize, h, w, c], dtype);
}

const classIds = (batchSize: number, numClasses: number) => Array.from({ length: batchSize }, (_, i) => (i * 7) % numClasses);
const oneHot = (batchSize: number, numClasses: number) => tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(classIds(batchSize, numClasses), 'int32'), numClasses), 'float32'));

/** Runs `op` on inputs it makes, and disposes the inputs. */
function withInputs(make: () => tf.Tensor[], op: (...inputs: tf.Tensor[]) => Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const inputs = make();
  try {
    return op(...inputs);
  } finally {
    tf.dispose(inputs);
  }
}

export const CASES: ConformanceCase[] = [
  {
    name: 'mixup, elem mode, float32 images, smoothed one-hot labels',
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'mixup-x'), oneHot(b, 10)],
        (x, y) => mixup(x as tf.Tensor4D, y!, { seed: 1, mode: 'elem', alpha: 0.4, labelSmoothing: 0.1 }),
      ),
  },
  {
    name: 'mixup, batch mode, int32 images, class-id array',
    run: (_, b) => withInputs(() => [images(b, [16, 20, 3], 'int32', 'mixup-int')], (x) => mixup(x as tf.Tensor4D, classIds(b, 5), { seed: 2, numClasses: 5, partner: 'flip' })),
  },
  {
    name: 'cutMix, elem mode, float32 images',
    run: (_, b) =>
      withInputs(() => [images(b, [24, 20, 3], 'float32', 'cutmix-x'), oneHot(b, 10)], (x, y) => cutMix(x as tf.Tensor4D, y!, { seed: 3, mode: 'elem', prob: 0.8 })),
  },
  {
    name: 'cutMix, batch mode, int32 images, minMax boxes',
    run: (_, b) =>
      withInputs(() => [images(b, [20, 24, 3], 'int32', 'cutmix-int')], (x) => cutMix(x as tf.Tensor4D, classIds(b, 7), { seed: 4, numClasses: 7, minMax: [0.2, 0.6], partner: 'roll' })),
  },
  {
    name: 'attentiveCutMix, built-in saliency, elem mode, grid 4',
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'attentive-x'), oneHot(b, 10)],
        (x, y) => attentiveCutMix(x as tf.Tensor4D, y!, saliencyExtractor(), { seed: 5, mode: 'elem', prob: 0.7, grid: 4, topN: 5 }),
      ),
  },
  {
    name: "attentiveCutMix, graph-model extractor, labelMode 'attention'",
    run: ({ graphExtractor }, b) =>
      withInputs(
        () => [images(b, [28, 28, 3], 'float32', 'attentive-graph')],
        (x) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), graphExtractor, { seed: 6, numClasses: 10, labelMode: 'attention' }),
      ),
  },
  {
    name: "attentiveCutMix, layers-model extractor from files, labelMode 'attention'",
    run: ({ layersExtractor }, b) =>
      withInputs(
        () => [images(b, [28, 28, 3], 'float32', 'attentive-layers')],
        (x) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), layersExtractor, { seed: 8, numClasses: 10, labelMode: 'attention' }),
      ),
  },
  {
    name: 'attentiveCutMix, a LayersModel passed to loadAttentionExtractor, int32 images, elem mode',
    run: ({ modelExtractor }, b) =>
      withInputs(
        () => [images(b, [32, 32, 3], 'int32', 'attentive-model')],
        (x) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), modelExtractor, { seed: 9, numClasses: 10, mode: 'elem', grid: 4, topN: 5 }),
      ),
  },
  {
    name: "attentiveCutMix, camExtractor (classifierLayer 'logits'), one-hot labels",
    run: ({ camExtractor }, b) =>
      withInputs(
        () => [images(b, [32, 32, 3], 'float32', 'attentive-cam'), oneHot(b, 10)],
        (x, y) => attentiveCutMix(x as tf.Tensor4D, y!, camExtractor, { seed: 10, grid: 4, topN: 4 }),
      ),
  },
  {
    name: "attentiveCutMix, maps in place of an extractor, larger than a grid that does not divide them, labelMode 'attention'",
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'attentive-maps-x'), tf.tidy(() => tf.squeeze(images(b, [10, 9, 1], 'float32', 'attentive-maps'), [3]))],
        (x, maps) => attentiveCutMix(x as tf.Tensor4D, classIds(b, 10), maps as tf.Tensor3D, { seed: 7, numClasses: 10, grid: 4, topN: 5, mode: 'elem', labelMode: 'attention' }),
      ),
  },
  {
    name: 'oneOf mixer, elem mode: mixup, cutMix and attentiveCutMix (saliency) drawn per sample',
    run: (_, b) =>
      withInputs(
        () => [images(b, [24, 20, 3], 'float32', 'one-of-x')],
        (x) =>
          createMixer({ oneOf: [{ method: 'mixup', alpha: 0.4 }, { method: 'cutMix' }, { method: 'attentiveCutMix', grid: 4, topN: 3 }], mode: 'elem', numClasses: 10 }).mix(x!, classIds(b, 10), {
            seed: 11,
          }) as unknown as Record<string, tf.Tensor>,
      ),
  },
];
