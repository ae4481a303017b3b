import { type Tensor, type Tensor2D, type Tensor3D, type Tensor4D, type TensorLike, Tensor as TensorClass, reshape, tidy } from '@tensorflow/tfjs-core';

import { type AttentionExtractor, assertAttentionSource, batchAttention } from '../attention/extractor.js';
import { saliencyExtractor } from '../attention/saliency.js';
import { peakBoxes } from '../cells/peak_boxes.js';
import { assertExactOnBackend } from '../kernels/precision.js';
import { boxMask } from '../masks/box_mask.js';
import { type ResolvedOptions, resolveOptions } from '../options.js';
import { SAMPLING_OPTIONS, samplingOf } from '../sampling/params.js';
import { type SaliencyMixParams, drawSaliencyMixParams } from '../sampling/saliencymix.js';
import { argumentError } from '../validation.js';
import { partnerTensor, paste } from './blend.js';
import { LABEL_OPTIONS, type Labels, toImages, toMixInputs } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import { assertSaliencyParamsFit } from './params_fit.js';
import type { SaliencyMixOptions, SaliencyMixResult } from './types.js';

/**
 * SaliencyMix (Uddin et al., ICLR 2021): a CutMix-sized box (⌊H·√(1−λ)⌋ × ⌊W·√(1−λ)⌋, λ ~
 * Beta(alpha, alpha)) centred on the peak of each partner's attention map, clipped to the image,
 * is pasted from the partner at the same place. lambda is recomputed from the clipped box, exact
 * per sample.
 *
 * The attention is taken as {@link attentiveCutMix} takes it: an {@link AttentionExtractor}
 * (default {@link saliencyExtractor}`()`), run once on the batch, or the batch's maps computed
 * beforehand. The peak is the highest value of the partner's map (ties to the lower row-major
 * index on every backend; NaN and ±Infinity below every finite value); map cell (r, c) stands
 * for the image rows `⌊r·H/h⌋ ≤ y < ⌊(r+1)·H/h⌋` (columns alike), and the box is centred on the
 * middle pixel of that span. The peak, the box and lambda are computed on the device: nothing is
 * read back, and the number of kernels does not depend on the batch size (the extractor's own aside).
 *
 * @param images - `[B, H, W, C]`, float32 or int32 (the dtype is kept).
 * @param labels - int32 class ids `[B]` (with `options.numClasses`) or one-hot / soft labels `[B, K]`.
 * @param attention - An {@link AttentionExtractor} (default {@link saliencyExtractor}`()`), or the
 *   batch's float32 attention maps `[B, h, w]`, never disposed.
 * @param options - See {@link SaliencyMixOptions}.
 * @returns `{ images, labels, lambda, partners, boxes }`, all owned by the caller.
 *
 * @example
 * ```ts fragment
 * const mixed = saliencyMix(xs, ys, saliencyExtractor(), { numClasses: 10, mode: 'elem', seed: 1 });
 * console.log(mixed.boxes.arraySync()); // each box centred on its partner's saliency peak
 * tf.dispose(mixed);
 * ```
 * @public
 */
export function saliencyMix(images: Tensor | TensorLike, labels: Labels, attention?: AttentionExtractor | Tensor3D, options?: SaliencyMixOptions): SaliencyMixResult {
  const op = 'saliencyMix';
  const opts = resolveOptions(op, SALIENCYMIX_OPTIONS, options);
  const source = attention ?? saliencyExtractor();
  assertAttentionSource(op, 'attention', source);
  return saliencyMixWith(op, images, labels, source, opts);
}

/** {@link SaliencyMixOptions}: defaults and rules. */
export const SALIENCYMIX_OPTIONS = { ...SAMPLING_OPTIONS, ...LABEL_OPTIONS };

/** A {@link saliencyMix} whose options and attention were checked beforehand: the work of one call. */
export function saliencyMixWith(op: string, images: Tensor | TensorLike, labels: Labels, source: AttentionExtractor | Tensor3D, options: ResolvedOptions<typeof SALIENCYMIX_OPTIONS>): SaliencyMixResult {
  const sampling = samplingOf(options);
  return tidy(() => {
    const { x, y, batchSize, height, width } = toMixInputs(op, images, labels, options);
    const params = drawSaliencyMixParams(batchSize, height, width, sampling);
    const partners = partnerTensor(params.partners);
    const { boxes, lambda } = peakBoxes(batchAttention(op, 'attention', source, x, y), partners, params);
    return {
      images: pasteBoxes(x, params.partners, boxes),
      labels: mixSoftLabels(y, options.labelSmoothing, params.partners, lambda),
      lambda,
      partners,
      boxes,
    };
  });
}

/**
 * Applies SaliencyMix parameters to a batch, with the attention that places the boxes: inside
 * each sample's box (its size from the parameters, centred on the peak of its partner's map)
 * the pixels of `x[partners[i]]`, elsewhere those of `x[i]`. With the images and the maps (or the
 * extractor) {@link saliencyMix} used, it gives its images bit for bit; with the same maps, it
 * gives the images' segmentation masks the same boxes.
 *
 * @param x - `[B, H, W, C]` or `[B, H, W]` of the size the parameters were drawn for, float32 or int32 (the dtype is kept).
 * @param params - From {@link sampleSaliencyMixParams}.
 * @param attention - The images' float32 attention maps `[B, h, w]`, or an {@link AttentionExtractor}
 *   run on `x` (then `x` must be the images `[B, H, W, C]`).
 * @returns The mixed tensor, the shape and dtype of `x`.
 *
 * @example
 * ```ts fragment
 * const maps = saliencyExtractor().extract(images) as tf.Tensor3D;
 * const params = sampleSaliencyMixParams(images.shape, { seed: 4 });
 * const mixedImages = applySaliencyMix(images, params, maps); // saliencyMix(images, …, maps, { seed: 4 }).images
 * const mixedMasks = applySaliencyMix(masks, params, maps); // int32 [B, H, W]: the same boxes
 * tf.dispose([maps, mixedImages, mixedMasks]);
 * ```
 * @public
 */
export function applySaliencyMix<T extends Tensor>(x: T | TensorLike, params: SaliencyMixParams, attention: AttentionExtractor | Tensor3D): T {
  const op = 'applySaliencyMix';
  assertAttentionSource(op, 'attention', attention);
  return tidy(() => {
    const t = toImages(op, 'x', x, true);
    const [batchSize, height, width] = t.shape as [number, number, number];
    assertSaliencyParamsFit(op, params, batchSize, height, width);
    assertExactOnBackend(op, { batch: batchSize, height, width });
    if (t.rank === 3 && !(attention instanceof TensorClass)) {
      throw argumentError(op, 'attention', 'the images\' attention maps (a float32 Tensor3D [B, h, w]) when x is [B, H, W]: an extractor would run on x', 'an AttentionExtractor');
    }
    const x4 = (t.rank === 3 ? reshape(t, [batchSize, height, width, 1]) : t) as Tensor4D;
    const { boxes } = peakBoxes(batchAttention(op, 'attention', attention, x4), partnerTensor(params.partners), params);
    const mixed = pasteBoxes(x4, params.partners, boxes);
    return (t.rank === 3 ? reshape(mixed, t.shape) : mixed) as T;
  });
}

/** `x` `[B, H, W, C]` with the partners' boxes (int32 `[B, 4]`, made on the device) pasted. */
function pasteBoxes<T extends Tensor>(x: T, partners: readonly number[], boxes: Tensor2D): T {
  const [batch, height, width] = x.shape as [number, number, number];
  return paste(x, partners, () => reshape(boxes, [batch, 1, 4]), () => boxMask(boxes, height, width));
}
