import { type Tensor1D, type Tensor2D, type Tensor3D, cast, div, fill, less, mul, range, reshape, scalar, sub, sum, tensor1d, tensor2d, where } from '@tensorflow/tfjs-core';

import { SELECT_CELLS, hasFusedKernel, runFused } from '../kernels/fused.js';
import { cellRects } from '../masks/cell_mask.js';
import type { GridGeometry } from '../masks/grid.js';
import { cellsByRank, rankCells } from './rank_cells.js';

/** The cells pasted into each sample, and what follows from them. */
export interface CellSelection {
  /** int32 `[B, width]`: the partner's cells, most attended first; −1 past each sample's count (all of an unmixed sample's). */
  cells: Tensor2D;
  /** float32 `[B, grid²]`: 1 for each pasted cell. */
  chosen: Tensor2D;
  /** float32 `[B]`: the share of its pixels each sample keeps. */
  lambda: Tensor1D;
  /** int32 `[B, width, 4]`: the pixel rectangles of the cells, built only when asked for. */
  rects: () => Tensor3D;
}

/**
 * Chooses the `counts[b]` highest cells of each row b of `scores` `[B, grid²]` (0 for a sample
 * left unmixed), listed in `width` columns: one fused kernel where the backend has it, a
 * composite of exact pairwise comparisons elsewhere; the two agree to the bit (ties to the lower
 * index, non-finite scores last).
 */
export function selectCells(scores: Tensor2D, counts: readonly number[], width: number, geometry: GridGeometry): CellSelection {
  const batch = scores.shape[0];
  const pixels = geometry.height * geometry.width;
  const cellCount = geometry.grid * geometry.grid;
  const countTensor = tensor1d(Int32Array.from(counts), 'int32');
  if (hasFusedKernel(SELECT_CELLS)) {
    const tables = { cellRects: tensor2d(geometry.cellRects, [cellCount + 1, 4], 'int32'), cellAreas: tensor1d(geometry.cellAreas) };
    const [cells, rects, lambda, chosen] = runFused<[Tensor2D, Tensor3D, Tensor1D, Tensor2D]>(SELECT_CELLS, { scores, counts: countTensor, ...tables }, { width, pixels });
    return { cells, chosen, lambda, rects: () => rects };
  }
  const countColumn = reshape(countTensor, [batch, 1]);
  const ranks = rankCells(scores);
  const chosen = cast(less(ranks, countColumn), 'float32') as Tensor2D;
  // No op on an empty tensor: tfjs-backend-wasm 4.22 aborts or corrupts its heap on some of them.
  const listed = less(reshape(range(0, Math.max(width, 1), 1, 'int32'), [1, Math.max(width, 1)]), countColumn);
  const cells = width === 0 ? tensor2d([], [batch, 0], 'int32') : (where(listed, cellsByRank(ranks, width), fill([batch, width], -1, 'int32')) as Tensor2D);
  const pasted = sum(mul(chosen, reshape(tensor1d(geometry.cellAreas), [1, geometry.grid * geometry.grid])), 1);
  const lambda = div(sub(scalar(pixels), pasted), scalar(pixels)) as Tensor1D;
  return { cells, chosen, lambda, rects: () => cellRects(cells, geometry) };
}
