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

import { GRID_OPTION, poolToGrid } from '../cells/pool_to_grid.js';
import { type AttentionExtractor, assertAttentionSource, batchAttention } from '../attention/extractor.js';
import { saliencyExtractor } from '../attention/saliency.js';
import { selectCells } from '../cells/select_cells.js';
import { type GridGeometry, gridGeometry } from '../masks/grid.js';
import { type ResolvedOptions, customOption, oneOfOption, resolveOptions, withDefault } from '../options.js';
import { type CellCount, cellListWidth, drawCellCount } from '../sampling/cell_count.js';
import { SAMPLING_OPTIONS, sampleDecisions, samplingOf } from '../sampling/params.js';
import { argumentError, assertNumber } from '../validation.js';
import { gatherPartners, partnerTensor, pasteCells } from './blend.js';
import { LABEL_OPTIONS, type Labels, toMixInputs } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import type { AttentiveCutMixOptions, AttentiveCutMixResult, LabelMode } from './types.js';

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
 * ```ts fragment no-run
 * // A MobileNetV2 converted from TF-Hub; `npx attentive-cutmix nodes model.json` lists a model's feature nodes.
 * const extractor = await loadAttentionExtractor('https://example.com/mobilenet_v2/model.json', { featureNode: 'Conv_1/Relu6' });
 * const mixed = attentiveCutMix(xs, ys, extractor, { numClasses: 10, topN: 6, grid: 7, seed: 1 }); // mixed.cells: the pasted cells
 * // The same mix, bit for bit, from maps computed once beforehand (valid for a frozen extractor):
 * const maps = await precomputeAttention(xs, extractor, { grid: 7 });
 * const same = attentiveCutMix(xs, ys, maps, { numClasses: 10, topN: 6, grid: 7, seed: 1 });
 * tf.dispose([mixed, maps, same]);
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
  const opts = resolveAttentiveOptions(op, options);
  const source = attention ?? saliencyExtractor();
  assertAttentionSource(op, 'attention', source);
  return attentiveCutMixWith(op, images, labels, source, opts);
}

/** {@link AttentiveCutMixOptions}: defaults and rules (`topN` at most grid², see {@link resolveAttentiveOptions}). */
export const ATTENTIVE_OPTIONS = {
  prob: SAMPLING_OPTIONS.prob,
  mode: SAMPLING_OPTIONS.mode,
  partner: SAMPLING_OPTIONS.partner,
  seed: SAMPLING_OPTIONS.seed,
  topN: withDefault(
    customOption<CellCount>(
      'an integer >= 0, or { alpha } with alpha > 0',
      (v): v is CellCount =>
        (typeof v === 'number' && Number.isInteger(v) && v >= 0) ||
        (typeof v === 'object' && v !== null && Object.keys(v).join() === 'alpha' && Number.isFinite((v as { alpha: unknown }).alpha) && (v as { alpha: number }).alpha > 0),
    ),
    6,
  ),
  grid: GRID_OPTION,
  labelMode: oneOfOption<LabelMode>(['area', 'attention'], 'area'),
  ...LABEL_OPTIONS,
};

/**
 * The checks of `table` (the attentive options, or a table holding them), and the one between two
 * options: at most grid² cells, and a `topN` given for a grid of fewer than the default.
 */
export function resolveAttentiveOptions<T extends typeof ATTENTIVE_OPTIONS>(op: string, options: unknown, table: T = ATTENTIVE_OPTIONS as T): ResolvedOptions<T> {
  const opts = resolveOptions(op, table, options);
  const { topN, grid } = opts as ResolvedOptions<typeof ATTENTIVE_OPTIONS>;
  assertTopNFits(op, 'options.topN', (options as AttentiveCutMixOptions | undefined)?.topN, topN, grid);
  return opts;
}

/**
 * The rule between `topN` (`given`, and as resolved) and `grid`: at most grid² cells, given where
 * the default is more, and a grid of at least 2 for a drawn count (which lies in [1, grid² − 1]).
 */
export function assertTopNFits(op: string, arg: string, given: unknown, topN: CellCount, grid: number): void {
  if (typeof topN !== 'number') {
    if (grid < 2) throw argumentError(op, 'options.grid', `at least 2 with ${arg} { alpha }, which draws from 1 to grid² − 1 cells`, String(grid));
    return;
  }
  if (given === undefined && grid * grid < topN) {
    throw argumentError(op, arg, `given when the grid has fewer than the default ${topN} cells (grid = ${grid})`, 'undefined');
  }
  assertNumber(op, arg, topN, { min: 0, max: grid * grid, integer: true });
}

/** An {@link attentiveCutMix} whose options and attention were checked beforehand: the work of one call. */
export function attentiveCutMixWith(
  op: string,
  images: Tensor | TensorLike,
  labels: Labels,
  source: AttentionExtractor | Tensor3D,
  options: ResolvedOptions<typeof ATTENTIVE_OPTIONS>,
): AttentiveCutMixResult {
  const { topN, grid, labelMode } = options;
  const sampling = samplingOf(options);
  return tidy(() => {
    const { x, y, batchSize, height, width } = toMixInputs(op, images, labels, options, grid);
    const { partners, draws } = sampleDecisions(batchSize, sampling, () => drawCellCount(sampling.rng, topN, grid * grid));
    const geometry = gridGeometry(height, width, grid);

    const map = batchAttention(op, 'attention', source, x, y);
    const partnerMap = gatherPartners(reshape(poolToGrid(map, grid), [batchSize, grid * grid]) as Tensor2D, partners);
    const counts = draws.map((d) => d ?? 0);
    const { cells, chosen, lambda, rects } = selectCells(partnerMap, counts, cellListWidth(topN, grid * grid), geometry);
    const labelWeight = labelMode === 'area' ? lambda : (sub(scalar(1), attentionShare(partnerMap, chosen, geometry, lambda)) as Tensor1D);
    return {
      images: pasteCells(x, partners, chosen, rects, geometry),
      labels: mixSoftLabels(y, options.labelSmoothing, partners, labelWeight),
      lambda,
      partners: partnerTensor(partners),
      cells,
    };
  });
}

/**
 * The share of each partner's attention mass that was pasted, from the partners' maps pooled to
 * the grid `[B, grid²]`: the mass of a cell is its mean attention clipped at 0 (0 for a cell
 * holding NaN or ±Infinity) times its area in pixels. Computed from the pooled map alone, so that
 * maps pooled beforehand give the same labels. A partner whose map is zero everywhere has no mass
 * to share, and the pasted area share stands in for it.
 */
export function attentionShare(partnerMap: Tensor2D, chosen: Tensor2D, geometry: GridGeometry, lambda: Tensor1D): Tensor1D {
  const { grid } = geometry;
  const density = where(isFinite(partnerMap), relu(partnerMap), zerosLike(partnerMap));
  const cellMass = mul(density, reshape(tensor1d(geometry.cellAreas), [1, grid * grid]));
  const total = sum(cellMass, 1);
  const share = div(sum(mul(cellMass, chosen), 1), total);
  return where(greater(total, 0), share, sub(scalar(1), lambda)) as Tensor1D;
}
