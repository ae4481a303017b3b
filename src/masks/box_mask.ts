import { Tensor, type Tensor2D, type Tensor4D, logicalAnd, range, reshape, split, tensor2d, tidy, greaterEqual, less } from '@tensorflow/tfjs-core';

import type { Box } from '../sampling/boxes.js';

/**
 * The boolean mask `[B, H, W, 1]` that is true inside each sample's half-open box, built on the
 * device from the box corners (uploaded, or an int32 `[B, 4]` tensor made on the device) with a
 * fixed number of kernels for any batch size.
 */
export function boxMask(boxes: readonly Box[] | Tensor2D, height: number, width: number): Tensor4D {
  return tidy(() => {
    const corners = boxes instanceof Tensor ? boxes : boxesTensor(boxes);
    const batch = corners.shape[0];
    const [y0, x0, y1, x1] = split(corners, 4, 1).map((c) => reshape(c, [batch, 1, 1, 1])) as [Tensor4D, Tensor4D, Tensor4D, Tensor4D];
    const rows = reshape(range(0, height, 1, 'int32'), [1, height, 1, 1]);
    const cols = reshape(range(0, width, 1, 'int32'), [1, 1, width, 1]);
    const inRows = logicalAnd(greaterEqual(rows, y0), less(rows, y1));
    const inCols = logicalAnd(greaterEqual(cols, x0), less(cols, x1));
    return logicalAnd(inRows, inCols) as Tensor4D;
  });
}

/** The boxes as the int32 `[B, 4]` tensor of the results. */
export function boxesTensor(boxes: readonly Box[]): Tensor2D {
  return tensor2d(boxes.flat(), [boxes.length, 4], 'int32');
}
