// The random parameters of SaliencyMix: the partners and the size of each box, drawn on the CPU.
// Where a box goes is the partner's attention peak, found on the device (src/mix/saliencymix.ts).
import { resolveOptions } from '../options.js';
import { sampleBeta } from './beta.js';
import { cutMixSize } from './boxes.js';
import type { Rng } from './rng.js';
import { type ResolvedSampling, SAMPLING_OPTIONS, type SamplingOptions, imageShape, sampleDecisions, samplingOf } from './params.js';

/**
 * Parameters of a SaliencyMix drawn before the attention is known: each sample's partner and the
 * size of the box centred on the partner's attention peak, before it is clipped to the image.
 * @public
 */
export interface SaliencyMixParams {
  /** Index of each sample's partner. */
  readonly partners: readonly number[];
  /** `[h, w]` of each sample's box, ⌊H·√(1−λ)⌋ × ⌊W·√(1−λ)⌋ with λ ~ Beta(alpha, alpha); `[0, 0]` where nothing is pasted. */
  readonly sizes: readonly (readonly [number, number])[];
  /** Image height the sizes were drawn for. */
  readonly height: number;
  /** Image width the sizes were drawn for. */
  readonly width: number;
}

/**
 * Draws the parameters of a {@link saliencyMix} on images of shape `[B, H, W, ...]`: partners,
 * and per batch or per sample lambda ~ Beta(alpha, alpha) and from it the box size ⌊H·√(1−λ)⌋ ×
 * ⌊W·√(1−λ)⌋, as CutMix draws it. The box's place (centred on the partner's attention peak),
 * its clipping and the exact lambda follow from the attention, in {@link applySaliencyMix}.
 *
 * The draw order: the partners, then for the batch or each sample one uniform for `prob`, then lambda.
 *
 * @param shape - The images' shape, `[B, H, W]` or `[B, H, W, C]` (`images.shape` works).
 * @param options - See {@link SamplingOptions}.
 * @returns Plain arrays; apply them with {@link applySaliencyMix}.
 *
 * @example
 * ```ts fragment
 * const maps = saliencyExtractor().extract(images) as tf.Tensor3D; // the images' attention, kept to replay the mix
 * const params = sampleSaliencyMixParams(images.shape, { mode: 'elem', seed: 8 });
 * const mixedImages = applySaliencyMix(images, params, maps);
 * const mixedMasks = applySaliencyMix(masks, params, maps); // the same boxes on int32 masks [B, H, W]
 * tf.dispose([maps, mixedImages, mixedMasks]);
 * ```
 * @public
 */
export function sampleSaliencyMixParams(shape: readonly number[], options?: SamplingOptions): SaliencyMixParams {
  const op = 'sampleSaliencyMixParams';
  const opts = resolveOptions(op, SAMPLING_OPTIONS, options);
  const [batchSize, height, width] = imageShape(op, shape);
  return drawSaliencyMixParams(batchSize, height, width, samplingOf(opts));
}

/** {@link sampleSaliencyMixParams} on validated options. */
export function drawSaliencyMixParams(batchSize: number, height: number, width: number, sampling: ResolvedSampling): SaliencyMixParams {
  const { partners, draws } = sampleDecisions(batchSize, sampling, () => drawSaliencySize(sampling.rng, height, width, sampling.alpha));
  const sizes = draws.map((size) => (size === null || size[0] * size[1] === 0 ? ([0, 0] as const) : size));
  return { partners, sizes, height, width };
}

/** SaliencyMix's draw for one decision: lambda ~ Beta(alpha, alpha), and the CutMix box size it gives. */
export function drawSaliencySize(rng: Rng, height: number, width: number, alpha: number): [number, number] {
  return cutMixSize(height, width, sampleBeta(rng, alpha, alpha));
}
