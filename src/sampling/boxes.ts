import { type Rng, uniformInt } from './rng.js';

/**
 * A box of pixels `[y0, x0, y1, x1]`, half-open: rows `y0 <= y < y1`, columns `x0 <= x < x1`.
 * The empty box `[0, 0, 0, 0]` marks an unmixed sample.
 * @public
 */
export type Box = readonly [y0: number, x0: number, y1: number, x1: number];

/** The box of an unmixed sample. */
export const EMPTY_BOX: Box = [0, 0, 0, 0];

/** Number of pixels inside a box. */
export function boxArea([y0, x0, y1, x1]: Box): number {
  return (y1 - y0) * (x1 - x0);
}

/**
 * The CutMix box for a drawn lambda (timm's `rand_bbox`): height ⌊H·√(1−λ)⌋ from H and width
 * ⌊W·√(1−λ)⌋ from W, centre uniform over the pixels of the image, then clipped to the image.
 * Clipping shrinks the box, which is why lambda is recomputed from its area afterwards.
 */
export function sampleCenteredBox(rng: Rng, height: number, width: number, lambda: number): Box {
  const [cutH, cutW] = cutMixSize(height, width, lambda);
  const cy = uniformInt(rng, height);
  const cx = uniformInt(rng, width);
  const top = cy - Math.floor(cutH / 2);
  const left = cx - Math.floor(cutW / 2);
  return [clamp(top, 0, height), clamp(left, 0, width), clamp(top + cutH, 0, height), clamp(left + cutW, 0, width)];
}

/**
 * The sides of the CutMix box for lambda, before clipping: ⌊H·√(1−λ)⌋ and ⌊W·√(1−λ)⌋ (timm's
 * `rand_bbox`, and SaliencyMix's box around the partner's attention peak).
 */
export function cutMixSize(height: number, width: number, lambda: number): [number, number] {
  const ratio = Math.sqrt(1 - lambda);
  return [Math.floor(height * ratio), Math.floor(width * ratio)];
}

/**
 * A box whose height and width are drawn independently, as whole pixels between ⌊lo·H⌋ and
 * ⌊hi·H⌋ (at least 1) and likewise for W, placed wholly inside the image at an origin drawn
 * uniformly from every origin where it fits, the last row and column included (timm's
 * `rand_bbox_minmax` draws with an exclusive bound and never reaches them).
 */
export function sampleMinMaxBox(rng: Rng, height: number, width: number, [lo, hi]: readonly [number, number]): Box {
  const h = sampleSide(rng, height, lo, hi);
  const w = sampleSide(rng, width, lo, hi);
  return placeBox(rng, height, width, h, w);
}

/**
 * The box of ResizeMix for a scale τ in (0, 1]: ⌊τ·H⌋ × ⌊τ·W⌋ pixels (at least 1 each), so that
 * the whole image fits in it scaled down by τ on both sides, placed as {@link sampleMinMaxBox} places its box.
 */
export function sampleScaledBox(rng: Rng, height: number, width: number, scale: number): Box {
  return placeBox(rng, height, width, Math.max(1, Math.floor(scale * height)), Math.max(1, Math.floor(scale * width)));
}

/** An `h × w` box wholly inside the image, its origin uniform over every origin where it fits. */
function placeBox(rng: Rng, height: number, width: number, h: number, w: number): Box {
  const y0 = uniformInt(rng, height - h + 1);
  const x0 = uniformInt(rng, width - w + 1);
  return [y0, x0, y0 + h, x0 + w];
}

function sampleSide(rng: Rng, size: number, lo: number, hi: number): number {
  const min = Math.max(1, Math.floor(lo * size));
  const max = Math.max(min, Math.floor(hi * size));
  return min + uniformInt(rng, max - min + 1);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
