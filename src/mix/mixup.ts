import { type Tensor, type Tensor4D, type TensorLike, tidy } from '@tensorflow/tfjs-core';

import { type ResolvedOptions, resolveOptions } from '../options.js';
import { type MixParams, SAMPLING_OPTIONS, drawMixupParams, samplingOf } from '../sampling/params.js';
import { assertExactOnBackend } from '../kernels/precision.js';
import { blend, paramTensors } from './blend.js';
import { LABEL_OPTIONS, type Labels, toBatch, toImages, toSoftLabels } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import { assertParamsFit } from './params_fit.js';
import type { MixResult, MixupOptions } from './types.js';

/**
 * Mixup (Zhang et al., 2018): each output sample is `lambda·x[i] + (1 − lambda)·x[partners[i]]`
 * with lambda ~ Beta(alpha, alpha), and its label the same blend of the two labels.
 *
 * A pure tensor op: the inputs are neither disposed nor changed, nothing is read back from the
 * device, and the number of kernels does not depend on the batch size.
 *
 * @param images - `[B, H, W, C]`, float32 or int32 (the result is float32: int32 values are
 *   blended in float32, exact up to 2^24, so for any 8- or 16-bit image; above it the last bit
 *   may differ between backends), a tensor or nested arrays.
 * @param labels - int32 class ids `[B]` (with `options.numClasses`) or one-hot / soft labels `[B, K]`.
 * @param options - See {@link MixupOptions}.
 * @returns `{ images, labels, lambda, partners }`, all owned by the caller.
 *
 * @example
 * ```ts fragment
 * const mixed = mixup(xs, ys, { numClasses: 10, alpha: 0.2, seed: 0 });
 * await model.trainOnBatch(mixed.images, mixed.labels);
 * tf.dispose(mixed); // images, labels, lambda and partners
 * ```
 * @public
 */
export function mixup(images: Tensor | TensorLike, labels: Labels, options?: MixupOptions): MixResult {
  return mixupWith('mixup', images, labels, resolveOptions('mixup', MIXUP_OPTIONS, options));
}

/** {@link MixupOptions}: defaults and rules. */
export const MIXUP_OPTIONS = { ...SAMPLING_OPTIONS, ...LABEL_OPTIONS };

/** A {@link mixup} whose options were resolved beforehand: the work of one call. */
export function mixupWith(op: string, images: Tensor | TensorLike, labels: Labels, options: ResolvedOptions<typeof MIXUP_OPTIONS>): MixResult {
  const sampling = samplingOf(options);
  return tidy(() => {
    const x = toBatch(op, images);
    assertExactOnBackend(op, { batch: x.shape[0] });
    const y = toSoftLabels(op, labels, x.shape[0], options);
    const params = drawMixupParams(x.shape[0], sampling);
    return {
      images: blend(x, params.partners, params.lambda) as Tensor4D,
      labels: mixSoftLabels(y, options.labelSmoothing, params.partners, params.lambda),
      ...paramTensors(params),
    };
  });
}

/**
 * Applies mixup parameters to a batch: `lambda[i]·x[i] + (1 − lambda[i])·x[partners[i]]`.
 * Use it to apply the mix that {@link sampleMixupParams} drew to the images and again to a
 * second tensor of the same batch (a depth map, a soft mask).
 *
 * @param images - `[B, H, W, C]` or `[B, H, W]`, float32 or int32 (the result is float32; int32
 *   values above 2^24 are not exact in it, see {@link mixup}).
 * @param params - From {@link sampleMixupParams}, with B entries.
 * @returns The blended tensor, float32, same shape as `images`.
 *
 * @example
 * ```ts fragment
 * const params = sampleMixupParams(images.shape, { seed: 1 }); // or the batch size
 * const mixed = applyMixup(images, params);
 * mixed.dispose();
 * ```
 * @public
 */
export function applyMixup<T extends Tensor>(images: T | TensorLike, params: MixParams): T {
  const op = 'applyMixup';
  return tidy(() => {
    const x = toImages(op, 'images', images, true);
    assertParamsFit(op, params, x.shape[0]);
    assertExactOnBackend(op, { batch: x.shape[0] });
    return blend(x, params.partners, params.lambda) as T;
  });
}
