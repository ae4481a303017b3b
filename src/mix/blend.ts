// The two ways a sample meets its partner: pasted, or blended by weight. Each runs the
// library's fused kernel where the backend has one, and a composite of tfjs ops elsewhere.
import { Tensor, type Tensor1D, type Tensor2D, add, cast, equal, gather, mul, reshape, scalar, sub, tensor, tensor1d, where } from '@tensorflow/tfjs-core';

import { BLEND_PARTNERS, PASTE_CELLS, PASTE_MASK, PASTE_RECTS, hasFusedKernel, runFused } from '../kernels/fused.js';
import { cellMask } from '../masks/cell_mask.js';
import { type GridGeometry, axisCells } from '../masks/grid.js';

/** `x[partners[i]]` for every i, in one kernel. */
export function gatherPartners<T extends Tensor>(x: T, partners: readonly number[] | Tensor1D): T {
  return gather(x, partners instanceof Tensor ? partners : partnerTensor(partners), 0);
}

/** The partners as the int32 `[B]` tensor of the results. */
export function partnerTensor(partners: readonly number[]): Tensor1D {
  return tensor1d(Int32Array.from(partners), 'int32');
}

/**
 * Pastes each sample's partner into it: inside the rectangles `rects()` (int32 `[B, N, 4]` of
 * half-open `[y0, x0, y1, x1]`) on the fused path, through the boolean mask `mask()` (true where
 * the partner shows) on the composite path. Both describe the same pixels; only the one the
 * backend needs is built. Outside them the result is `x`, or `base` (the shape and dtype of `x`)
 * where one is given. Dtype preserved; `x` is `[B, H, W, C]`.
 */
export function paste<T extends Tensor>(x: T, partners: readonly number[] | Tensor1D, rects: () => Tensor, mask: () => Tensor, base?: T): T {
  if (hasFusedKernel(PASTE_RECTS)) {
    const partnerIds = partners instanceof Tensor ? partners : partnerTensor(partners);
    return runFused<T>(PASTE_RECTS, { x, partners: partnerIds, rects: rects(), ...(base ? { base } : {}) });
  }
  return where(mask(), gatherPartners(x, partners), base ?? x) as T;
}

/**
 * Pastes each sample's partner into it where `mask` (bool `[B, H, W]`) is set; elsewhere the
 * result is `x`, or `base` where one is given. Dtype preserved; `x` is `[B, H, W, C]`.
 */
export function pasteMask<T extends Tensor>(x: T, partners: readonly number[], mask: Tensor, base?: T): T {
  if (hasFusedKernel(PASTE_MASK)) return runFused<T>(PASTE_MASK, { x, partners: partnerTensor(partners), mask, ...(base ? { base } : {}) });
  const [batch, height, width] = mask.shape as [number, number, number];
  return where(reshape(mask, [batch, height, width, 1]), gatherPartners(x, partners), base ?? x) as T;
}

/**
 * Pastes each sample's partner into it over the grid cells `chosen` (float32 `[B, grid²]`, 1 for
 * each pasted cell): {@link paste} over the cells' rectangles `rects()`, or, on a backend with the
 * `PasteCells` kernel (the GPU ones), a kernel that looks each pixel's cell up in `chosen` instead
 * of testing it against every rectangle, so that its cost does not grow with the number of cells.
 */
export function pasteCells<T extends Tensor>(x: T, partners: readonly number[], chosen: Tensor2D, rects: () => Tensor, geometry: GridGeometry): T {
  if (hasFusedKernel(PASTE_CELLS)) {
    const { rowCell, colCell } = axisCells(geometry);
    const inputs = { x, partners: partnerTensor(partners), chosen, rowCells: tensor1d(rowCell, 'int32'), colCells: tensor1d(colCell, 'int32') };
    return runFused<T>(PASTE_CELLS, inputs, { grid: geometry.grid });
  }
  return paste(x, partners, rects, () => cellMask(chosen, geometry));
}

/**
 * `lambda[i]·base[i] + (1 − lambda[i])·base[partners[i]]`, float32, for a tensor of any rank with
 * a leading batch axis. Where lambda is exactly 1 the result is the base itself, and where it is
 * exactly 0 the partner, even if the other one holds NaN or ±Infinity (no 0·Infinity). lambda
 * sampled on the CPU comes as numbers (`1 − lambda` is then computed there too); lambda computed
 * on the device comes as a `[B]` tensor.
 */
export function blend<T extends Tensor>(base: T, partners: readonly number[], lambda: readonly number[] | Tensor1D): T {
  const batch = base.shape[0]!;
  const lambdaTensor = lambda instanceof Tensor ? lambda : tensor1d(Float32Array.from(lambda), 'float32');
  if (hasFusedKernel(BLEND_PARTNERS)) return runFused<T>(BLEND_PARTNERS, { x: base, partners: partnerTensor(partners), lambda: lambdaTensor });
  const floatBase = cast(base, 'float32') as T;
  const partner = gatherPartners(floatBase, partners);
  const weightShape = [batch, ...base.shape.slice(1).map(() => 1)];
  const weight = reshape(lambdaTensor, weightShape);
  const complement = lambda instanceof Tensor ? sub(scalar(1), weight) : tensor(Float32Array.from(lambda, (l) => 1 - l), weightShape, 'float32');
  const weighted = add(mul(floatBase, weight), mul(partner, complement));
  return where(equal(weight, 1), floatBase, where(equal(weight, 0), partner, weighted)) as T;
}

/** The 1-D tensors every result carries. */
export function paramTensors(params: { lambda: readonly number[]; partners: readonly number[] }): { lambda: Tensor1D; partners: Tensor1D } {
  return { lambda: tensor1d(Float32Array.from(params.lambda), 'float32'), partners: partnerTensor(params.partners) };
}
