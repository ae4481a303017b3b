import { customOption, numberOption, oneOfOption, resolveOptions } from '../options.js';
import { argumentError, assertNumber, describe } from '../validation.js';
import { sampleBeta } from './beta.js';
import { type Box, EMPTY_BOX, boxArea, sampleCenteredBox, sampleMinMaxBox } from './boxes.js';
import { PARTNER_STRATEGIES, type PartnerStrategy, samplePartners } from './partners.js';
import { type Rng, type Seed, isRng, toRng } from './rng.js';

/**
 * `'batch'`: one lambda (and for cutMix one box) and one mix-or-not decision for the whole batch;
 * `'elem'`: one of each per sample.
 * @public
 */
export type MixMode = 'batch' | 'elem';

/**
 * Options that control how mixing parameters are drawn; shared by every function.
 * @public
 */
export interface SamplingOptions {
  /** Lambda is drawn from Beta(alpha, alpha); any positive number (a subnormal one gives lambda 0 or 1, Beta's limit). Default 1 (uniform). */
  alpha?: number;
  /** Chance that the batch (`'batch'` mode) or a sample (`'elem'` mode) is mixed at all, in [0, 1]. Default 1. */
  prob?: number;
  /** One set of parameters per batch or per sample. Default `'batch'`. */
  mode?: MixMode;
  /** How partners are chosen. Default `'shuffle'`. */
  partner?: PartnerStrategy;
  /**
   * A {@link Seed} for a reproducible call, or an {@link Rng} (from {@link createRng}) shared by
   * consecutive calls. Default: unpredictable.
   */
  seed?: Seed | Rng;
}

/**
 * Options of {@link sampleCutMixParams}.
 * @public
 */
export interface CutMixSamplingOptions extends SamplingOptions {
  /**
   * Draw box height and width independently as fractions of H and W in `[lo, hi]`, with
   * `0 < lo <= hi <= 1`, instead of from lambda (timm's `cutmix_minmax`); `alpha` is then unused.
   */
  minMax?: readonly [number, number];
}

/**
 * Parameters of one mix, as plain arrays on the CPU: sample i of the output mixes sample i
 * (the base) with sample `partners[i]`, and `lambda[i]` is the base's weight.
 * @public
 */
export interface MixParams {
  /** Weight of the base sample, per sample, rounded to float32 exactly as the result tensor holds it. */
  readonly lambda: readonly number[];
  /** Index of each sample's partner. */
  readonly partners: readonly number[];
}

/**
 * Parameters of a CutMix: the pasted box of each sample, and lambda computed from its real area.
 * @public
 */
export interface CutMixParams extends MixParams {
  /** Box pasted from the partner, per sample; `[0, 0, 0, 0]` where nothing is pasted. */
  readonly boxes: readonly Box[];
  /** Image height the boxes were drawn for. */
  readonly height: number;
  /** Image width the boxes were drawn for. */
  readonly width: number;
}

/** The rule of every `seed` option: a seed, or an Rng to share. */
export const SEED_OPTION = customOption<Seed | Rng>(
  'a finite number, a string or an Rng from createRng()',
  (seed): seed is Seed | Rng => isRng(seed) || typeof seed === 'string' || (typeof seed === 'number' && Number.isFinite(seed)),
);

/** {@link SamplingOptions}: defaults and rules. */
export const SAMPLING_OPTIONS = {
  alpha: numberOption({ default: 1, min: 0, minExclusive: true }),
  prob: numberOption({ default: 1, min: 0, max: 1 }),
  mode: oneOfOption<MixMode>(['batch', 'elem'], 'batch'),
  partner: oneOfOption(PARTNER_STRATEGIES, 'shuffle'),
  seed: SEED_OPTION,
};

/** {@link CutMixSamplingOptions}: the sampling options and `minMax`. */
export const CUTMIX_SAMPLING_OPTIONS = {
  ...SAMPLING_OPTIONS,
  minMax: fractionRangeOption(),
};

/** An option `[lo, hi]` of fractions of the image side, `0 < lo <= hi <= 1` (no default). */
export function fractionRangeOption() {
  return customOption<readonly [number, number]>(
    '[lo, hi] with 0 < lo <= hi <= 1',
    (v): v is [number, number] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'number' && v[0] > 0 && v[1] <= 1 && v[0] <= v[1],
    describePair,
  );
}

/** Sampling options after validation and defaults, with the seed made a stream. */
export interface ResolvedSampling {
  alpha: number;
  prob: number;
  mode: MixMode;
  partner: PartnerStrategy;
  rng: Rng;
}

/**
 * The sampling of options already checked (by {@link resolveOptions} against a table holding
 * the sampling options): the seed made a stream, a call's own unless it is an Rng.
 */
export function samplingOf(options: { alpha?: number; prob: number; mode: MixMode; partner: PartnerStrategy; seed: Seed | Rng | undefined }): ResolvedSampling {
  const { alpha = 1, prob, mode, partner, seed } = options;
  return { alpha, prob, mode, partner, rng: toRng(seed) };
}

/** A value as a message shows it: `[0.5, 0.2]` for an array, else as {@link describe} says it. */
export function describePair(value: unknown): string {
  return Array.isArray(value) ? `[${value.map(describe).join(', ')}]` : describe(value);
}

/**
 * Draws the partners and, for each sample, either a value from `draw` (mixed) or `null`
 * (unmixed). The draw order is fixed: partners, then for each decision one uniform for `prob`
 * followed by `draw()`, which is called even when the decision is "unmixed", so that changing
 * `prob` leaves the parameters of the samples that are still mixed unchanged.
 *
 * A sample paired with itself (the middle of an odd batch with `'flip'`, the only sample of a
 * batch of one; `'shuffle'` pairs none) is unmixed: nothing of another image reaches it.
 */
export function sampleDecisions<T>(batchSize: number, sampling: ResolvedSampling, draw: () => T): { partners: number[]; draws: (T | null)[] } {
  const { rng, prob, mode, partner } = sampling;
  const partners = samplePartners(batchSize, partner, rng);
  const decide = (): T | null => {
    const mixed = rng.uniform() < prob;
    const value = draw();
    return mixed ? value : null;
  };
  const shared = mode === 'batch' ? decide() : null;
  const draws = partners.map((p, i) => {
    const value = mode === 'batch' ? shared : decide();
    return p === i ? null : value;
  });
  return { partners, draws };
}

/**
 * Draws the parameters of a {@link mixup} of a batch of B samples: partners, and
 * lambda ~ Beta(alpha, alpha) per batch or per sample (1 where a sample is not mixed).
 *
 * @param batch - B, the number of samples, or the batch's shape `[B, …]` (`images.shape`), as
 *   {@link sampleCutMixParams} takes it.
 * @param options - See {@link SamplingOptions}.
 * @returns Plain arrays; apply them with {@link applyMixup} and {@link mixLabels}.
 *
 * @example
 * ```ts fragment
 * const params = sampleMixupParams(images.shape, { alpha: 0.4, seed: 1 }); // or the batch size
 * const mixedImages = applyMixup(images, params);
 * const mixedDepth = applyMixup(depth, params); // the same mix, on another tensor: depth maps [B, H, W]
 * tf.dispose([mixedImages, mixedDepth]);
 * ```
 * @public
 */
export function sampleMixupParams(batch: number | readonly number[], options?: SamplingOptions): MixParams {
  const op = 'sampleMixupParams';
  const opts = resolveOptions(op, SAMPLING_OPTIONS, options);
  const batchSize = Array.isArray(batch) ? batch[0] : batch;
  if (Array.isArray(batch) && !(batch.length >= 1 && batch.every((d) => Number.isInteger(d) && d >= 1))) {
    throw argumentError(op, 'batch', 'a batch size B or a shape [B, …] of positive integers', describePair(batch));
  }
  assertNumber(op, 'batch', batchSize, { min: 1, integer: true });
  return drawMixupParams(batchSize, samplingOf(opts));
}

/** {@link sampleMixupParams} on validated options. */
export function drawMixupParams(batchSize: number, sampling: ResolvedSampling): MixParams {
  const { partners, draws } = sampleDecisions(batchSize, sampling, () => sampleBeta(sampling.rng, sampling.alpha, sampling.alpha));
  return { partners, lambda: draws.map((lam) => (lam === null ? 1 : Math.fround(lam))) };
}

/**
 * Draws the parameters of a {@link cutMix} on images of shape `[B, H, W, ...]`: partners, a box
 * per batch or per sample, and lambda = 1 − (pixels in the box) / (H·W), exact for each sample
 * after the box is clipped to the image.
 *
 * The box has height ⌊H·√(1−λ)⌋ and width ⌊W·√(1−λ)⌋ for λ ~ Beta(alpha, alpha), centred on a
 * uniformly drawn pixel and clipped to the image; or with `minMax`, sides drawn as fractions of
 * H and W and placed wholly inside the image.
 *
 * @param shape - The images' shape, `[B, H, W]` or `[B, H, W, C]` (`images.shape` works).
 * @param options - See {@link CutMixSamplingOptions}.
 * @returns Plain arrays; apply them with {@link applyCutMix} and {@link mixLabels}.
 *
 * @example
 * ```ts fragment
 * const params = sampleCutMixParams(images.shape, { seed: 7 });
 * const mixedImages = applyCutMix(images, params);
 * const mixedMasks = applyCutMix(masks, params); // segmentation masks: same boxes, same partners
 * tf.dispose([mixedImages, mixedMasks]);
 * ```
 * @public
 */
export function sampleCutMixParams(shape: readonly number[], options?: CutMixSamplingOptions): CutMixParams {
  const op = 'sampleCutMixParams';
  const opts = resolveOptions(op, CUTMIX_SAMPLING_OPTIONS, options);
  const [batchSize, height, width] = imageShape(op, shape);
  return drawCutMixParams(batchSize, height, width, samplingOf(opts), opts.minMax);
}

/** `[B, H, W]` of the `shape` argument of a sampler (`[B, H, W]` or `[B, H, W, C]`, as `images.shape` gives it), checked. */
export function imageShape(op: string, shape: unknown): [number, number, number] {
  const valid = Array.isArray(shape) && shape.length >= 3 && shape.every((d) => Number.isInteger(d) && d >= 1);
  if (!valid) throw argumentError(op, 'shape', '[B, H, W] or [B, H, W, C] of positive integers', describePair(shape));
  return shape.slice(0, 3) as [number, number, number];
}

/** {@link sampleCutMixParams} on validated options. */
export function drawCutMixParams(
  batchSize: number,
  height: number,
  width: number,
  sampling: ResolvedSampling,
  minMax: readonly [number, number] | undefined,
): CutMixParams {
  const { rng, alpha } = sampling;
  const drawBox = (): Box =>
    minMax ? sampleMinMaxBox(rng, height, width, minMax) : sampleCenteredBox(rng, height, width, sampleBeta(rng, alpha, alpha));
  const { partners, draws } = sampleDecisions(batchSize, sampling, drawBox);
  const boxes = draws.map((box) => (box === null || boxArea(box) === 0 ? EMPTY_BOX : box));
  const lambda = boxes.map((box) => Math.fround(1 - boxArea(box) / (height * width)));
  return { partners, lambda, boxes, height, width };
}
