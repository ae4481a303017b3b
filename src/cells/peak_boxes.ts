// SaliencyMix's boxes: centred on the peak of each partner's attention map, found and built on
// the device (no read back), with a fixed number of kernels for any batch size: one fused kernel
// on cpu and wasm (the composite's some fifty kernels cost more than the paste at small batches),
// a composite of exact operations elsewhere, half-float textures included; the two agree to the bit.
import { type Tensor, type Tensor1D, type Tensor2D, type Tensor3D, add, cast, concat, div, equal, fill, gather, gatherND, less, logicalAnd, max, maximum, min, minimum, mod, mul, range, reshape, scalar, slice, stack, sub, tensor2d, tensor3d, where } from '@tensorflow/tfjs-core';

import { PEAK_BOXES, hasFusedKernel, runFused } from '../kernels/fused.js';
import { cellEdges } from '../masks/grid.js';
import type { SaliencyMixParams } from '../sampling/saliencymix.js';
import { finiteKeys } from './finite_keys.js';

/**
 * The cell of the highest value of each map `[B, h, w]`, int32 `[B, 2]` (row, column): ties go to
 * the lower row-major index, and NaN and ±Infinity rank below every finite value (a map with none
 * gives (0, 0)). Exact on every backend, half-float textures included (tf.argMax leaves the tie to
 * the backend): the maximum and the comparisons with it are exact; non-finite values are set
 * aside by {@link finiteKeys} (a NaN would leave no maximum); and the row and the column are
 * found apart, each a minimum over integers up to the map's side, where a row-major index would
 * pass h·w, which float16 rounds past 2048.
 */
export function peakCells(maps: Tensor3D): Tensor2D {
  const [batch, h, w] = maps.shape;
  const { finite, key } = finiteKeys(maps);
  const isPeak = logicalAnd(finite, equal(key, max(key, [1, 2], true)));
  const firstColumns = firstTrue(isPeak); // [B, h]: w in a row without a peak
  const row = firstTrue(less(firstColumns, scalar(w, 'int32'))); // [B]: h in a map without one
  const column = min(where(equal(reshape(row, [batch, 1]), range(0, h, 1, 'int32')), firstColumns, fill([batch, h], w, 'int32')), 1);
  // A map without a finite value finds none, (h, w): modulo the map's sides, cell (0, 0).
  return mod(stack([row, column], 1), tensor2d([[h, w]], [1, 2], 'int32')) as Tensor2D;
}

/** The index of the first true value along the last axis of `mask` (its length where none), int32. */
function firstTrue(mask: Tensor): Tensor {
  const n = mask.shape[mask.rank - 1] as number;
  return min(where<Tensor>(mask, range(0, n, 1, 'int32'), fill(mask.shape, n, 'int32')), -1);
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
  const offsets = tensor2d(Int32Array.from(sizes.flatMap(([sh, sw]) => [-Math.floor(sh / 2), -Math.floor(sw / 2), sh - Math.floor(sh / 2), sw - Math.floor(sw / 2)])), [batch, 4], 'int32');
  const mixed = tensor2d(Int32Array.from(sizes, ([sh, sw]) => (sh * sw > 0 ? 1 : 0)), [batch, 1], 'int32');
  const table = Int32Array.from({ length: 2 * h * w }, (_, i) => (i % 2 === 0 ? rows[Math.floor(i / 2 / w)]! : cols[Math.floor(i / 2) % w]!));
  if (hasFusedKernel(PEAK_BOXES)) {
    const [boxes, lambda] = runFused<[Tensor2D, Tensor1D]>(PEAK_BOXES, { maps, partners, centres: tensor2d(table, [h * w, 2], 'int32'), offsets, mixed }, { height, width });
    return { boxes, lambda };
  }
  // Looked up by row and column (gatherND), not by a row-major index, which float16 would round.
  const centre = gatherND(tensor3d(table, [h, w, 2], 'int32'), gather(peakCells(maps), partners)); // [B, 2]
  const limits = tensor2d(Int32Array.from([height, width, height, width]), [1, 4], 'int32');
  const clipped = minimum(maximum(add(concat([centre, centre], 1), offsets), scalar(0, 'int32')), limits);
  const boxes = mul(clipped, mixed) as Tensor2D;
  const sides = sub(slice(boxes, [0, 2], [batch, 2]), slice(boxes, [0, 0], [batch, 2]));
  const area = reshape(mul(slice(sides, [0, 0], [batch, 1]), slice(sides, [0, 1], [batch, 1])), [batch]);
  const pixels = scalar(height * width);
  return { boxes, lambda: div(sub(pixels, cast(area, 'float32')), pixels) as Tensor1D };
}
