// The training core shared by examples/training/train.ts and scripts/experiment-fashion-mnist.ts:
// the network, the seeded batch order, every mixing method by its command-line name, and one
// run of training that records each epoch (training loss, validation and test accuracy, time).
//
// Every method of a seed trains the same network from the same initial weights on the same
// batches in the same order (one seeded stream per seed) with the same optimiser; only the mixing
// differs. The methods:
// - none, mixup, cutmix: the library's named mixers.
// - oneof: createMixer({ oneOf: [mixup, cutMix], weights: [1, 1], mode: 'elem' }).
// - attentive-saliency (alias attentive): attentiveCutMix with the built-in saliencyExtractor.
// - attentive-cam: `camWarmup` epochs of cutMix, then attentiveCutMix with the model's own CAM
//   (camExtractor over its 'features' and 'logits' layers); the same total epochs.
// - attentive-teacher: a teacher (the same network, its own initial weights, trained first without
//   mixing on the same training split) saved as a layers model.json + weights, loaded back with
//   loadAttentionExtractor(path), frozen; its maps precomputed once over the training split with
//   precomputeAttention and zipped into the batches as { xs, ys, attention }, so mixing runs no
//   extractor.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  type CellCount,
  type LabelMode,
  type MixDatasetOptions,
  type Rng,
  camExtractor,
  createMixer,
  createRng,
  loadAttentionExtractor,
  mixDataset,
  precomputeAttention,
} from '../../src/index.js';

/** The methods by their command-line names. */
export const METHODS = ['none', 'mixup', 'cutmix', 'oneof', 'attentive-saliency', 'attentive-cam', 'attentive-teacher'] as const;
export type Method = (typeof METHODS)[number];
/** Old names still taken on the command line. */
export const METHOD_ALIASES: Record<string, Method> = { attentive: 'attentive-saliency' };
export const isAttentive = (method: Method): boolean => method.startsWith('attentive');

/** The mixing settings, one set for every method. */
export interface MixSettings {
  prob: number;
  mixupAlpha: number;
  cutmixAlpha: number;
  grid: number;
  topN: CellCount;
  labelMode: LabelMode;
  /** attentive-cam: epochs of cutMix before the CAM takes over. */
  camWarmup: number;
}

/** Images and their class ids (a type, so that it is a tf.TensorContainer for tf.dispose). */
export type Split = {
  images: tf.Tensor4D;
  labels: tf.Tensor1D;
};

/** The network: how wide and how it pools (written into results as its description). */
export interface Network {
  filters: [number, number, number];
  pooling: 'max' | 'avg';
}

/** A line that says what {@link makeModel} builds. */
export function describeNetwork([h, w, c]: number[], numClasses: number, { filters: [a, b, d], pooling }: Network): string {
  return (
    `input ${h}×${w}×${c}; conv3×3 ${a} relu, maxpool 2; conv3×3 ${b} relu, maxpool 2; conv3×3 ${d} relu ('features', ${Math.floor(h! / 4)}×${Math.floor(w! / 4)}); ` +
    `global ${pooling} pool; dense ${numClasses} softmax ('logits'); glorot-uniform init seeded; Adam 0.003; categorical cross-entropy`
  );
}

/**
 * The network, with initial weights from `seed`, so that every method of a seed starts from the
 * same ones. Its last conv layer is 'features' and its classifier 'logits', for camExtractor and
 * for the teacher's maps.
 */
export function makeModel(inputShape: [number, number, number], numClasses: number, seed: number, network: Network): { model: tfl.LayersModel; optimizer: tf.Optimizer } {
  let n = 0;
  const init = () => tfl.initializers.glorotUniform({ seed: seed * 100 + n++ });
  const conv = (filters: number, name?: string) => tfl.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() });
  const [a, b, c] = network.filters;
  const model = tfl.sequential({
    layers: [
      tfl.layers.inputLayer({ inputShape }),
      conv(a),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      conv(b),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      conv(c, 'features'),
      network.pooling === 'max' ? tfl.layers.globalMaxPooling2d({}) : tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ name: 'logits', units: numClasses, activation: 'softmax', kernelInitializer: init() }),
    ],
  });
  const optimizer = tf.train.adam(0.003);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return { model, optimizer };
}

/**
 * Batches `{ xs, ys }` (and `attention`, rows of `maps`, where given) in an order reshuffled every
 * epoch from one seeded stream: the same for every method of a seed, and continued, not
 * restarted, when a run goes on with another mixer (one dataset serves both phases).
 */
export function batches(split: Split, batchSize: number, seed: number, maps?: tf.Tensor3D) {
  const count = split.images.shape[0];
  const rng = createRng(`order-${seed}`);
  return tfd.generator(function* () {
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start + batchSize <= count; start += batchSize) {
      const index = tf.tensor1d(order.slice(start, start + batchSize), 'int32');
      const batch = { xs: tf.gather(split.images, index), ys: tf.gather(split.labels, index), ...(maps ? { attention: tf.gather(maps, index) } : {}) };
      index.dispose();
      yield batch;
    }
  });
}

/** Top-1 accuracy of `model` on a split, predicted `batchSize` images at a time. */
export async function accuracy(model: tfl.LayersModel, split: Split, batchSize = 500): Promise<number> {
  const count = split.images.shape[0];
  let correct = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const hits = tf.tidy(() => {
      const xs = tf.slice(split.images, start, size);
      const predicted = tf.argMax(model.predict(xs) as tf.Tensor2D, 1);
      return tf.sum(tf.cast(tf.equal(predicted, tf.slice(split.labels, start, size)), 'int32'));
    });
    correct += (await hits.data())[0]!;
    hits.dispose();
  }
  return correct / count;
}

export interface Epoch {
  epoch: number;
  loss: number;
  valAccuracy: number;
  testAccuracy: number | null;
  /** Training time of the epoch (mixing included, evaluation not). */
  seconds: number;
  /** The time the validation and test evaluation took. */
  evalSeconds: number;
  /** For attentive-cam, which mixer the epoch trained with. */
  mixer?: string;
}

export interface RunConfig {
  method: Method;
  seed: number;
  epochs: number;
  batchSize: number;
  numClasses: number;
  network: Network;
  mix: MixSettings;
  train: Split;
  val: Split;
  test?: Split;
  /** attentive-teacher: the teacher's maps over `train`, `[N, grid, grid]`. */
  teacherMaps?: tf.Tensor3D;
  onEpoch?: (epoch: Epoch) => void;
}

/** The named mixer of `method`, as mixDataset takes it (attentive-cam's second phase aside). */
function mixerFor(method: Method, config: RunConfig): { name: Parameters<typeof mixDataset>[1]; options: MixDatasetOptions } {
  const { numClasses, mix } = config;
  const { prob, grid, topN, labelMode } = mix;
  switch (method) {
    case 'none':
      return { name: 'none', options: { numClasses } };
    case 'mixup':
      return { name: 'mixup', options: { numClasses, alpha: mix.mixupAlpha, prob, mode: 'elem' } };
    case 'cutmix':
    case 'attentive-cam': // its warm-up
      return { name: 'cutmix', options: { numClasses, alpha: mix.cutmixAlpha, prob, mode: 'elem' } };
    case 'oneof':
      return {
        name: createMixer({ oneOf: [{ method: 'mixup', alpha: mix.mixupAlpha }, { method: 'cutMix', alpha: mix.cutmixAlpha }], weights: [1, 1], mode: 'elem', prob, numClasses }),
        options: {},
      };
    case 'attentive-saliency': // the built-in saliencyExtractor, mixDataset's default
    case 'attentive-teacher': // the batches bring the teacher's maps
      return { name: 'attentive', options: { numClasses, grid, topN, prob, mode: 'elem', labelMode } };
  }
}

/** Trains one method from scratch and returns its epochs; disposes everything it made. */
export async function trainRun(config: RunConfig): Promise<Epoch[]> {
  const { method, seed, epochs, mix, numClasses } = config;
  const { model, optimizer } = makeModel(config.train.images.shape.slice(1) as [number, number, number], numClasses, seed, config.network);
  const base = batches(config.train, config.batchSize, seed, method === 'attentive-teacher' ? config.teacherMaps : undefined);
  const rng: Rng = createRng(`mix-${seed}`); // one stream over both phases of attentive-cam
  const results: Epoch[] = [];
  const phase = async (dataset: tfd.Dataset<tf.TensorContainer>, from: number, to: number, mixer: string) => {
    let started = performance.now();
    await model.fitDataset(dataset, {
      epochs: to,
      initialEpoch: from,
      verbose: 0,
      callbacks: {
        onEpochBegin: async () => {
          started = performance.now();
        },
        onEpochEnd: async (epoch, logs) => {
          const seconds = (performance.now() - started) / 1000;
          const evalStart = performance.now();
          const valAccuracy = await accuracy(model, config.val);
          const testAccuracy = config.test ? await accuracy(model, config.test) : null;
          const record: Epoch = { epoch: epoch + 1, loss: Number(logs?.loss), valAccuracy, testAccuracy, seconds, evalSeconds: (performance.now() - evalStart) / 1000 };
          if (method === 'attentive-cam') record.mixer = mixer;
          results.push(record);
          config.onEpoch?.(record);
        },
      },
    });
  };
  try {
    if (method === 'attentive-cam') {
      const warmup = Math.min(mix.camWarmup, epochs);
      const { name, options } = mixerFor('cutmix', config);
      if (warmup > 0) await phase(mixDataset(base, name, { ...options, seed: rng }), 0, warmup, 'cutmix');
      const cam = camExtractor(model, { featureLayer: 'features', classifierLayer: 'logits' });
      const attentive = { numClasses, grid: mix.grid, topN: mix.topN, prob: mix.prob, mode: 'elem' as const, labelMode: mix.labelMode, extractor: cam, seed: rng };
      if (warmup < epochs) await phase(mixDataset(base, 'attentive', attentive), warmup, epochs, 'attentive-cam');
    } else {
      if (method === 'attentive-teacher' && !config.teacherMaps) throw new Error('attentive-teacher needs the teacher\'s maps (teacherMaps).');
      const { name, options } = mixerFor(method, config);
      await phase(mixDataset(base, name, typeof name === 'string' ? { ...options, seed: rng } : { seed: rng }), 0, epochs, method);
    }
  } finally {
    model.dispose();
    optimizer.dispose(); // not the model's to dispose: it was passed to compile as an object
  }
  return results;
}

export interface Teacher {
  maps: tf.Tensor3D;
  /** Where it was saved: model.json and weights.bin. */
  folder: string;
  trainSeconds: number;
  precomputeSeconds: number;
  valAccuracy: number;
  epochs: Epoch[];
}

/**
 * Trains the teacher (the same network with its own initial weights, seed + 1000, and its own
 * batch order, without mixing) on `config.train`, saves it to `folder` as model.json +
 * weights.bin, loads it back with loadAttentionExtractor(path) (its 'features' layer, [0, 1]
 * input), and precomputes its maps over the training split once.
 */
export async function makeTeacher(config: Omit<RunConfig, 'method' | 'teacherMaps' | 'test'>, folder: string): Promise<Teacher> {
  const seed = config.seed + 1000;
  const { model, optimizer } = makeModel(config.train.images.shape.slice(1) as [number, number, number], config.numClasses, seed, config.network);
  const epochs: Epoch[] = [];
  const started = performance.now();
  try {
    await model.fitDataset(mixDataset(batches(config.train, config.batchSize, seed), 'none', { numClasses: config.numClasses }), {
      epochs: config.epochs,
      verbose: 0,
      callbacks: { onEpochEnd: async (epoch, logs) => void epochs.push({ epoch: epoch + 1, loss: Number(logs?.loss), valAccuracy: NaN, testAccuracy: null, seconds: 0, evalSeconds: 0 }) },
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const valAccuracy = await accuracy(model, config.val);
    mkdirSync(folder, { recursive: true });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeFileSync(join(folder, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
        const json = { format: 'layers-model', generatedBy: 'attentive-cutmix examples/training/methods.ts', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
        writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const precomputeStart = performance.now();
    const extractor = await loadAttentionExtractor(join(folder, 'model.json'), { featureNode: 'features', normalization: 'unit' });
    let maps: tf.Tensor3D;
    try {
      maps = await precomputeAttention(config.train.images, extractor, { grid: config.mix.grid, batchSize: 250 });
    } finally {
      extractor.dispose();
    }
    const precomputeSeconds = (performance.now() - precomputeStart) / 1000;
    return { maps, folder, trainSeconds, precomputeSeconds, valAccuracy, epochs };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
