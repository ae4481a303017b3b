import { type Tensor, type Tensor2D, type Tensor3D, type Tensor4D, Tensor as TensorClass, mean, reshape } from '@tensorflow/tfjs-core';

import { customOption } from '../options.js';
import { argumentError, describe, errorMessage } from '../validation.js';
import { assertExactOnBackend } from '../kernels/precision.js';

/**
 * Turns a batch of images into one attention map per image. Any object of this shape works: a
 * function over your own `tf.LayersModel` (for example the model being trained, cut at a layer),
 * a graph model ({@link loadAttentionExtractor}), or plain tensor math ({@link saliencyExtractor}).
 *
 * `extract` is called once per mixing call, inside the op's `tf.tidy`: tensors it creates are
 * disposed when the call ends, tensors that existed before it (a cached map) are left alone. It
 * also gets the batch's labels, as they were before mixing: an extractor that needs no labels
 * (most) simply declares one parameter. It must be synchronous (a returned Promise is refused,
 * and its rejection handled) and leave its inputs alone: it is given handles of its own on the
 * batch's data, so one that disposes them is refused with an error and the caller's images stay
 * usable.
 *
 * @example
 * ```ts fragment
 * // The model being trained, cut at its last convolutional layer.
 * const cut = tf.model({ inputs: model.inputs, outputs: model.getLayer('features').output });
 * const extractor: AttentionExtractor = { extract: (images) => cut.predict(images) as tf.Tensor4D };
 * ```
 * @public
 */
export interface AttentionExtractor {
  /**
   * Returns the attention of each image: `[B, h, w]`, or a float32 feature map `[B, h, w, C]`
   * that is reduced to `[B, h, w]` by the mean over channels. Synchronous.
   *
   * @param images - The batch `[B, H, W, C]` as the mixing op was given it (float32 or int32).
   * @param labels - The batch's labels as float32 `[B, K]` (class ids one-hot encoded, no label
   *   smoothing), before mixing; for extractors whose map depends on the class, such as
   *   class activation maps. Absent where no labels are known.
   */
  extract(images: Tensor4D, labels?: Tensor2D): Tensor3D | Tensor4D;
  /** Releases what the extractor holds (model weights). */
  dispose?(): void;
}

/** The rule of every option or argument that takes an {@link AttentionExtractor}. */
export const EXTRACTOR_OPTION = customOption(
  'an AttentionExtractor: an object with an extract(images) method',
  (extractor): extractor is AttentionExtractor => typeof extractor === 'object' && extractor !== null && typeof (extractor as AttentionExtractor).extract === 'function',
  describeNonExtractor,
);

/** A value given where an extractor belongs, for a message; a model, with the function that makes it one. */
function describeNonExtractor(value: unknown): string {
  const model = (value ?? {}) as { predict?: unknown; layers?: unknown; execute?: unknown; executeAsync?: unknown };
  if (typeof model.predict === 'function' && Array.isArray(model.layers)) {
    return `${describe(value)}, a tf.LayersModel, which is a model, not an extractor: pass camExtractor(model) (its class activation maps, for the model being trained) or await loadAttentionExtractor(model) (its feature map, for a pretrained model)`;
  }
  if (typeof model.execute === 'function' && typeof model.executeAsync === 'function') {
    return `${describe(value)}, a graph model, which is a model, not an extractor: pass await loadAttentionExtractor(model), which cuts it at a feature node`;
  }
  return describe(value);
}

/** Checks that the argument `arg` of `op` is an {@link AttentionExtractor}. */
export function assertExtractor(op: string, arg: string, extractor: unknown): asserts extractor is AttentionExtractor {
  EXTRACTOR_OPTION.check(op, arg, extractor);
}

/**
 * Runs the extractor on the batch and checks what it returns, reduced to `[B, h, w]` float32.
 * Call inside a `tidy`.
 */
export function extractAttention(op: string, extractor: AttentionExtractor, images: Tensor4D, labels?: Tensor2D): Tensor3D {
  // The extractor gets handles of its own on the same data (a reshape to the same shape shares the
  // buffer on every backend, where a clone copies it on wasm): one that disposes its inputs then
  // disposes only those handles, never the caller's images or the op's labels.
  const given = { images: reshape(images, images.shape) as Tensor4D, labels: labels && (reshape(labels, labels.shape) as Tensor2D) };
  let output: unknown;
  try {
    output = extractor.extract(given.images, given.labels);
  } catch (e) {
    throw new Error(`The extractor passed to '${op}' threw while extracting attention from images of shape [${images.shape.join(', ')}]: ${errorMessage(e)}`, { cause: e });
  }
  const batchSize = images.shape[0];
  const expected = `a float32 attention map [${batchSize}, h, w] or feature map [${batchSize}, h, w, C]`;
  if (isThenable(output)) {
    // Its rejection is ours to handle: left alone, it ends Node (on wasm even where the caller
    // listens for unhandled rejections, as Emscripten's runtime rethrows them).
    Promise.resolve(output).catch(() => undefined);
    throw new Error(`The extractor passed to '${op}' must return ${expected}, but returned a Promise (extract must be synchronous).`);
  }
  const disposed = (['images', 'labels'] as const).find((input) => given[input]?.isDisposed);
  if (disposed !== undefined) {
    throw new Error(`The extractor passed to '${op}' disposed the ${disposed} it was given; an extractor must leave its inputs alone (the op disposes what the call makes, and the caller keeps its images).`);
  }
  if (!(output instanceof TensorClass) || output.isDisposed) {
    throw new Error(`The extractor passed to '${op}' must return ${expected}, but returned ${output instanceof TensorClass ? 'a disposed tensor' : describe(output)}.`);
  }
  const map = output as Tensor;
  const valid = (map.rank === 3 || map.rank === 4) && map.shape[0] === batchSize && map.dtype === 'float32' && map.shape.every((d) => d > 0);
  if (!valid) throw new Error(`The extractor passed to '${op}' must return ${expected}, but returned ${describe(map)}.`);
  assertExactOnBackend(op, { mapHeight: map.shape[1], mapWidth: map.shape[2] });
  return (map.rank === 4 ? mean(map, 3) : map) as Tensor3D;
}

/**
 * Checks the `arg` of `op` that gives attention: an {@link AttentionExtractor}, or a tensor of
 * maps (checked against the batch by {@link batchAttention}, once the batch is known).
 */
export function assertAttentionSource(op: string, arg: string, attention: unknown): asserts attention is AttentionExtractor | Tensor3D {
  if (attention instanceof TensorClass) return;
  if (typeof attention !== 'object' || attention === null || typeof (attention as AttentionExtractor).extract !== 'function') {
    throw argumentError(op, arg, 'an AttentionExtractor (an object with an extract(images) method) or attention maps (a float32 Tensor3D [B, h, w])', describeNonExtractor(attention));
  }
}

/**
 * The batch's float32 `[B, h, w]` attention: the extractor's output, or the maps given, checked
 * against the batch (they then go through the same pooling and ranking as an extractor's).
 * Call inside a `tidy`; a map given is returned as it is, never disposed.
 */
export function batchAttention(op: string, arg: string, attention: AttentionExtractor | Tensor3D, images: Tensor4D, labels?: Tensor2D): Tensor3D {
  if (!(attention instanceof TensorClass)) return extractAttention(op, attention, images, labels);
  const batchSize = images.shape[0];
  const maps = attention as Tensor;
  if (maps.isDisposed) throw argumentError(op, arg, 'attention maps that are not disposed', 'a disposed tensor');
  if (maps.rank !== 3 || maps.dtype !== 'float32' || maps.shape[0] !== batchSize || maps.shape.some((d) => d === 0)) {
    throw argumentError(op, arg, `attention maps for the batch of ${batchSize}: a float32 tensor [${batchSize}, h, w] with h, w ≥ 1`, describe(maps));
  }
  assertExactOnBackend(op, { mapHeight: maps.shape[1], mapWidth: maps.shape[2] });
  return maps as Tensor3D;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
