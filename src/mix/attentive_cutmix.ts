import {
  type Tensor,
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  type TensorLike,
  div,
  greater,
  isFinite,
  mul,
  relu,
  reshape,
  scalar,
  sub,
  sum,
  tensor1d,
  tidy,
  where,
  zerosLike,
} from '@tensorflow/tfjs-core';

import { assertGridFits, poolToGrid, resolveGrid } from '../attention/attention_grid.js';
import { type AttentionExtractor, assertAttentionSource, batchAttention } from '../attention/extractor.js';
import { saliencyExtractor } from '../attention/saliency.js';
import { selectCells } from '../attention/select_cells.js';
import { cellMask } from '../masks/cell_mask.js';
import { type GridGeometry, gridGeometry } from '../masks/grid.js';
import { resolveSampling, sampleDecisions } from '../sampling/params.js';
import { argumentError, assertKnownOptions, assertNumber, assertOneOf, assertOptionsObject } from '../validation.js';
import { gatherPartners, partnerTensor, paste } from './blend.js';
import { LABEL_OPTION_NAMES, type Labels, resolveLabelOptions, toBatch, toSoftLabels } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import type { AttentiveCutMixOptions, AttentiveCutMixResult, LabelMode } from './types.js';

const OPTION_NAMES = ['prob', 'mode', 'partner', 'seed', 'topN', 'grid', 'labelMode', ...LABEL_OPTION_NAMES];

/**
 * Attentive CutMix (Walawalkar et al., ICASSP 2020): the image is cut into `grid × grid` cells,
 * the `topN` cells of each sample's partner that its attention map ranks highest are pasted at
 * the same place, and the labels are weighted by the pasted area.
 *
 * 1. The extractor runs once on the batch (or the maps given in its place are taken as they
 *    are); each partner's map is gathered, never recomputed.
 * 2. The map is averaged over the grid cells (a `grid × grid` map passes through unchanged).
 * 3. The `topN` highest cells of the partner's map are chosen; ties go to the lower row-major
 *    index, the same on every backend; non-finite values rank below every finite one.
 * 4. Cell (r, c) covers rows `⌊r·H/grid⌋ ≤ y < ⌊(r+1)·H/grid⌋` and columns `⌊c·W/grid⌋ ≤ x < ⌊(c+1)·W/grid⌋`:
 *    the cells tile any image of at least grid × grid pixels exactly, without resizing it.
 * 5. lambda = 1 − (pasted pixels) / (H·W), exact per sample.
 *
 * Everything runs on the device: no read back, and a number of kernels that does not depend on
 * the batch size (the extractor's own kernels aside).
 *
 * @param images - `[B, H, W, C]`, float32 or int32 (the dtype is kept), with H, W ≥ grid.
 * @param labels - int32 class ids `[B]` (with `options.numClasses`) or one-hot / soft labels `[B, K]`.
 * @param attention - An {@link AttentionExtractor} (default {@link saliencyExtractor}`()`; see
 *   also {@link loadAttentionExtractor}), or the batch's attention maps computed before, float32
 *   `[B, h, w]` (for example a slice of what {@link precomputeAttention} returns), never disposed.
 *   Maps are pooled and ranked exactly as an extractor's output: the extractor's own map gives
 *   the same mix bit for bit, and so does its `[B, grid, grid]` pooling from
 *   {@link precomputeAttention}.
 * @param options - See {@link AttentiveCutMixOptions}.
 * @returns `{ images, labels, lambda, partners, cells }`, all owned by the caller.
 *
 * @example
 * ```ts
 * const extractor = await loadAttentionExtractor('https://example.com/resnet50/model.json', { featureNode: 'conv5_block3_out/Relu' });
 * const { images, labels, cells } = attentiveCutMix(xs, ys, extractor, { numClasses: 100, topN: 6, grid: 7, seed: 1 });
 * // The same mix, bit for bit, from maps computed once beforehand (valid for a frozen extractor):
 * const maps = await precomputeAttention(xs, extractor, { grid: 7 });
 * const same = attentiveCutMix(xs, ys, maps, { numClasses: 100, topN: 6, grid: 7, seed: 1 });
 * ```
 * @public
 */
export function attentiveCutMix(
  images: Tensor | TensorLike,
  labels: Labels,
  attention?: AttentionExtractor | Tensor3D,
  options?: AttentiveCutMixOptions,
): AttentiveCutMixResult {
  const op = 'attentiveCutMix';
  const opts = assertOptionsObject(op, options);
  assertKnownOptions(op, opts, OPTION_NAMES);
  const { topN, grid, labelMode } = resolveAttentiveOptions(op, opts);
  const sampling = resolveSampling(op, opts);
  const labelOptions = resolveLabelOptions(op, opts);
  const source = attention ?? saliencyExtractor();
  assertAttentionSource(op, 'attention', source);
  return tidy(() => {
    const x = toBatch(op, images);
    const [batchSize, height, width] = x.shape;
    assertGridFits(op, grid, height, width);
    const y = toSoftLabels(op, labels, batchSize, labelOptions);
    const { partners, draws } = sampleDecisions(batchSize, sampling, () => true);
    const geometry = gridGeometry(height, width, grid);

    const map = batchAttention(op, 'attention', source, x, y);
    const partnerMap = gatherPartners(reshape(poolToGrid(map, grid), [batchSize, grid * grid]) as Tensor2D, partners);
    const { cells, chosen, lambda, rects } = selectCells(partnerMap, draws.map((d) => d !== null), topN, geometry);
    const labelWeight = labelMode === 'area' ? lambda : (sub(scalar(1), attentionShare(partnerMap, chosen, geometry, lambda)) as Tensor1D);
    return {
      images: paste(x, partners, rects, () => cellMask(chosen, geometry)),
      labels: mixSoftLabels(y, labelOptions.labelSmoothing, partners, labelWeight),
      lambda,
      partners: partnerTensor(partners),
      cells,
    };
  });
}

/** Validates `topN`, `grid` and `labelMode` of `op` and fills in the defaults. */
export function resolveAttentiveOptions(op: string, opts: Pick<AttentiveCutMixOptions, 'topN' | 'grid' | 'labelMode'>): { topN: number; grid: number; labelMode: LabelMode } {
  const grid = resolveGrid(op, opts.grid);
  const { topN = 6, labelMode = 'area' } = opts;
  if (opts.topN === undefined && grid * grid < topN) {
    throw argumentError(op, 'options.topN', `given when the grid has fewer than the default ${topN} cells (grid = ${grid})`, 'undefined');
  }
  assertNumber(op, 'options.topN', topN, { min: 0, max: grid * grid, integer: true });
  assertOneOf<LabelMode>(op, 'options.labelMode', labelMode, ['area', 'attention']);
  return { topN, grid, labelMode };
}

/**
 * The share of each partner's attention mass that was pasted, from the partners' maps pooled to
 * the grid `[B, grid²]`: the mass of a cell is its mean attention clipped at 0 (0 for a cell
 * holding NaN or ±Infinity) times its area in pixels. Computed from the pooled map alone, so that
 * maps pooled beforehand give the same labels. A partner whose map is zero everywhere has no mass
 * to share, and the pasted area share stands in for it.
 */
function attentionShare(partnerMap: Tensor2D, chosen: Tensor2D, geometry: GridGeometry, lambda: Tensor1D): Tensor1D {
  const { grid } = geometry;
  const density = where(isFinite(partnerMap), relu(partnerMap), zerosLike(partnerMap));
  const cellMass = mul(density, reshape(tensor1d(geometry.cellAreas), [1, grid * grid]));
  const total = sum(cellMass, 1);
  const share = div(sum(mul(cellMass, chosen), 1), total);
  return where(greater(total, 0), share, sub(scalar(1), lambda)) as Tensor1D;
}
