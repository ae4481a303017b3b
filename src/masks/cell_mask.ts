import { type Tensor2D, type Tensor4D, cast, gather, reshape, tensor1d, tidy } from '@tensorflow/tfjs-core';

import type { GridGeometry } from './grid.js';

/**
 * The boolean pixel mask `[B, H, W, 1]` of the chosen cells: `chosen` is float32 `[B, grid²]`,
 * 1 for each pasted cell and 0 elsewhere. One gather with the static pixel → cell map, for any batch size.
 */
export function cellMask(chosen: Tensor2D, geometry: GridGeometry): Tensor4D {
  return tidy(() => {
    const { height, width, pixelCells } = geometry;
    const perPixel = gather(chosen, tensor1d(pixelCells, 'int32'), 1);
    return cast(reshape(perPixel, [chosen.shape[0], height, width, 1]), 'bool') as Tensor4D;
  });
}
