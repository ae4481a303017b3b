import type { Tensor1D, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';


import type { CellCount } from '../sampling/cell_count.js';
import type { FMixSamplingOptions } from '../sampling/fmix.js';
import type { CutMixSamplingOptions, SamplingOptions } from '../sampling/params.js';
import type { ResizeMixSamplingOptions } from '../sampling/resizemix.js';
import type { LabelOptions } from './inputs.js';

/**
 * What every mixing op returns. The caller owns all of these tensors: `tf.dispose(result)`
 * releases them together. (A type rather than an interface, so that it is a
 * `tf.TensorContainer` and can be passed to `tf.dispose` and returned from `tf.tidy`.)
 * @public
 */
export type MixResult = {
  /** The mixed batch `[B, H, W, C]`. */
  images: Tensor4D;
  /** Mixed labels, float32 `[B, K]`: `lambda[i]·y[i] + (1 − lambda[i])·y[partners[i]]`. */
  labels: Tensor2D;
  /** float32 `[B]`: the weight of sample i (the base) in output i; 1 where a sample is not mixed. */
  lambda: Tensor1D;
  /** int32 `[B]`: the sample each output was mixed with. */
  partners: Tensor1D;
};

/**
 * What {@link cutMix} returns.
 * @public
 */
export type CutMixResult = MixResult & {
  /** int32 `[B, 4]`: rows `[y0, x0, y1, x1]` of the box pasted from the partner, half-open; zeros where nothing was pasted. */
  boxes: Tensor2D;
};

/**
 * Options of {@link mixup}.
 * @public
 */
export interface MixupOptions extends SamplingOptions, LabelOptions {}

/**
 * Options of {@link cutMix}.
 * @public
 */
export interface CutMixOptions extends CutMixSamplingOptions, LabelOptions {}

/**
 * What {@link attentiveCutMix} returns.
 * @public
 */
export type AttentiveCutMixResult = MixResult & {
  /**
   * int32 `[B, topN]`: row-major indices (r·grid + c) of the partner's cells pasted into each
   * sample, most attended first; −1 where a sample is not mixed. With `topN: { alpha }`,
   * `[B, grid²]`: each sample's drawn number of cells, then −1.
   */
  cells: Tensor2D;
};

/**
 * How {@link attentiveCutMix} weights the labels:
 * - `'area'` (the paper): by pixel share, the partner's weight is 1 − lambda;
 * - `'attention'`: the partner's weight is the share of the partner's attention mass that was pasted.
 * @public
 */
export type LabelMode = 'area' | 'attention';

/**
 * Options of {@link attentiveCutMix}.
 * @public
 */
export interface AttentiveCutMixOptions extends Omit<SamplingOptions, 'alpha'>, LabelOptions {
  /**
   * How many of the partner's most attended cells are pasted: an integer in [0, grid²], or
   * `{ alpha }` to draw it as OpenMixup's AttentiveMix does, per batch or per sample as `mode`
   * says: N = round((1 − λ)·grid²), λ ~ Beta(alpha, alpha), clipped to [1, grid² − 1]. Default 6.
   */
  topN?: CellCount;
  /** The image is cut into grid × grid cells; an integer ≥ 1, at most H and W. Default 7. */
  grid?: number;
  /** How labels are weighted. Default `'area'`. */
  labelMode?: LabelMode;
}

/**
 * How {@link resizeMix} scales the partner down: `'bilinear'` (float32 result) or `'nearest'`
 * (the dtype kept: for int32 masks, whose class ids must not be blended).
 * @public
 */
export type ResizeInterpolation = 'bilinear' | 'nearest';

/**
 * Options of {@link resizeMix}.
 * @public
 */
export interface ResizeMixOptions extends ResizeMixSamplingOptions, LabelOptions {
  /** How the partner is scaled down. Default `'bilinear'` for float32 images, `'nearest'` for int32 ones (which then stay int32). */
  interpolation?: ResizeInterpolation;
}

/**
 * What {@link resizeMix} returns.
 * @public
 */
export type ResizeMixResult = MixResult & {
  /** int32 `[B, 4]`: rows `[y0, x0, y1, x1]` of the box the whole partner was scaled into, half-open; zeros where nothing was pasted. */
  boxes: Tensor2D;
};

/**
 * Options of {@link saliencyMix}.
 * @public
 */
export interface SaliencyMixOptions extends SamplingOptions, LabelOptions {}

/**
 * What {@link saliencyMix} returns.
 * @public
 */
export type SaliencyMixResult = MixResult & {
  /** int32 `[B, 4]`: rows `[y0, x0, y1, x1]` of the box pasted from the partner, centred on its attention peak and clipped to the image, half-open; zeros where nothing was pasted. */
  boxes: Tensor2D;
};

/**
 * Options of {@link fmix}.
 * @public
 */
export interface FMixOptions extends FMixSamplingOptions, LabelOptions {}

/**
 * What {@link fmix} returns.
 * @public
 */
export type FMixResult = MixResult & {
  /** bool `[B, H, W]`: true where the partner's pixel shows; all false where nothing was pasted. */
  masks: Tensor3D;
};
