import { type Tensor, type Tensor4D, type TensorLike, cast, reshape, tidy } from '@tensorflow/tfjs-core';

import { assertExactOnBackend } from '../kernels/precision.js';
import { boxesTensor } from '../masks/box_mask.js';
import { type ResolvedOptions, oneOfOption, resolveOptions } from '../options.js';
import { samplingOf } from '../sampling/params.js';
import { RESIZEMIX_SAMPLING_OPTIONS, type ResizeMixParams, drawResizeMixParams } from '../sampling/resizemix.js';
import { paramTensors } from './blend.js';
import { LABEL_OPTIONS, type Labels, toImages, toMixInputs } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import { assertCutMixParamsFit } from './params_fit.js';
import { resizePaste } from './resize_paste.js';
import type { ResizeInterpolation, ResizeMixOptions, ResizeMixResult } from './types.js';

/**
 * ResizeMix (Qin et al., 2020): each sample's partner, scaled down as a whole by a factor τ drawn
 * from `options.scale` (default the paper's `[0.1, 0.8]`), is pasted at a random place inside
 * the image, so that the pasted part always shows the whole partner, object and all. lambda is
 * the exact share of pixels each sample keeps, 1 − ⌊τH⌋·⌊τW⌋ / (H·W).
 *
 * The partner is scaled into its box for the whole batch at once (per-sample scales in one fused
 * kernel or shader pass on cpu, wasm, webgl and webgpu, a fixed handful of gathers and multiplies
 * elsewhere): bilinear with half-pixel centres, each output pixel the weighted mean of the four
 * partner pixels around the point it stands for (no antialiasing, as PyTorch's `interpolate` and
 * OpenMixup's ResizeMix).
 *
 * A pure tensor op: the inputs are neither disposed nor changed, nothing is read back from the
 * device, and the number of kernels does not depend on the batch size.
 *
 * @param images - `[B, H, W, C]`, float32 or int32 (bilinear makes the result float32; nearest keeps the dtype).
 * @param labels - int32 class ids `[B]` (with `options.numClasses`) or one-hot / soft labels `[B, K]`.
 * @param options - See {@link ResizeMixOptions}.
 * @returns `{ images, labels, lambda, partners, boxes }`, all owned by the caller.
 *
 * @example
 * ```ts fragment
 * const mixed = resizeMix(xs, ys, { numClasses: 10, scale: [0.1, 0.8], mode: 'elem', seed: 3 });
 * console.log(mixed.boxes.arraySync()); // where each partner went, scaled down; lambda = 1 − box area / (H·W)
 * tf.dispose(mixed);
 * ```
 * @public
 */
export function resizeMix(images: Tensor | TensorLike, labels: Labels, options?: ResizeMixOptions): ResizeMixResult {
  return resizeMixWith('resizeMix', images, labels, resolveOptions('resizeMix', RESIZEMIX_OPTIONS, options));
}

const INTERPOLATION_OPTION = oneOfOption<ResizeInterpolation>(['bilinear', 'nearest']);

/** {@link ResizeMixOptions}: defaults and rules. */
export const RESIZEMIX_OPTIONS = { ...RESIZEMIX_SAMPLING_OPTIONS, interpolation: INTERPOLATION_OPTION, ...LABEL_OPTIONS };

/** A {@link resizeMix} whose options were resolved beforehand: the work of one call. */
export function resizeMixWith(op: string, images: Tensor | TensorLike, labels: Labels, options: ResolvedOptions<typeof RESIZEMIX_OPTIONS>): ResizeMixResult {
  const sampling = samplingOf(options);
  return tidy(() => {
    const { x, y, batchSize, height, width } = toMixInputs(op, images, labels, options);
    const params = drawResizeMixParams(batchSize, height, width, sampling, options.scale);
    return {
      images: scaleInto(x, params, options.interpolation) as Tensor4D,
      labels: mixSoftLabels(y, options.labelSmoothing, params.partners, params.lambda),
      ...paramTensors(params),
      boxes: boxesTensor(params.boxes),
    };
  });
}

/**
 * Applies ResizeMix parameters to a batch: inside `params.boxes[i]` the whole of
 * `x[partners[i]]` scaled into the box, elsewhere `x[i]`. Use it to apply the mix that
 * {@link sampleResizeMixParams} drew to the images and again to their segmentation masks (int32
 * masks are scaled by nearest neighbour by default, so class ids stay class ids).
 *
 * @param images - `[B, H, W, C]` or `[B, H, W]` of the size the parameters were drawn for, float32 or int32.
 * @param params - From {@link sampleResizeMixParams}.
 * @param options - `interpolation`: `'bilinear'` (float32 result) or `'nearest'` (dtype kept);
 *   default `'bilinear'` for float32 and `'nearest'` for int32, as {@link resizeMix} does.
 * @returns The mixed tensor, the shape of `images`.
 *
 * @example
 * ```ts fragment
 * const params = sampleResizeMixParams(images.shape, { seed: 5 });
 * const mixedImages = applyResizeMix(images, params); // the same as resizeMix(images, …, { seed: 5 }).images
 * const mixedMasks = applyResizeMix(masks, params); // int32 [B, H, W]: nearest, still int32
 * tf.dispose([mixedImages, mixedMasks]);
 * ```
 * @public
 */
export function applyResizeMix<T extends Tensor>(images: T | TensorLike, params: ResizeMixParams, options?: { interpolation?: ResizeInterpolation }): T {
  const op = 'applyResizeMix';
  const { interpolation } = resolveOptions(op, { interpolation: INTERPOLATION_OPTION }, options);
  return tidy(() => {
    const x = toImages(op, 'images', images, true);
    const [batchSize, height, width] = x.shape as [number, number, number];
    assertCutMixParamsFit(op, params, batchSize, height, width);
    assertExactOnBackend(op, { batch: batchSize, height, width });
    return scaleInto(x, params, interpolation) as T;
  });
}

/** `x` (`[B, H, W, C]` or `[B, H, W]`) with each partner scaled into its box; bilinear unless asked otherwise, or the images are int32. */
function scaleInto(x: Tensor, params: ResizeMixParams, interpolation: ResizeInterpolation | undefined): Tensor {
  const bilinear = (interpolation ?? (x.dtype === 'int32' ? 'nearest' : 'bilinear')) === 'bilinear';
  const [batch, height, width] = x.shape as [number, number, number];
  const source = bilinear && x.dtype !== 'float32' ? cast(x, 'float32') : x;
  const x4 = x.rank === 3 ? reshape(source, [batch, height, width, 1]) : source;
  const mixed = resizePaste(x4, params.partners, params.boxes, bilinear);
  return x.rank === 3 ? reshape(mixed, x.shape) : mixed;
}
