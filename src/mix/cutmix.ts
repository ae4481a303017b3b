import { type Tensor, type TensorLike, reshape, tensor3d, tidy } from '@tensorflow/tfjs-core';

import { boxMask, boxesTensor } from '../masks/box_mask.js';
import { type ResolvedOptions, resolveOptions } from '../options.js';
import { CUTMIX_SAMPLING_OPTIONS, type CutMixParams, drawCutMixParams, samplingOf } from '../sampling/params.js';
import { assertExactOnBackend } from '../kernels/precision.js';
import { paramTensors, paste } from './blend.js';
import { LABEL_OPTIONS, type Labels, toImages, toMixInputs } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import { assertCutMixParamsFit } from './params_fit.js';
import type { CutMixOptions, CutMixResult } from './types.js';

/**
 * CutMix (Yun et al., 2019): a box of each sample's partner is pasted at the same place, and
 * the labels are weighted by the pixel share each image keeps. lambda is recomputed from the
 * real pasted pixel count after the box is clipped to the image, so it is exact per sample.
 *
 * A pure tensor op: the inputs are neither disposed nor changed, nothing is read back from the
 * device, and the number of kernels does not depend on the batch size.
 *
 * @param images - `[B, H, W, C]`, float32 or int32 (the dtype is kept).
 * @param labels - int32 class ids `[B]` (with `options.numClasses`) or one-hot / soft labels `[B, K]`.
 * @param options - See {@link CutMixOptions}.
 * @returns `{ images, labels, lambda, partners, boxes }`, all owned by the caller.
 *
 * @example
 * ```ts fragment
 * const batch = tf.randomUniform([8, 32, 32, 3]);
 * const ids = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
 * const mixed = cutMix(batch, ids, { numClasses: 10, seed: 42 }); // images, labels, lambda, partners, boxes
 * tf.dispose([batch, ids, mixed]);
 * ```
 * @public
 */
export function cutMix(images: Tensor | TensorLike, labels: Labels, options?: CutMixOptions): CutMixResult {
  return cutMixWith('cutMix', images, labels, resolveOptions('cutMix', CUTMIX_OPTIONS, options));
}

/** {@link CutMixOptions}: defaults and rules. */
export const CUTMIX_OPTIONS = { ...CUTMIX_SAMPLING_OPTIONS, ...LABEL_OPTIONS };

/** A {@link cutMix} whose options were resolved beforehand: the work of one call. */
export function cutMixWith(op: string, images: Tensor | TensorLike, labels: Labels, options: ResolvedOptions<typeof CUTMIX_OPTIONS>): CutMixResult {
  const sampling = samplingOf(options);
  return tidy(() => {
    const { x, y, batchSize, height, width } = toMixInputs(op, images, labels, options);
    const params = drawCutMixParams(batchSize, height, width, sampling, options.minMax);
    return {
      images: pasteBoxes(x, params),
      labels: mixSoftLabels(y, options.labelSmoothing, params.partners, params.lambda),
      ...paramTensors(params),
      boxes: boxesTensor(params.boxes),
    };
  });
}

/**
 * Applies CutMix parameters to a batch: inside `params.boxes[i]` the pixels of
 * `x[partners[i]]`, elsewhere those of `x[i]`. Use it to apply the mix that
 * {@link sampleCutMixParams} drew to the images and again to their segmentation masks.
 *
 * @param images - `[B, H, W, C]` or `[B, H, W]` of the size the parameters were drawn for, float32 or int32 (the dtype is kept).
 * @param params - From {@link sampleCutMixParams}.
 * @returns The mixed tensor, same shape and dtype as `images`.
 *
 * @example
 * ```ts fragment
 * const params = sampleCutMixParams(images.shape, { seed: 5 });
 * const mixedImages = applyCutMix(images, params);
 * const mixedMasks = applyCutMix(masks, params); // masks: int32 [B, H, W]
 * tf.dispose([mixedImages, mixedMasks]);
 * ```
 * @public
 */
export function applyCutMix<T extends Tensor>(images: T | TensorLike, params: CutMixParams): T {
  const op = 'applyCutMix';
  return tidy(() => {
    const x = toImages(op, 'images', images, true);
    const [batchSize, height, width] = x.shape as [number, number, number];
    assertCutMixParamsFit(op, params, batchSize, height, width);
    assertExactOnBackend(op, { batch: batchSize, height, width });
    return pasteBoxes(x, params) as T;
  });
}

function pasteBoxes<T extends Tensor>(x: T, params: CutMixParams): T {
  const [batch, height, width] = x.shape as [number, number, number];
  const x4 = x.rank === 3 ? reshape(x, [batch, height, width, 1]) : x;
  const pasted = paste(
    x4,
    params.partners,
    () => tensor3d(Int32Array.from(params.boxes.flat()), [batch, 1, 4], 'int32'),
    () => boxMask(params.boxes, height, width),
  );
  return (x.rank === 3 ? reshape(pasted, x.shape) : pasted) as T;
}
