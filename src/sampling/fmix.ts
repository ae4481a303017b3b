// The random parameters of FMix: lambda and a binary mask per batch or per sample, drawn on the
// CPU from the seeded stream (src/sampling/fourier_noise.ts), apart from their application (src/mix/fmix.ts).
import { numberOption, resolveOptions } from '../options.js';
import { sampleBeta } from './beta.js';
import { type NoiseSpectrum, drawNoise, noiseSpectrum } from './fourier_noise.js';
import { markHighestOfGrid } from './bilinear_grid.js';
import { gridSize, noiseGrid } from './noise_field.js';
import type { Rng } from './rng.js';
import { type MixParams, type ResolvedSampling, SAMPLING_OPTIONS, type SamplingOptions, imageShape, sampleDecisions, samplingOf } from './params.js';

/**
 * Options of {@link sampleFMixParams}.
 * @public
 */
export interface FMixSamplingOptions extends SamplingOptions {
  /** δ, the decay power of the noise's spectrum: amplitudes fall as 1/f^δ; larger is smoother. A positive number. Default 3, the paper's. */
  decay?: number;
}

/**
 * Parameters of an FMix: each sample's partner, its binary mask and lambda, the exact share of
 * pixels the mask leaves to the base.
 * @public
 */
export interface FMixParams extends MixParams {
  /** `[B·H·W]`, row-major per sample: 1 where the partner's pixel shows, 0 where the base's stays; all 0 where nothing is pasted. */
  readonly masks: Uint8Array;
  /** Image height the masks were drawn for. */
  readonly height: number;
  /** Image width the masks were drawn for. */
  readonly width: number;
}

/** {@link FMixSamplingOptions}: defaults and rules. */
export const FMIX_SAMPLING_OPTIONS = { ...SAMPLING_OPTIONS, decay: numberOption({ default: 3, min: 0, minExclusive: true }) };

/**
 * Draws the parameters of an {@link fmix} on images of shape `[B, H, W, ...]`: partners, and per
 * batch or per sample lambda ~ Beta(alpha, alpha) and a mask: low-frequency Fourier noise (a
 * Gaussian field whose amplitudes decay as 1/f^δ) whose ⌈(1 − λ)·H·W⌉ highest pixels (ties to
 * the lower index) show the partner. lambda = 1 − (those pixels) / (H·W), exact.
 *
 * The draw order: the partners, then for the batch or each sample one uniform for `prob`,
 * lambda, and one uniform that keys the noise's own generator (drawn even for a sample left
 * unmixed, so that `prob` changes nothing else).
 *
 * @param shape - The images' shape, `[B, H, W]` or `[B, H, W, C]` (`images.shape` works).
 * @param options - See {@link FMixSamplingOptions}.
 * @returns Plain arrays and the masks; apply them with {@link applyFMix} and {@link mixLabels}.
 *
 * @example
 * ```ts fragment
 * const params = sampleFMixParams(images.shape, { mode: 'elem', seed: 2 });
 * const mixedImages = applyFMix(images, params);
 * const mixedMasks = applyFMix(masks, params); // the same pixels of int32 masks [B, H, W]
 * const mixedLabels = mixLabels(labels, params, { numClasses: 10 });
 * tf.dispose([mixedImages, mixedMasks, mixedLabels]);
 * ```
 * @public
 */
export function sampleFMixParams(shape: readonly number[], options?: FMixSamplingOptions): FMixParams {
  const op = 'sampleFMixParams';
  const opts = resolveOptions(op, FMIX_SAMPLING_OPTIONS, options);
  const [batchSize, height, width] = imageShape(op, shape);
  return drawFMixParams(batchSize, height, width, samplingOf(opts), opts.decay);
}

/** {@link sampleFMixParams} on validated options. */
export function drawFMixParams(batchSize: number, height: number, width: number, sampling: ResolvedSampling, decay: number): FMixParams {
  const spectrum = noiseSpectrum(height, width, decay);
  const { partners, draws } = sampleDecisions(batchSize, sampling, () => drawFMixNoise(sampling.rng, sampling.alpha, spectrum));
  return { partners, ...fmixMasks(draws, height, width), height, width };
}

/** FMix's draw for one decision: lambda ~ Beta(alpha, alpha), then the noise's coefficients. */
export interface FMixDraw {
  readonly lambda: number;
  readonly noise: Float64Array;
  readonly spectrum: NoiseSpectrum;
}

/** FMix's draw for one decision, from the spectrum of the image size and decay. */
export function drawFMixNoise(rng: Rng, alpha: number, spectrum: NoiseSpectrum): FMixDraw {
  return { lambda: sampleBeta(rng, alpha, alpha), noise: drawNoise(rng, spectrum), spectrum };
}

/**
 * The masks `[B·H·W]` of the samples' draws (null: nothing pasted) and their exact lambda: the
 * ⌈(1 − λ)·H·W⌉ highest pixels of each draw's field. A draw shared by several samples (one per
 * batch) is made once and copied.
 */
export function fmixMasks(draws: readonly (FMixDraw | null)[], height: number, width: number): { masks: Uint8Array; lambda: number[] } {
  const pixels = height * width;
  const masks = new Uint8Array(draws.length * pixels);
  let grid: Float64Array | undefined; // the grid's values, one draw after another
  const lambda = draws.map(() => 1);
  const made = new Map<FMixDraw, number>();
  draws.forEach((d, i) => {
    if (d === null) return;
    const pasted = Math.min(pixels, Math.ceil((1 - d.lambda) * pixels));
    const first = made.get(d);
    if (first !== undefined) masks.copyWithin(i * pixels, first * pixels, (first + 1) * pixels);
    else {
      grid ??= new Float64Array(gridSize(d.spectrum));
      markHighestOfGrid(noiseGrid(d.spectrum, d.noise, grid), pasted, masks, i * pixels);
      made.set(d, i);
    }
    lambda[i] = Math.fround(1 - pasted / pixels);
  });
  return { masks, lambda };
}
