import { type Tensor, type Tensor2D, type Tensor3D, type Tensor4D, type TensorContainer, Tensor as TensorClass, tidy } from '@tensorflow/tfjs-core';

import type { AttentionExtractor } from '../attention/extractor.js';
import { numberOption, resolveOptions } from '../options.js';
import { SEED_OPTION } from '../sampling/params.js';
import { type Rng, type Seed, createRng, isRng } from '../sampling/rng.js';
import { argumentError, assertKnownOptions, assertOneOf, assertOptionsObject, describe, errorMessage } from '../validation.js';
import { LABEL_OPTIONS, toBatch, toSoftLabels } from './inputs.js';
import { smoothLabels } from './labels.js';
import { MIXER_OPTIONS, type Mixer, isMixer, makeMixer } from './mixer.js';
import { type ResolvedSchedule, type ScheduledConfig, dependsOnEpoch } from './schedule.js';
import type { AttentiveCutMixOptions, CutMixOptions, FMixOptions, ResizeMixOptions } from './types.js';

/**
 * The mixers {@link mixDataset} knows by name: the functions' own names `'attentiveCutMix'`,
 * `'cutMix'`, `'mixup'`, `'resizeMix'`, `'saliencyMix'` and `'fmix'` (with the short `'attentive'`
 * and `'cutmix'` as aliases), and `'none'` (images unchanged, labels only made float32 `[B, K]`,
 * so that a baseline trains on the same labels and loss).
 * @public
 */
export type MixMethod = 'attentiveCutMix' | 'cutMix' | 'mixup' | 'resizeMix' | 'saliencyMix' | 'fmix' | 'none' | 'attentive' | 'cutmix';

/**
 * A mixer of your own for {@link mixDataset}: it gets each batch, the dataset's shared
 * {@link Rng} and the batch's `attention` where it has one, and returns the mixed images and
 * float32 `[B, K]` labels. Whatever else it returns (lambda, partners, boxes) and every tensor it
 * creates along the way is disposed by {@link mixDataset}; tensors that existed before the call
 * are left alone.
 * @public
 */
export type BatchMixer = (images: Tensor4D, labels: Tensor, rng: Rng, attention?: Tensor) => { images: Tensor4D; labels: Tensor2D };

/**
 * An element of the dataset {@link mixDataset} takes (cast `batch()`'s output to it, which tf.data
 * types as any `TensorContainer`).
 * @public
 */
export type DatasetBatch = {
  /** The images `[B, H, W, C]`, float32 or int32. */
  xs: Tensor4D;
  /** int32 class ids `[B]` (with `numClasses`) or one-hot / soft labels `[B, K]`. */
  ys: Tensor;
  /**
   * The batch's attention maps, float32 `[B, h, w]`, computed beforehand (see
   * {@link precomputeAttention}) and zipped in before shuffling and batching. `'attentive'` and
   * `'saliencyMix'` mix with them and run no extractor for the batch; the other methods ignore
   * them (so that one pipeline serves every method), and a {@link BatchMixer} gets them as its
   * fourth argument.
   */
  attention?: Tensor3D;
};

/**
 * A batch as {@link mixDataset} gives it on: the mixed images and float32 `[B, K]` labels, the
 * `{ xs, ys }` that `model.fitDataset` expects.
 * @public
 */
export type MixedBatch = {
  /** The mixed images `[B, H, W, C]`. */
  xs: Tensor4D;
  /** The mixed labels, float32 `[B, K]`. */
  ys: Tensor2D;
};

/**
 * What {@link mixDataset} needs of a dataset: a synchronous `map`, as `tf.data.Dataset` has
 * (`@tensorflow/tfjs-data`, also part of `@tensorflow/tfjs`). Its elements must be
 * {@link DatasetBatch}es `{ xs, ys }` or `{ xs, ys, attention }`: `xs` images `[B, H, W, C]`,
 * `ys` int32 class ids `[B]` or labels `[B, K]`, `attention` maps `[B, h, w]`.
 * `R` is what `map` returns, for a `tf.data.Dataset` another `tf.data.Dataset`.
 * @public
 */
export interface MappableDataset<R> {
  /** Returns a dataset whose elements are `transform` applied to this one's. */
  map(transform: (batch: TensorContainer) => MixedBatch): R;
}

/**
 * Options of {@link mixDataset}: those of the mixer chosen (an unknown option, or one the mixer
 * does not take, is an error), and `extractor` for `'attentive'`. `seed` starts one stream
 * shared by all batches; see {@link mixDataset}.
 * @public
 */
export interface MixDatasetOptions extends CutMixOptions, Pick<AttentiveCutMixOptions, 'topN' | 'grid' | 'labelMode'>, Pick<ResizeMixOptions, 'scale' | 'interpolation'>, Pick<FMixOptions, 'decay'>, ScheduledConfig {
  /**
   * The attention extractor of `'attentive'` and `'saliencyMix'`; default {@link saliencyExtractor}`()`,
   * made once. Not run for a batch that brings its own `attention` (see {@link DatasetBatch}).
   */
  extractor?: AttentionExtractor;
  /**
   * The epoch the first iteration of the dataset is, for the schedule: give `model.fitDataset`'s
   * `initialEpoch` when resuming a run. An integer ≥ 0; default 0.
   */
  initialEpoch?: number;
  /** The step the first batch is, for the schedule: the number of batches trained before, when resuming. An integer ≥ 0; default 0. */
  initialStep?: number;
}

/** The methods by name, the short aliases after the functions' own names. */
const METHODS: readonly MixMethod[] = ['attentiveCutMix', 'cutMix', 'mixup', 'resizeMix', 'saliencyMix', 'fmix', 'none', 'attentive', 'cutmix'];
type CanonicalMethod = Exclude<MixMethod, 'attentive' | 'cutmix'>;
const CANONICAL: Record<MixMethod, CanonicalMethod> = {
  attentiveCutMix: 'attentiveCutMix',
  attentive: 'attentiveCutMix',
  cutMix: 'cutMix',
  cutmix: 'cutMix',
  mixup: 'mixup',
  resizeMix: 'resizeMix',
  saliencyMix: 'saliencyMix',
  fmix: 'fmix',
  none: 'none',
};
/** The named methods that mix with a batch's own `attention` maps. */
const TAKE_MAPS: readonly string[] = ['attentiveCutMix', 'saliencyMix'];

/** Where the schedule's count starts: mixDataset's options besides the mixer's own. */
const PROGRESS_OPTIONS = { initialEpoch: numberOption({ default: 0, min: 0, integer: true }), initialStep: numberOption({ default: 0, min: 0, integer: true }) };
/** The options `mixDataset` takes besides a named method's own (see {@link MIXER_OPTIONS}). */
const NONE_OPTIONS = { seed: SEED_OPTION, ...LABEL_OPTIONS };
const SEED_ONLY = { seed: SEED_OPTION };
const MIXER_ONLY = { seed: SEED_OPTION, ...PROGRESS_OPTIONS };

/**
 * Mixes every batch of a dataset of `{ xs, ys }` batches, for `model.fitDataset`: each batch
 * goes through the mixer chosen, and the dataset gives `{ xs: images, ys: labels }` with the
 * mixed images and float32 `[B, K]` labels.
 *
 * All batches draw from one seeded {@link Rng}: batch n is mixed exactly as the mixer called on
 * it with `seed: rng` would mix it after the n − 1 batches before, over epochs too (each epoch
 * draws anew), so that a run is reproducible from its seed. A number or string `seed` starts that
 * stream (unlike a mixer's own `seed`, which starts a fresh stream per call); pass an Rng from
 * {@link createRng} to save its state in a checkpoint; without a seed the stream is unpredictable.
 *
 * Arguments are checked here, before any batch is read; an error in a batch (a wrong shape, a
 * class id out of range) is thrown while the dataset is iterated, naming the batch's tensors.
 * The mixer's other outputs (lambda, partners, boxes, cells) and its intermediates are disposed
 * in a `tf.tidy`; the input batch is left to the dataset (tf.data's `map` disposes the input
 * tensors it does not pass on).
 *
 * A batch `{ xs, ys, attention }` brings its attention maps `[B, h, w]` with it (computed once by
 * {@link precomputeAttention} and zipped in before shuffling and batching): `'attentive'` mixes
 * with them exactly as with the extractor that made them, and runs no extractor for that batch;
 * `'cutmix'`, `'mixup'` and `'none'` ignore them, so that one pipeline serves every method.
 *
 * @param dataset - A `tf.data.Dataset` (or any object with such a `map`) of {@link DatasetBatch}es
 *   `{ xs, ys }` or `{ xs, ys, attention }`: `xs` images `[B, H, W, C]` float32 or int32, `ys`
 *   int32 class ids `[B]` (with `options.numClasses`) or one-hot / soft labels `[B, K]`,
 *   `attention` float32 maps `[B, h, w]`.
 * @param method - A {@link MixMethod}, a {@link Mixer} from {@link createMixer}, or a
 *   {@link BatchMixer} of your own.
 * @param options - See {@link MixDatasetOptions}. For a {@link Mixer} or a {@link BatchMixer},
 *   only `seed` (a mixer's own seed starts the stream where this one is not given).
 * @returns What `dataset.map` returns: for a `tf.data.Dataset`, a dataset of {@link MixedBatch}.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { mixDataset } from 'attentive-cutmix';
 *
 * const images = tf.randomUniform([256, 32, 32, 3]);          // your images [N, H, W, C]
 * const classes = [...Array(256).keys()].map((i) => i % 10);  // their class ids [N]
 * const samples = tf.unstack(images);                         // one tensor per image, for tf.data.array
 * const batches = tf.data
 *   .zip({ xs: tf.data.array(samples), ys: tf.data.array(classes) })
 *   .shuffle(256)
 *   .batch(32);
 * const model = tf.sequential({
 *   layers: [tf.layers.flatten({ inputShape: [32, 32, 3] }), tf.layers.dense({ units: 10, activation: 'softmax' })],
 * });
 * model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
 * await model.fitDataset(mixDataset(batches, 'attentiveCutMix', { numClasses: 10, grid: 4, topN: 3, seed: 42 }), { epochs: 2 });
 * tf.dispose([images, samples]); // fitDataset disposes each batch
 * model.dispose();
 * ```
 * @public
 */
export function mixDataset<R>(dataset: MappableDataset<R>, method: MixMethod | BatchMixer | Mixer, options?: MixDatasetOptions): R {
  const op = 'mixDataset';
  if ((typeof dataset !== 'object' && typeof dataset !== 'function') || dataset === null || typeof dataset.map !== 'function') {
    throw argumentError(op, 'dataset', 'a dataset of { xs, ys } batches with a map method (a tf.data.Dataset)', describe(dataset));
  }
  const { transform, progress } = batchTransform(op, method, options, true);
  return countEpochs(dataset.map(transform), progress);
}

/**
 * What {@link mixDataset} maps a dataset with, on its own: a function from a batch `{ xs, ys }`
 * (or `{ xs, ys, attention }`) to the mixed {@link MixedBatch}, for `dataset.map(...)`.
 * `batches.map(mixBatches(method, options))` is `mixDataset(batches, method, options)`, and
 * keeps tf.data's types: a `tf.data.Dataset<MixedBatch>`, where `mixDataset` can only say
 * `tf.data.Dataset<TensorContainer>`. Options are checked here, and `seed` starts the one
 * stream all batches draw from, as for {@link mixDataset}. A function cannot see where an epoch
 * starts: a schedule by epoch (`offEpoch`, `prob`) needs {@link mixDataset}; by step it works.
 *
 * @param method - A {@link MixMethod}, a {@link Mixer} from {@link createMixer}, or a
 *   {@link BatchMixer} of your own.
 * @param options - See {@link MixDatasetOptions}. For a {@link Mixer}, only `seed` (a mixer's own
 *   seed starts the stream where this one is not given) and `initialStep`; for a
 *   {@link BatchMixer}, only `seed`.
 * @returns The function that mixes one batch.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { type MixedBatch, mixBatches } from 'attentive-cutmix';
 *
 * const samples = tf.tidy(() => tf.unstack(tf.randomUniform([64, 16, 16, 3]))); // 64 images, one tensor each
 * const batches = tf.data.zip({ xs: tf.data.array(samples), ys: tf.data.array([...Array(64).keys()].map((i) => i % 4)) }).batch(16);
 * const mixed: tf.data.Dataset<MixedBatch> = batches.map(mixBatches('cutMix', { numClasses: 4, seed: 1 }));
 * const { xs, ys } = (await (await mixed.iterator()).next()).value; // Tensor4D, Tensor2D: no cast
 * tf.dispose([xs, ys, samples]);
 * ```
 * @public
 */
export function mixBatches(method: MixMethod | BatchMixer | Mixer, options?: MixDatasetOptions): (batch: TensorContainer) => MixedBatch {
  return batchTransform('mixBatches', method, options, false).transform;
}

/**
 * Where the mixing of a dataset is: the epoch of the iteration under way and the step of the next
 * batch, both counted from the options' `initialEpoch` and `initialStep`.
 */
interface Progress {
  epoch: number;
  step: number;
  /** Iterations that have read a batch so far. */
  started: number;
  readonly initialEpoch: number;
}

/**
 * Checks the method and its options now, and returns the function that mixes one batch and the
 * progress it counts. `seesEpochs`: whether the caller counts the dataset's iterations (a
 * schedule by epoch needs it).
 */
function batchTransform(op: string, method: MixMethod | BatchMixer | Mixer, options: MixDatasetOptions | undefined, seesEpochs: boolean) {
  let mix: Mix;
  let name: string;
  let mixer: Mixer | undefined;
  let start = { initialEpoch: 0, initialStep: 0 };
  if (isMixer(method)) {
    const { seed, ...initial } = resolveOptions(op, seesEpochs ? MIXER_ONLY : { seed: SEED_OPTION, initialStep: PROGRESS_OPTIONS.initialStep }, options);
    start = { ...start, ...initial };
    mixer = method;
    name = `the ${method.method} mixer`;
    mix = mixerMix(method, seed ?? (method.options.seed as Seed | Rng | undefined));
  } else if (typeof method === 'function') {
    const stream = streamOf(resolveOptions(op, SEED_ONLY, options).seed);
    mix = (images, labels, attention) => method(images, labels, stream, attention);
    name = 'the mixer function';
  } else {
    assertOneOf<MixMethod>(op, 'method', method, METHODS);
    const named = namedMixer(op, CANONICAL[method], options, seesEpochs);
    ({ mix, mixer } = named);
    start = { ...start, ...named.start };
    name = `'${method}'`;
  }
  const schedule = mixer?.options.schedule as ResolvedSchedule | undefined;
  if (!seesEpochs && dependsOnEpoch(schedule)) {
    throw argumentError(op, 'options.schedule', `a schedule by step only (offStep) with ${op}, which cannot see where an epoch starts: use mixDataset for offEpoch and prob`, 'a schedule that depends on the epoch');
  }
  const progress: Progress = { epoch: start.initialEpoch, step: start.initialStep, started: 0, initialEpoch: start.initialEpoch };
  const transform = (batch: TensorContainer) => {
    const at = { epoch: progress.epoch, step: progress.step++ };
    return tidy(() => mixBatch(op, batch, (images, labels, attention) => mix(images, labels, attention, at), name));
  };
  return { transform, progress };
}

type Mix = (images: Tensor4D, labels: Tensor, attention: Tensor | undefined, at?: { epoch: number; step: number }) => { images: Tensor4D; labels: Tensor2D };

/** All batches draw from one stream: a seed starts it, an Rng is it. */
const streamOf = (seed: Seed | Rng | undefined): Rng => (isRng(seed) ? seed : createRng(seed));

/** A mixer's `mix` on one stream, at the batch's epoch and step, with the batch's attention maps for a mixer that takes them. */
function mixerMix(mixer: Mixer, seed: Seed | Rng | undefined): Mix {
  const stream = streamOf(seed);
  const takesMaps = TAKE_MAPS.includes(mixer.method);
  return (images, labels, maps, at) => mixer.mix(images, labels, { seed: stream, ...(takesMaps && maps !== undefined ? { attention: maps as Tensor3D } : {}), ...at });
}

/** The mixer of a named method, made now, so that its options are checked before any batch is read. */
function namedMixer(op: string, method: CanonicalMethod, options: MixDatasetOptions | undefined, seesEpochs: boolean): { mix: Mix; mixer?: Mixer; start?: { initialEpoch: number; initialStep: number } } {
  if (method === 'none') {
    const opts = resolveOptions(op, NONE_OPTIONS, options);
    return { mix: (images, labels) => ({ images, labels: smoothLabels(toSoftLabels(op, labels, images.shape[0], opts), opts.labelSmoothing) }) };
  }
  const all = assertOptionsObject(op, options) as Record<string, unknown>;
  assertKnownOptions(op, all, [...Object.keys(MIXER_OPTIONS[method]), 'schedule', ...(seesEpochs ? Object.keys(PROGRESS_OPTIONS) : ['initialStep'])]); // before 'method' joins them
  const { initialEpoch, initialStep, ...given } = all;
  const start = resolveOptions(op, PROGRESS_OPTIONS, { initialEpoch, initialStep });
  const mixer = makeMixer(op, { ...given, method });
  return { mix: mixerMix(mixer, mixer.options.seed as Seed | Rng | undefined), mixer, start };
}

/**
 * Counts the iterations of the mixed dataset (where it has an `iterator()`, as a tf.data.Dataset
 * has): an iteration is an epoch from the first batch read from it, so that an iterator made and
 * never read (model.fitDataset makes one before its first epoch) counts for nothing.
 */
function countEpochs<R>(mapped: R, progress: Progress): R {
  const dataset = mapped as { iterator?: (...args: unknown[]) => Promise<unknown> };
  const iterator = typeof mapped === 'object' && mapped !== null ? dataset.iterator : undefined;
  if (typeof iterator !== 'function') return mapped;
  dataset.iterator = async function (this: unknown, ...args: unknown[]) {
    const it = (await iterator.apply(this, args)) as { next?: (...a: unknown[]) => unknown };
    const next = it?.next;
    if (typeof next === 'function') {
      let epoch: number | undefined;
      it.next = function (this: unknown, ...a: unknown[]) {
        epoch ??= progress.initialEpoch + progress.started++;
        progress.epoch = epoch;
        return next.apply(this, a);
      };
    }
    return it;
  };
  return mapped;
}

/** A dataset element for a message: a plain object by what each of its fields holds. */
function describeElement(element: unknown): string {
  if (typeof element !== 'object' || element === null || Object.getPrototypeOf(element) !== Object.prototype) return `that is ${describe(element)}`;
  return `{ ${Object.entries(element).map(([key, value]) => `${key}: ${describe(value)}`).join(', ')} }`;
}

/** Mixes one element of the dataset; call inside a `tidy`. */
function mixBatch(op: string, batch: unknown, mix: Mix, name: string): MixedBatch {
  const { xs, ys, attention } = (typeof batch === 'object' && batch !== null ? batch : {}) as { xs?: unknown; ys?: unknown; attention?: unknown };
  const expected = 'a dataset of { xs, ys } or { xs, ys, attention } batches of tensors';
  // One sample: an image [H, W, C] with a class id (a number or a scalar) or a one-hot row not as long as a batch.
  const oneLabel = !(ys instanceof TensorClass) || ys.rank === 0 || (ys.rank === 1 && xs instanceof TensorClass && ys.shape[0] !== xs.shape[0]);
  if (xs instanceof TensorClass && xs.rank === 3 && oneLabel) {
    throw argumentError(op, 'dataset', expected, `an element ${describeElement(batch)}: one image, not a batch; batch the dataset before mixing it (mixDataset(dataset.batch(32), …))`);
  }
  if (!(xs instanceof TensorClass) || !(ys instanceof TensorClass) || !(attention === undefined || attention instanceof TensorClass)) {
    throw argumentError(op, 'dataset', expected, `an element ${describeElement(batch)}`);
  }
  let result: { images: unknown; labels: unknown };
  try {
    result = mix(toBatch(op, xs), ys, attention);
  } catch (e) {
    const maps = attention === undefined ? '' : `, attention: ${describe(attention)}`;
    throw new Error(`'${op}' could not mix a batch (xs: ${describe(xs)}, ys: ${describe(ys)}${maps}) with ${name}: ${errorMessage(e)}`, { cause: e });
  }
  const { images, labels } = (typeof result === 'object' && result !== null ? result : {}) as { images?: unknown; labels?: unknown };
  const batchSize = xs.shape[0];
  const validImages = images instanceof TensorClass && !images.isDisposed && images.rank === 4 && images.shape[0] === batchSize;
  const validLabels = labels instanceof TensorClass && !labels.isDisposed && labels.rank === 2 && labels.shape[0] === batchSize && labels.dtype === 'float32';
  if (!validImages || !validLabels) {
    const got = typeof result === 'object' && result !== null ? `{ images: ${describe(images)}, labels: ${describe(labels)} }` : describe(result);
    throw new Error(`The mixer passed to '${op}' must return { images: [${batchSize}, H, W, C], labels: float32 [${batchSize}, K] } for a batch of ${batchSize}, but returned ${got}.`);
  }
  return { xs: images as Tensor4D, ys: labels as Tensor2D };
}
