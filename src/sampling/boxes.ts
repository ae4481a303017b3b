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
  const ratio = Math.sqrt(1 - lambda);
  const cutH = Math.floor(height * ratio);
  const cutW = Math.floor(width * ratio);
  const cy = uniformInt(rng, height);
  const cx = uniformInt(rng, width);
  const top = cy - Math.floor(cutH / 2);
  const left = cx - Math.floor(cutW / 2);
  return [clamp(top, 0, height), clamp(left, 0, width), clamp(top + cutH, 0, height), clamp(left + cutW, 0, width)];
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
