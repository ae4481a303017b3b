// The training core shared by examples/training/train.ts and the experiments (scripts/experiment/):
// the seeded batch order, every mixing method by its command-line name, the teacher, and one run
// of training that records each epoch (training loss and accuracy, validation loss and accuracy,
// test accuracy where asked, learning rate, time).
//
// Every method of a seed trains the same network from the same initial weights on the same
// batches in the same order (one seeded stream per seed) with the same optimiser and schedule;
// only the mixing differs. The methods, each mixing every sample with probability `prob`:
// - none, mixup, cutmix: the library's named mixers (mixup with `mixupAlpha`, cutMix with
//   `cutmixAlpha`).
// - oneof: createMixer({ oneOf: [mixup, cutMix], weights: [1, 1], mode: 'elem' }).
// - resizemix, saliencymix, fmix: the library's named mixers at their defaults (resizeMix's scale
//   [0.1, 0.8]; saliencyMix with the built-in saliencyExtractor; fmix's decay 3), saliencyMix and
//   fmix with `cutmixAlpha`.
// - cutmix-same-area: one box of the area of `topN` cells of the `grid` (a × b cells with
//   a·b = topN, as square as can be, either way up), placed uniformly inside the image: CutMix at
//   exactly the attentive methods' pasted area (a control).
// - attentive-saliency: attentiveCutMix with the built-in saliencyExtractor.
// - attentive-cam: `camWarmup` epochs of cutMix, then attentiveCutMix with the model's own CAM
//   (camExtractor over its 'features' and 'logits' layers); the same total epochs.
// - attentive-teacher: attentiveCutMix with a teacher's maps (a separate network trained without
//   mixing, saved as a layers model.json + weights, loaded back with loadAttentionExtractor,
//   frozen), precomputed once over the training split with precomputeAttention and zipped into
//   the batches as { xs, ys, attention }, so mixing runs no extractor.
// - attentive-teacher-beta: the same, with the number of pasted cells drawn per sample from
//   Beta(1, 1) (OpenMixup's AttentiveMix draws it from lambda) instead of a fixed `topN`.
// - attentive-least: the teacher's maps negated, so its LEAST attended cells are pasted (a control).
// - attentive-random: fresh uniform random maps for every sample of every batch, so the pasted
//   cells are uniform (a control: cells without attention).
// The attentive methods paste `topN` cells of a `grid` × `grid` grid (a number, or `{ alpha }`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  type BatchMixer,
  type CellCount,
  type CutMixParams,
  type LabelMode,
  type MixDatasetOptions,
  type Rng,
  applyCutMix,
  camExtractor,
  createMixer,
  createRng,
  loadAttentionExtractor,
  mixDataset,
  mixLabels,
  precomputeAttention,
  sampleCutMixParams,
} from '../../src/index.js';
import { type Network, learningRateAt, makeModel, setLearningRate } from './network.js';

/** The methods by their command-line names. */
export const METHODS = [
  'none',
  'mixup',
  'cutmix',
  'oneof',
  'resizemix',
  'saliencymix',
  'fmix',
  'cutmix-same-area',
  'attentive-saliency',
  'attentive-cam',
  'attentive-teacher',
  'attentive-teacher-beta',
  'attentive-least',
  'attentive-random',
] as const;
export type Method = (typeof METHODS)[number];
/** Old names still taken on the command line. */
export const METHOD_ALIASES: Record<string, Method> = { attentive: 'attentive-saliency' };
export const isAttentive = (method: Method): boolean => method.startsWith('attentive');
/** The methods that mix with the teacher's maps. */
export const usesTeacher = (method: Method): boolean => method === 'attentive-teacher' || method === 'attentive-teacher-beta' || method === 'attentive-least';

/** The mixing settings of a run. */
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

/** Where a batch's attention maps come from, if anywhere. */
type Maps = { kind: 'given'; maps: tf.Tensor3D } | { kind: 'random'; grid: number };

/**
 * Batches `{ xs, ys }` (and `attention`: rows of given maps, or fresh uniform random maps) in an
 * order reshuffled every epoch from one seeded stream: the same for every method of a seed, and
 * continued, not restarted, when a run goes on with another mixer (one dataset serves both phases).
 */
export function batches(split: Split, batchSize: number, seed: number, maps?: Maps) {
  const count = split.images.shape[0];
  const rng = createRng(`order-${seed}`);
  const randomMaps = createRng(`random-maps-${seed}`);
  return tfd.generator(function* () {
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start + batchSize <= count; start += batchSize) {
      const index = tf.tensor1d(order.slice(start, start + batchSize), 'int32');
      const batch: tf.TensorContainerObject = { xs: tf.gather(split.images, index), ys: tf.gather(split.labels, index) };
      if (maps?.kind === 'given') batch.attention = tf.gather(maps.maps, index);
      if (maps?.kind === 'random') {
        const values = Float32Array.from({ length: batchSize * maps.grid * maps.grid }, () => randomMaps.uniform());
        batch.attention = tf.tensor3d(values, [batchSize, maps.grid, maps.grid]);
      }
      index.dispose();
      yield batch;
    }
  });
}

/** Mean categorical cross-entropy and top-1 accuracy of `model` on a split, `batchSize` images at a time. */
export async function evaluate(model: tfl.LayersModel, split: Split, batchSize = 500): Promise<{ loss: number; accuracy: number }> {
  const count = split.images.shape[0];
  const numClasses = (model.outputs[0]!.shape.at(-1) as number) ?? 0;
  let correct = 0;
  let loss = 0;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const sums = tf.tidy(() => {
      const probabilities = model.predict(tf.slice(split.images, start, size)) as tf.Tensor2D;
      const labels = tf.slice(split.labels, start, size);
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(probabilities, 1), labels), 'float32'));
      // what Keras' categorical cross-entropy computes: probabilities clipped to [ε, 1 − ε]
      const own = tf.sum(tf.mul(probabilities, tf.oneHot(labels, numClasses)), 1);
      const nll = tf.sum(tf.neg(tf.log(tf.clipByValue(own, 1e-7, 1 - 1e-7))));
      return tf.stack([hits, nll]);
    });
    const [hits, nll] = await sums.data();
    sums.dispose();
    correct += hits!;
    loss += nll!;
  }
  return { loss: loss / count, accuracy: correct / count };
}

/** Top-1 accuracy of `model` on a split. */
export async function accuracy(model: tfl.LayersModel, split: Split, batchSize = 500): Promise<number> {
  return (await evaluate(model, split, batchSize)).accuracy;
}

export interface Epoch {
  epoch: number;
  /** The training loss and accuracy over the epoch's (mixed) batches, as model.fitDataset logs them. */
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  /** On the test split, at the epochs asked for (else null). */
  testAccuracy: number | null;
  learningRate: number;
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
  /** Evaluate the test split after every `testEvery`-th epoch and the last. Default 1. */
  testEvery?: number;
  /** The teacher's maps over `train`, `[N, grid, grid]`, for the methods that use them. */
  teacherMaps?: tf.Tensor3D;
  onEpoch?: (epoch: Epoch) => void;
}

/** cutmix-same-area: the box of `topN` cells of the grid, `a × b` cells with a·b = topN and a <= b as close as can be. */
export function sameAreaCells(topN: number): [number, number] {
  let a = Math.floor(Math.sqrt(topN));
  while (topN % a !== 0) a--;
  return [a, topN / a];
}

/**
 * cutmix-same-area's mixer: the partners as cutMix draws them, each with one box of `a × b` cells
 * (either way up, drawn per sample) at a uniform place inside the image; lambda from its area.
 */
function sameAreaMixer(mix: MixSettings, numClasses: number): BatchMixer {
  if (typeof mix.topN !== 'number') throw new Error('cutmix-same-area needs a fixed topN.');
  const [a, b] = sameAreaCells(mix.topN);
  return (images, labels, rng) => {
    const [batchSize, height, width] = images.shape;
    const drawn = sampleCutMixParams(images.shape, { seed: rng, prob: mix.prob, mode: 'elem' });
    const int = (n: number) => Math.floor(rng.uniform() * n);
    const boxes = drawn.boxes.map((box) => {
      if (box[2] === box[0]) return box; // not mixed (prob)
      const [rows, cols] = int(2) === 0 ? [a, b] : [b, a];
      const h = Math.round((rows * height) / mix.grid);
      const w = Math.round((cols * width) / mix.grid);
      const y0 = int(height - h + 1);
      const x0 = int(width - w + 1);
      return [y0, x0, y0 + h, x0 + w] as const;
    });
    const lambda = boxes.map(([y0, x0, y1, x1]) => Math.fround(1 - ((y1 - y0) * (x1 - x0)) / (height * width)));
    const params: CutMixParams = { ...drawn, boxes, lambda };
    if (params.partners.length !== batchSize) throw new Error('cutmix-same-area: partners do not fit the batch.');
    return { images: applyCutMix(images, params), labels: mixLabels(labels, params, { numClasses }) };
  };
}

/** The mixer of `method` as mixDataset takes it (attentive-cam's second phase aside). */
function mixerFor(method: Method, config: RunConfig): { name: Parameters<typeof mixDataset>[1]; options: MixDatasetOptions } {
  const { numClasses, mix } = config;
  const { prob, grid, labelMode } = mix;
  const attentive = { numClasses, grid, topN: mix.topN, prob, mode: 'elem' as const, labelMode };
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
    case 'resizemix':
      return { name: 'resizeMix', options: { numClasses, prob, mode: 'elem' } };
    case 'saliencymix': // the built-in saliencyExtractor, mixDataset's default
      return { name: 'saliencyMix', options: { numClasses, alpha: mix.cutmixAlpha, prob, mode: 'elem' } };
    case 'fmix':
      return { name: 'fmix', options: { numClasses, alpha: mix.cutmixAlpha, prob, mode: 'elem' } };
    case 'cutmix-same-area':
      return { name: sameAreaMixer(mix, numClasses), options: {} };
    case 'attentive-saliency': // the built-in saliencyExtractor, mixDataset's default
    case 'attentive-teacher': // the batches bring the maps
    case 'attentive-least':
    case 'attentive-random':
      return { name: 'attentive', options: attentive };
    case 'attentive-teacher-beta':
      return { name: 'attentive', options: { ...attentive, topN: { alpha: 1 } } };
  }
}

/** The attention maps the batches of `method` carry. */
function mapsFor(method: Method, config: RunConfig): { maps?: Maps; made?: tf.Tensor3D } {
  if (method === 'attentive-random') return { maps: { kind: 'random', grid: config.mix.grid } };
  if (!usesTeacher(method)) return {};
  if (!config.teacherMaps) throw new Error(`${method} needs the teacher's maps (teacherMaps).`);
  if (method !== 'attentive-least') return { maps: { kind: 'given', maps: config.teacherMaps } };
  const made = tf.neg(config.teacherMaps);
  return { maps: { kind: 'given', maps: made }, made };
}

/** Trains one method from scratch and returns its epochs; disposes everything it made. */
export async function trainRun(config: RunConfig): Promise<Epoch[]> {
  const { method, seed, epochs, mix, numClasses, network } = config;
  const testEvery = config.testEvery ?? 1;
  const { model, optimizer } = makeModel(config.train.images.shape.slice(1) as [number, number, number], numClasses, seed, network);
  const { maps, made } = mapsFor(method, config);
  const base = batches(config.train, config.batchSize, seed, maps);
  const rng: Rng = createRng(`mix-${seed}`); // one stream over both phases of attentive-cam
  const results: Epoch[] = [];
  const phase = async (dataset: tfd.Dataset<tf.TensorContainer>, from: number, to: number, mixer: string) => {
    let started = performance.now();
    let learningRate = 0;
    await model.fitDataset(dataset, {
      epochs: to,
      initialEpoch: from,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (epoch) => {
          learningRate = learningRateAt(network, epoch, epochs);
          setLearningRate(optimizer, learningRate);
          started = performance.now();
        },
        onEpochEnd: async (epoch, logs) => {
          const seconds = (performance.now() - started) / 1000;
          const evalStart = performance.now();
          const val = await evaluate(model, config.val);
          const testing = config.test && ((epoch + 1) % testEvery === 0 || epoch + 1 === epochs);
          const testAccuracy = testing ? await accuracy(model, config.test!) : null;
          const record: Epoch = {
            epoch: epoch + 1,
            loss: Number(logs?.loss),
            accuracy: Number(logs?.acc),
            valLoss: val.loss,
            valAccuracy: val.accuracy,
            testAccuracy,
            learningRate,
            seconds,
            evalSeconds: (performance.now() - evalStart) / 1000,
          };
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
      const { name, options } = mixerFor(method, config);
      await phase(mixDataset(base, name, typeof name === 'string' ? { ...options, seed: rng } : { seed: rng }), 0, epochs, method);
    }
  } finally {
    model.dispose();
    optimizer.dispose(); // not the model's to dispose: it was passed to compile as an object
    made?.dispose();
  }
  return results;
}

export interface TeacherConfig {
  /** The teacher's own seed (its initial weights and batch order). */
  seed: number;
  epochs: number;
  batchSize: number;
  numClasses: number;
  network: Network;
  /** What the teacher trains on. */
  train: Split;
  /** Where its accuracy is measured after training. */
  val: Split;
  test?: Split;
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface Teacher {
  /** Where it was saved: model.json and weights.bin. */
  folder: string;
  trainSeconds: number;
  losses: number[];
  valAccuracy: number;
  testAccuracy: number | null;
}

/**
 * Trains a teacher without mixing (the network of `config`, its own seed and batch order) and
 * saves it to `folder` as a layers model.json + weights.bin.
 */
export async function trainTeacher(config: TeacherConfig, folder: string): Promise<Teacher> {
  const { model, optimizer } = makeModel(config.train.images.shape.slice(1) as [number, number, number], config.numClasses, config.seed, config.network);
  const losses: number[] = [];
  const started = performance.now();
  try {
    await model.fitDataset(mixDataset(batches(config.train, config.batchSize, config.seed), 'none', { numClasses: config.numClasses }), {
      epochs: config.epochs,
      verbose: 0,
      callbacks: {
        onEpochBegin: async (epoch) => setLearningRate(optimizer, learningRateAt(config.network, epoch, config.epochs)),
        onEpochEnd: async (epoch, logs) => {
          losses.push(Number(logs?.loss));
          config.onEpoch?.(epoch + 1, Number(logs?.loss));
        },
      },
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const valAccuracy = await accuracy(model, config.val);
    const testAccuracy = config.test ? await accuracy(model, config.test) : null;
    mkdirSync(folder, { recursive: true });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        writeFileSync(join(folder, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
        const json = { format: 'layers-model', generatedBy: 'attentive-cutmix examples/training/methods.ts', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] };
        writeFileSync(join(folder, 'model.json'), JSON.stringify(json));
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    return { folder, trainSeconds, losses, valAccuracy, testAccuracy };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}

/**
 * The teacher's maps over `images`: the saved model loaded back with loadAttentionExtractor(path)
 * (its 'features' layer, [0, 1] input), frozen, its channel mean pooled to the grid, once.
 */
export async function teacherMaps(folder: string, images: tf.Tensor4D, grid: number): Promise<tf.Tensor3D> {
  const extractor = await loadAttentionExtractor(join(folder, 'model.json'), { featureNode: 'features', normalization: 'unit' });
  try {
    return await precomputeAttention(images, extractor, { grid, batchSize: 250 });
  } finally {
    extractor.dispose();
  }
}
