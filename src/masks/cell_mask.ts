import { type Tensor2D, type Tensor3D, type Tensor4D, cast, fill, gather, greaterEqual, less, logicalOr, reshape, tensor1d, tensor2d, tidy, where } from '@tensorflow/tfjs-core';

import { type GridGeometry, pixelCells } from './grid.js';

/**
 * The boolean pixel mask `[B, H, W, 1]` of the chosen cells: `chosen` is float32 `[B, grid²]`,
 * 1 for each pasted cell and 0 elsewhere. One gather with the static pixel → cell map, for any batch size.
 */
export function cellMask(chosen: Tensor2D, geometry: GridGeometry): Tensor4D {
  return tidy(() => {
    const perPixel = gather(chosen, tensor1d(pixelCells(geometry), 'int32'), 1);
    return cast(reshape(perPixel, [chosen.shape[0], geometry.height, geometry.width, 1]), 'bool') as Tensor4D;
  });
}

/**
 * The pixel rectangles `[B, topN, 4]` of the chosen cells (`cells` int32 `[B, topN]`, −1 for
 * none): one gather from the static table of cell rectangles, −1 (and any index outside the grid)
 * mapping to its empty last row.
 */
export function cellRects(cells: Tensor2D, geometry: GridGeometry): Tensor3D {
  return tidy(() => {
    const { grid, cellRects: table } = geometry;
    const empty = grid * grid;
    const index = where(logicalOr(less(cells, 0), greaterEqual(cells, empty)), fill(cells.shape, empty, 'int32'), cells);
    return gather(tensor2d(table, [empty + 1, 4], 'int32'), index) as unknown as Tensor3D;
  });
}
