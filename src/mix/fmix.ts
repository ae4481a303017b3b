import { type Tensor, type Tensor3D, type Tensor4D, type TensorLike, reshape, tensor3d, tidy } from '@tensorflow/tfjs-core';

import { assertExactOnBackend } from '../kernels/precision.js';
import { type ResolvedOptions, resolveOptions } from '../options.js';
import { FMIX_SAMPLING_OPTIONS, type FMixParams, drawFMixParams } from '../sampling/fmix.js';
import { samplingOf } from '../sampling/params.js';
import { paramTensors, pasteMask } from './blend.js';
import { LABEL_OPTIONS, type Labels, toImages, toMixInputs } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import { assertFMixParamsFit } from './params_fit.js';
import type { FMixOptions, FMixResult } from './types.js';

/**
 * FMix (Harris et al., 2020): each sample's partner shows through a free-form binary mask cut
 * from low-frequency Fourier noise: a Gaussian random field whose spectrum falls as 1/f^δ
 * (`decay`, default 3), of which the ⌈(1 − λ)·H·W⌉ highest pixels (ties to the lower index) show
 * the partner, λ ~ Beta(alpha, alpha). lambda is the exact share of pixels each sample keeps.
 *
 * The masks are drawn on the CPU from the seeded stream, like every other parameter, and
 * uploaded: an exact count of pixels needs an exact selection, which no tfjs op gives alike on
 * every backend, and tfjs has no FFT on wasm (and a direct O(n²) one on cpu). The noise keeps
 * the frequencies that carry all but 10⁻⁵ of its variance (see `scripts/measure-fmix.ts`).
 *
 * A pure tensor op: the inputs are neither disposed nor changed, nothing is read back from the
 * device, and the number of kernels does not depend on the batch size.
 *
 * @param images - `[B, H, W, C]`, float32 or int32 (the dtype is kept).
 * @param labels - int32 class ids `[B]` (with `options.numClasses`) or one-hot / soft labels `[B, K]`.
 * @param options - See {@link FMixOptions}.
 * @returns `{ images, labels, lambda, partners, masks }`, all owned by the caller.
 *
 * @example
 * ```ts fragment
 * const mixed = fmix(xs, ys, { numClasses: 10, decay: 3, mode: 'elem', seed: 6 });
 * console.log(mixed.lambda.arraySync()); // the exact share of each image kept; mixed.masks shows where
 * tf.dispose(mixed);
 * ```
 * @public
 */
export function fmix(images: Tensor | TensorLike, labels: Labels, options?: FMixOptions): FMixResult {
  return fmixWith('fmix', images, labels, resolveOptions('fmix', FMIX_OPTIONS, options));
}

/** {@link FMixOptions}: defaults and rules. */
export const FMIX_OPTIONS = { ...FMIX_SAMPLING_OPTIONS, ...LABEL_OPTIONS };

/** An {@link fmix} whose options were resolved beforehand: the work of one call. */
export function fmixWith(op: string, images: Tensor | TensorLike, labels: Labels, options: ResolvedOptions<typeof FMIX_OPTIONS>): FMixResult {
  const sampling = samplingOf(options);
  return tidy(() => {
    const { x, y, batchSize, height, width } = toMixInputs(op, images, labels, options);
    const params = drawFMixParams(batchSize, height, width, sampling, options.decay);
    const masks = maskTensor(params);
    return {
      images: pasteMask(x, params.partners, masks) as Tensor4D,
      labels: mixSoftLabels(y, options.labelSmoothing, params.partners, params.lambda),
      ...paramTensors(params),
      masks,
    };
  });
}

/**
 * Applies FMix parameters to a batch: where `params.masks` is set, the pixels of
 * `x[partners[i]]`, elsewhere those of `x[i]`. Use it to apply the mix that
 * {@link sampleFMixParams} drew to the images and again to their segmentation masks.
 *
 * @param images - `[B, H, W, C]` or `[B, H, W]` of the size the parameters were drawn for, float32 or int32 (the dtype is kept).
 * @param params - From {@link sampleFMixParams}.
 * @returns The mixed tensor, same shape and dtype as `images`.
 *
 * @example
 * ```ts fragment
 * const params = sampleFMixParams(images.shape, { seed: 9 });
 * const mixedImages = applyFMix(images, params); // the same as fmix(images, …, { seed: 9 }).images
 * const mixedMasks = applyFMix(masks, params); // masks: int32 [B, H, W]
 * tf.dispose([mixedImages, mixedMasks]);
 * ```
 * @public
 */
export function applyFMix<T extends Tensor>(images: T | TensorLike, params: FMixParams): T {
  const op = 'applyFMix';
  return tidy(() => {
    const x = toImages(op, 'images', images, true);
    const [batchSize, height, width] = x.shape as [number, number, number];
    assertFMixParamsFit(op, params, batchSize, height, width);
    assertExactOnBackend(op, { batch: batchSize, height, width });
    const x4 = x.rank === 3 ? reshape(x, [batchSize, height, width, 1]) : x;
    const mixed = pasteMask(x4, params.partners, maskTensor(params));
    return (x.rank === 3 ? reshape(mixed, x.shape) : mixed) as T;
  });
}

/** The masks as the bool `[B, H, W]` tensor of the results. */
function maskTensor(params: FMixParams): Tensor3D {
  return tensor3d(params.masks, [params.partners.length, params.height, params.width], 'bool');
}
