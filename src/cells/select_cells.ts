import { type Tensor1D, type Tensor2D, type Tensor3D, cast, div, fill, mul, reshape, scalar, sub, sum, tensor1d, tensor2d, where } from '@tensorflow/tfjs-core';

import { SELECT_CELLS, hasFusedKernel, runFused } from '../kernels/fused.js';
import { cellRects } from '../masks/cell_mask.js';
import type { GridGeometry } from '../masks/grid.js';
import { cellsByRank, isTopRanked, rankCells } from './rank_cells.js';

/** The cells pasted into each sample, and what follows from them. */
export interface CellSelection {
  /** int32 `[B, topN]`: the partner's cells, most attended first; −1 for an unmixed sample. */
  cells: Tensor2D;
  /** float32 `[B, grid²]`: 1 for each pasted cell. */
  chosen: Tensor2D;
  /** float32 `[B]`: the share of its pixels each sample keeps. */
  lambda: Tensor1D;
  /** int32 `[B, topN, 4]`: the pixel rectangles of the cells, built only when asked for. */
  rects: () => Tensor3D;
}

/**
 * Chooses the `topN` highest cells of each row of `scores` `[B, grid²]` for the samples that are
 * `mixed`: one fused kernel where the backend has it, a composite of exact pairwise comparisons
 * elsewhere; the two agree to the bit (ties to the lower index, non-finite scores last).
 */
export function selectCells(scores: Tensor2D, mixed: readonly boolean[], topN: number, geometry: GridGeometry): CellSelection {
  const batch = scores.shape[0];
  const pixels = geometry.height * geometry.width;
  if (hasFusedKernel(SELECT_CELLS)) {
    const attrs = { topN, cellRects: Array.from(geometry.cellRects), cellAreas: Array.from(geometry.cellAreas), pixels };
    const [cells, rects, lambda, chosen] = runFused<[Tensor2D, Tensor3D, Tensor1D, Tensor2D]>(SELECT_CELLS, { scores, mixed: tensor1d(Int32Array.from(mixed, Number), 'int32') }, attrs);
    return { cells, chosen, lambda, rects: () => rects };
  }
  const mixedColumn = tensor2d(Array.from(mixed), [batch, 1], 'bool');
  const ranks = rankCells(scores);
  const chosen = mul(cast(isTopRanked(ranks, topN), 'float32'), cast(mixedColumn, 'float32')) as Tensor2D;
  // No op on an empty tensor: tfjs-backend-wasm 4.22 aborts or corrupts its heap on some of them.
  const cells = topN === 0 ? tensor2d([], [batch, 0], 'int32') : (where(mixedColumn, cellsByRank(ranks, topN), fill([batch, topN], -1, 'int32')) as Tensor2D);
  const pasted = sum(mul(chosen, reshape(tensor1d(geometry.cellAreas), [1, geometry.grid * geometry.grid])), 1);
  const lambda = div(sub(scalar(pixels), pasted), scalar(pixels)) as Tensor1D;
  return { cells, chosen, lambda, rects: () => cellRects(cells, geometry) };
}
