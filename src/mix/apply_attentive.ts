import { type Tensor, type Tensor1D, type Tensor2D, type TensorLike, Tensor as TensorClass, oneHot, reshape, sum, tensor1d, tensor2d, tidy } from '@tensorflow/tfjs-core';

import { assertGridFits } from '../cells/pool_to_grid.js';
import { cellMask, cellRects } from '../masks/cell_mask.js';
import { gridGeometry } from '../masks/grid.js';
import { argumentError, assertNumber, describe } from '../validation.js';
import { assertExactOnBackend } from '../kernels/precision.js';
import { paste } from './blend.js';
import { toImages } from './inputs.js';

/**
 * The cells of an {@link attentiveCutMix} result to apply again: its `partners` and `cells`
 * (tensors, or the same as arrays) and the `grid` it was made with.
 * @public
 */
export interface AttentiveCutMixCells {
  /** int32 `[B]`: each sample's partner. */
  partners: Tensor1D | readonly number[];
  /** int32 `[B, N]`: the partner's cells pasted into each sample (r·grid + c), −1 for none. */
  cells: Tensor2D | readonly (readonly number[])[];
  /** The grid the cells are of. */
  grid: number;
}

/**
 * Applies the cells of an {@link attentiveCutMix} result to another tensor of the same batch: in
 * each of `cells[i]` the pixels of `x[partners[i]]`, elsewhere those of `x[i]` — for example the
 * segmentation masks of the images, so that each mask still labels its image's pixels. The cells
 * tile the tensor as they tiled the images (the same ⌊k·H/grid⌋ partition), so masks of the
 * images' size get exactly the pixels the images got. The dtype is kept; nothing is read back
 * from the device (cells given as a tensor are not checked against the grid there: −1 and cells
 * outside it paste nothing).
 *
 * @param x - `[B, H, W]` or `[B, H, W, C]`, float32 or int32: masks, depth, anything per pixel.
 * @param params - See {@link AttentiveCutMixCells}; typically the result itself with its grid.
 * @returns The mixed tensor, the same shape and dtype as `x`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { applyAttentiveCutMix, attentiveCutMix } from 'attentive-cutmix';
 *
 * const images = tf.randomUniform([4, 28, 28, 3]);
 * const masks = tf.randomUniform([4, 28, 28], 0, 5, 'int32'); // a class id per pixel
 * const mixed = attentiveCutMix(images, [0, 1, 2, 3], undefined, { numClasses: 4, grid: 7, topN: 6, seed: 1 });
 * const mixedMasks = applyAttentiveCutMix(masks, { partners: mixed.partners, cells: mixed.cells, grid: 7 }); // int32 [4, 28, 28]
 * tf.dispose([images, masks, mixed, mixedMasks]);
 * ```
 * @public
 */
export function applyAttentiveCutMix<T extends Tensor>(x: T | TensorLike, params: AttentiveCutMixCells): T {
  const op = 'applyAttentiveCutMix';
  if (typeof params !== 'object' || params === null) throw argumentError(op, 'params', 'the { partners, cells, grid } of an attentiveCutMix result', describe(params));
  const { grid } = params;
  assertNumber(op, 'params.grid', grid, { min: 1, integer: true });
  return tidy(() => {
    const t = toImages(op, 'x', x, true);
    const [batch, height, width] = t.shape as [number, number, number];
    assertGridFits(op, grid, height, width);
    assertExactOnBackend(op, { batch, height, width, grid });
    const partners = toPartners(op, params.partners, batch);
    const cells = toCells(op, params.cells, batch, grid);
    const geometry = gridGeometry(height, width, grid);
    const x4 = t.rank === 3 ? reshape(t, [batch, height, width, 1]) : t;
    const chosen = () => (cells.shape[1] === 0 ? tensor2d([], [batch, grid * grid]) : (sum(oneHot(cells, grid * grid), 1) as Tensor2D));
    const pasted = paste(x4, partners, () => cellRects(cells, geometry), () => cellMask(chosen(), geometry));
    return (t.rank === 3 ? reshape(pasted, t.shape) : pasted) as T;
  });
}

function toPartners(op: string, partners: unknown, batch: number): Tensor1D {
  if (partners instanceof TensorClass) {
    if (partners.isDisposed || partners.rank !== 1 || partners.shape[0] !== batch || partners.dtype !== 'int32') {
      throw argumentError(op, 'params.partners', `an int32 tensor [${batch}]`, describe(partners));
    }
    return partners as Tensor1D;
  }
  const valid = Array.isArray(partners) && partners.length === batch && partners.every((p) => Number.isInteger(p) && p >= 0 && p < batch);
  if (!valid) throw argumentError(op, 'params.partners', `${batch} integers in [0, ${batch})`, describe(partners));
  return tensor1d(Int32Array.from(partners as number[]), 'int32');
}

function toCells(op: string, cells: unknown, batch: number, grid: number): Tensor2D {
  if (cells instanceof TensorClass) {
    if (cells.isDisposed || cells.rank !== 2 || cells.shape[0] !== batch || cells.dtype !== 'int32') {
      throw argumentError(op, 'params.cells', `an int32 tensor [${batch}, N]`, describe(cells));
    }
    return cells as Tensor2D;
  }
  const rows = Array.isArray(cells) ? (cells as unknown[]) : [];
  const width = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : 0;
  const valid =
    rows.length === batch && rows.every((row) => Array.isArray(row) && row.length === width && row.every((c) => Number.isInteger(c) && c >= -1 && c < grid * grid));
  if (!valid) throw argumentError(op, 'params.cells', `${batch} rows of as many cell indices in [−1, ${grid * grid})`, describe(cells));
  return tensor2d((rows as number[][]).flat(), [batch, width], 'int32');
}
