// SaliencyMix's boxes: centred on the peak of each partner's attention map, found and built on
// the device (no read back), with a fixed number of kernels for any batch size: one fused kernel
// on cpu and wasm (the composite's some twenty kernels cost more than the paste at small batches),
// a composite of exact operations elsewhere; the two agree to the bit.
import { type Tensor1D, type Tensor2D, type Tensor3D, add, cast, concat, div, equal, fill, gather, isFinite, max, maximum, min, minimum, mul, reshape, scalar, slice, sub, tensor2d, where } from '@tensorflow/tfjs-core';

import { PEAK_BOXES, hasFusedKernel, runFused } from '../kernels/fused.js';
import { cellEdges } from '../masks/grid.js';
import type { SaliencyMixParams } from '../sampling/saliencymix.js';

/**
 * The index of the highest value of each row of `scores` `[B, n]`, int32 `[B]`: ties go to the
 * lower index, and NaN and ±Infinity rank below every finite value (a row with none gives 0).
 * The maximum and the comparisons with it are exact, and the lowest index is a minimum over
 * integers, so every backend gives the same index (tf.argMax leaves the tie to the backend).
 */
export function peakIndex(scores: Tensor2D): Tensor1D {
  const [batch, n] = scores.shape;
  const key = where(isFinite(scores), scores, fill([batch, n], -Infinity));
  const isPeak = equal(key, max(key, 1, true));
  const index = tensor2d(Int32Array.from({ length: n }, (_, j) => j), [1, n], 'int32');
  return min(where(isPeak, index, fill([batch, n], n, 'int32')), 1) as Tensor1D;
}

/**
 * The boxes of a SaliencyMix, int32 `[B, 4]`, and lambda, float32 `[B]`: each sample's box of
 * `params.sizes[b]` centred on the peak of its partner's (`partners`, int32 `[B]`) map in `maps` `[B, h, w]`, clipped to
 * the image. A map cell (r, c) covers image rows ⌊r·H/h⌋ ≤ y < ⌊(r+1)·H/h⌋ (columns alike), and
 * its centre is the pixel (⌊(y0 + y1)/2⌋, ⌊(x0 + x1)/2⌋) of that span; the box's top-left corner
 * is the centre less half its size (rounded down), as CutMix places its box. lambda is the exact
 * share of pixels the clipped box leaves; an unmixed sample (size 0) gets `[0, 0, 0, 0]` and 1.
 */
export function peakBoxes(maps: Tensor3D, partners: Tensor1D, params: SaliencyMixParams): { boxes: Tensor2D; lambda: Tensor1D } {
  const [batch, h, w] = maps.shape;
  const { height, width, sizes } = params;
  const centres = (size: number, cells: number) => {
    const edges = cellEdges(size, cells);
    return Array.from({ length: cells }, (_, k) => Math.floor((edges[k]! + edges[k + 1]!) / 2));
  };
  const [rows, cols] = [centres(height, h), centres(width, w)];
  const table = tensor2d(Int32Array.from({ length: 2 * h * w }, (_, i) => (i % 2 === 0 ? rows[Math.floor(i / 2 / w)]! : cols[Math.floor(i / 2) % w]!)), [h * w, 2], 'int32');
  const offsets = tensor2d(Int32Array.from(sizes.flatMap(([sh, sw]) => [-Math.floor(sh / 2), -Math.floor(sw / 2), sh - Math.floor(sh / 2), sw - Math.floor(sw / 2)])), [batch, 4], 'int32');
  const mixed = tensor2d(Int32Array.from(sizes, ([sh, sw]) => (sh * sw > 0 ? 1 : 0)), [batch, 1], 'int32');
  if (hasFusedKernel(PEAK_BOXES)) {
    const [boxes, lambda] = runFused<[Tensor2D, Tensor1D]>(PEAK_BOXES, { maps, partners, centres: table, offsets, mixed }, { height, width });
    return { boxes, lambda };
  }
  const centre = gather(table, gather(peakIndex(reshape(maps, [batch, h * w])), partners)); // [B, 2]
  const limits = tensor2d(Int32Array.from([height, width, height, width]), [1, 4], 'int32');
  const clipped = minimum(maximum(add(concat([centre, centre], 1), offsets), scalar(0, 'int32')), limits);
  const boxes = mul(clipped, mixed) as Tensor2D;
  const sides = sub(slice(boxes, [0, 2], [batch, 2]), slice(boxes, [0, 0], [batch, 2]));
  const area = reshape(mul(slice(sides, [0, 0], [batch, 1]), slice(sides, [0, 1], [batch, 1])), [batch]);
  const pixels = scalar(height * width);
  return { boxes, lambda: div(sub(pixels, cast(area, 'float32')), pixels) as Tensor1D };
}
