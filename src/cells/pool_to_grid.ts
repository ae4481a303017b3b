import { type Tensor3D, cast, fill, greater, isFinite, logicalNot, matMul, reshape, tensor2d, tidy, transpose, where, zerosLike } from '@tensorflow/tfjs-core';

import { averagingMatrix } from '../masks/grid.js';
import { numberOption } from '../options.js';
import { argumentError } from '../validation.js';

/** The `grid` of every op that cuts images into cells: the paper's 7 × 7 (of a 224 px image) by default. */
export const GRID_OPTION = numberOption({ default: 7, min: 1, integer: true });

/** Checks that an `height × width` image can be cut into `grid × grid` cells that each hold pixels. */
export function assertGridFits(op: string, grid: number, height: number, width: number): void {
  if (height < grid || width < grid) {
    throw argumentError(op, 'options.grid', `at most the image size ${height}×${width}, so that every cell holds pixels`, String(grid));
  }
}

/**
 * Brings attention maps `[B, h, w]` to `[B, grid, grid]`: each grid cell is the mean of the map
 * over the same partition the image's pixels get (cells of ⌊k·h/grid⌋ … rows), so a map at
 * image resolution gives exactly the mean attention of the pixels a cell pastes. A map that is
 * already `grid × grid` passes through unchanged. A cell holding NaN or ±Infinity becomes NaN
 * (and so ranks last); the others are the mean of their finite values.
 */
export function poolToGrid(map: Tensor3D, grid: number): Tensor3D {
  const [, h, w] = map.shape;
  if (h === grid && w === grid) return map;
  return tidy(() => {
    // A matrix product spreads one NaN or ±Infinity over every cell (0 · NaN is NaN); average the
    // finite values, and mark as NaN only the cells that hold a non-finite one.
    const finite = isFinite(map);
    const means = averageCells(where(finite, map, zerosLike(map)), grid);
    const nonFinite = averageCells(cast(logicalNot(finite), 'float32'), grid);
    return where(greater(nonFinite, 0), fill(means.shape, Number.NaN), means) as Tensor3D;
  });
}

/** The mean of `map` over each grid cell: two matrix products, for any batch size. */
function averageCells(map: Tensor3D, grid: number): Tensor3D {
  const [batchSize, h, w] = map.shape;
  const rowsT = tensor2d(averagingMatrix(h, grid), [grid, h]);
  const colsT = tensor2d(averagingMatrix(w, grid), [grid, w]);
  // [B·h, w] × [w, grid] → [B, h, grid] → [B, grid(c), h] · [h, grid(r)] → [B, grid(c), grid(r)]
  const byCols = reshape(matMul(reshape(map, [batchSize * h, w]), colsT, false, true), [batchSize, h, grid]);
  const swapped = reshape(transpose(byCols, [0, 2, 1]), [batchSize * grid, h]);
  const byBoth = reshape(matMul(swapped, rowsT, false, true), [batchSize, grid, grid]);
  return transpose(byBoth, [0, 2, 1]) as Tensor3D;
}
