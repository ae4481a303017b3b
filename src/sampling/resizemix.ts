// The random parameters of ResizeMix: drawn on the CPU, apart from their application (src/mix/resizemix.ts).
import { resolveOptions, withDefault } from '../options.js';
import { type Box, EMPTY_BOX, boxArea, sampleScaledBox } from './boxes.js';
import type { Rng } from './rng.js';
import { type CutMixParams, type ResolvedSampling, SAMPLING_OPTIONS, type SamplingOptions, fractionRangeOption, imageShape, sampleDecisions, samplingOf } from './params.js';

/**
 * Options of {@link sampleResizeMixParams}.
 * @public
 */
export interface ResizeMixSamplingOptions extends Omit<SamplingOptions, 'alpha'> {
  /**
   * The partner is scaled down by τ drawn uniformly from `[lo, hi]`, `0 < lo <= hi <= 1`, per
   * batch or per sample as `mode` says. Default `[0.1, 0.8]`, the paper's.
   */
  scale?: readonly [number, number];
}

/**
 * Parameters of a ResizeMix: for each sample, the box `[y0, x0, y1, x1]` the whole partner is
 * scaled into (its size is ⌊τ·H⌋ × ⌊τ·W⌋) and lambda, the share of pixels the box leaves.
 * @public
 */
export interface ResizeMixParams extends CutMixParams {}

/** {@link ResizeMixSamplingOptions}: defaults and rules. */
export const RESIZEMIX_SAMPLING_OPTIONS = {
  prob: SAMPLING_OPTIONS.prob,
  mode: SAMPLING_OPTIONS.mode,
  partner: SAMPLING_OPTIONS.partner,
  seed: SAMPLING_OPTIONS.seed,
  scale: withDefault(fractionRangeOption(), [0.1, 0.8] as const),
};

/**
 * Draws the parameters of a {@link resizeMix} on images of shape `[B, H, W, ...]`: partners, and
 * per batch or per sample a scale τ uniform in `options.scale`, the box ⌊τ·H⌋ × ⌊τ·W⌋ (at least
 * one pixel a side) the whole partner is scaled into, placed wholly inside the image at an origin
 * uniform over every origin where it fits, and lambda = 1 − (pixels in the box) / (H·W), exact.
 *
 * The draw order: the partners, then for the batch or each sample one uniform for `prob`, one
 * for τ, then the box's row and column.
 *
 * @param shape - The images' shape, `[B, H, W]` or `[B, H, W, C]` (`images.shape` works).
 * @param options - See {@link ResizeMixSamplingOptions}.
 * @returns Plain arrays; apply them with {@link applyResizeMix} and {@link mixLabels}.
 *
 * @example
 * ```ts fragment
 * const params = sampleResizeMixParams(images.shape, { scale: [0.3, 0.6], mode: 'elem', seed: 4 });
 * const mixedImages = applyResizeMix(images, params); // bilinear
 * const mixedMasks = applyResizeMix(masks, params); // int32 masks: nearest, so class ids stay class ids
 * tf.dispose([mixedImages, mixedMasks]);
 * ```
 * @public
 */
export function sampleResizeMixParams(shape: readonly number[], options?: ResizeMixSamplingOptions): ResizeMixParams {
  const op = 'sampleResizeMixParams';
  const opts = resolveOptions(op, RESIZEMIX_SAMPLING_OPTIONS, options);
  const [batchSize, height, width] = imageShape(op, shape);
  return drawResizeMixParams(batchSize, height, width, samplingOf(opts), opts.scale);
}

/** {@link sampleResizeMixParams} on validated options. */
export function drawResizeMixParams(batchSize: number, height: number, width: number, sampling: ResolvedSampling, scale: readonly [number, number]): ResizeMixParams {
  const { partners, draws } = sampleDecisions(batchSize, sampling, () => drawResizeBox(sampling.rng, height, width, scale));
  const boxes = draws.map((box) => box ?? EMPTY_BOX);
  const lambda = boxes.map((box) => Math.fround(1 - boxArea(box) / (height * width)));
  return { partners, lambda, boxes, height, width };
}

/** ResizeMix's draw for one decision: τ uniform in `[lo, hi]`, then the box it gives, placed. */
export function drawResizeBox(rng: Rng, height: number, width: number, [lo, hi]: readonly [number, number]): Box {
  return sampleScaledBox(rng, height, width, lo + (hi - lo) * rng.uniform());
}
