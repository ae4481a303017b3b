// A mix whose method is drawn per batch or per sample from several, in one pass over the batch:
// one blend (the mixup samples), one paste (the boxes of cutMix samples and the cells of
// attentiveCutMix samples, in one set of rectangles), and a per-sample select between them, so
// that the number of kernels does not depend on the batch size.
import {
  type Tensor,
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  type Tensor4D,
  type TensorLike,
  cast,
  logicalOr,
  reshape,
  scalar,
  sub,
  tensor1d,
  tensor3d,
  tidy,
  where,
  zeros,
} from '@tensorflow/tfjs-core';

import { type AttentionExtractor, batchAttention } from '../attention/extractor.js';
import { assertGridFits, poolToGrid } from '../cells/pool_to_grid.js';
import { selectCells } from '../cells/select_cells.js';
import { boxMask, boxesTensor } from '../masks/box_mask.js';
import { cellMask } from '../masks/cell_mask.js';
import { type GridGeometry, gridGeometry } from '../masks/grid.js';
import type { Box } from '../sampling/boxes.js';
import { type CellCount, cellListWidth } from '../sampling/cell_count.js';
import { type OneOfMethod, drawOneOfParams } from '../sampling/one_of.js';
import type { ResolvedSampling } from '../sampling/params.js';
import { assertExactOnBackend } from '../kernels/precision.js';
import { attentionShare } from './attentive_cutmix.js';
import { blend, gatherPartners, partnerTensor, paste } from './blend.js';
import { type Labels, type ResolvedLabelOptions, toBatch, toSoftLabels } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import type { LabelMode, MixResult } from './types.js';

/**
 * What a mixer of several methods returns: the fields of every method it can choose, and
 * `methods`. (A type rather than an interface, so that it is a `tf.TensorContainer`.)
 * @public
 */
export type OneOfResult = MixResult & {
  /** int32 `[B]`: the index into `oneOf` of each sample's method (drawn even for a sample left unmixed). */
  methods: Tensor1D;
  /** Where a cutMix can be chosen: int32 `[B, 4]`, each cutMix sample's box; zeros for the other samples. */
  boxes?: Tensor2D;
  /** Where an attentiveCutMix can be chosen: int32 `[B, topN]` (`[B, grid²]` with a drawn topN), its samples' cells; −1 for the other samples. */
  cells?: Tensor2D;
};

/** The attentiveCutMix among the methods, checked and with its attention. */
export interface OneOfAttentive {
  topN: CellCount;
  grid: number;
  labelMode: LabelMode;
  attention: AttentionExtractor | Tensor3D;
}

/** Mixes one batch, each sample by the method drawn for it. Call with options already checked. */
export function oneOfWith(
  op: string,
  images: Tensor | TensorLike,
  labels: Labels,
  methods: readonly OneOfMethod[],
  weights: readonly number[],
  attentive: OneOfAttentive | undefined,
  sampling: ResolvedSampling,
  labelOptions: ResolvedLabelOptions,
): OneOfResult {
  return tidy(() => {
    const x = toBatch(op, images);
    const [batchSize, height, width] = x.shape;
    if (attentive) assertGridFits(op, attentive.grid, height, width);
    assertExactOnBackend(op, { batch: batchSize, height, width, grid: attentive?.grid });
    const y = toSoftLabels(op, labels, batchSize, labelOptions);
    const params = drawOneOfParams(batchSize, height, width, sampling, methods, weights);
    const { partners } = params;
    const kindOf = (i: number) => methods[params.methods[i]!]!.kind;
    const rowsOf = (kind: OneOfMethod['kind']) => params.methods.map((_, i) => kindOf(i) === kind);
    const kinds = new Set(methods.map((m) => m.kind));
    const hostLambda = tensor1d(Float32Array.from(params.lambda), 'float32');

    // The cells of the attentiveCutMix samples, selected on the device as attentiveCutMix selects them.
    let selected: ReturnType<typeof selectCells> | undefined;
    let geometry: GridGeometry | undefined;
    let labelWeight: Tensor1D = hostLambda;
    let lambda: Tensor1D = hostLambda;
    if (attentive) {
      const { grid, topN } = attentive;
      geometry = gridGeometry(height, width, grid);
      const map = batchAttention(op, 'attention', attentive.attention, x, y);
      const partnerMap = gatherPartners(reshape(poolToGrid(map, grid), [batchSize, grid * grid]) as Tensor2D, partners);
      const isAttentive = rowsOf('attentiveCutMix');
      selected = selectCells(partnerMap, params.counts, cellListWidth(topN, grid * grid), geometry);
      const attentiveRows = tensor1d(Uint8Array.from(isAttentive, Number), 'bool');
      lambda = where(attentiveRows, selected.lambda, hostLambda) as Tensor1D;
      const weight = attentive.labelMode === 'area' ? selected.lambda : (sub(scalar(1), attentionShare(partnerMap, selected.chosen, geometry, selected.lambda)) as Tensor1D);
      labelWeight = where(attentiveRows, weight, hostLambda) as Tensor1D;
    }

    // The mixup samples blended (the others kept, at lambda 1), then the boxes and cells pasted
    // over that from the batch itself: a blend and a paste, for any number of samples.
    const source = kinds.has('mixup') ? (cast(x, 'float32') as Tensor4D) : x;
    const isMixup = rowsOf('mixup');
    const blended = kinds.has('mixup') ? blend(source, partners, params.lambda.map((l, i) => (isMixup[i] ? l : 1))) : undefined;
    const pasting = kinds.has('cutMix') || kinds.has('attentiveCutMix');
    const mixed = pasting
      ? paste(source, partners, () => pasteRects(params.boxes, selected?.rects(), rowsOf('attentiveCutMix')), () => pasteMask(params.boxes, height, width, selected, geometry), blended)
      : blended!;
    const result: OneOfResult = {
      images: mixed as Tensor4D,
      labels: mixSoftLabels(y, labelOptions.labelSmoothing, partners, labelWeight),
      lambda,
      partners: partnerTensor(partners),
      methods: tensor1d(Int32Array.from(params.methods), 'int32'),
    };
    if (kinds.has('cutMix')) result.boxes = boxesTensor(params.boxes);
    if (selected) result.cells = selected.cells;
    return result;
  });
}

/**
 * The rectangles `[B, N, 4]` of every sample's paste: a cutMix sample's box first, an
 * attentiveCutMix sample's cells (rows where `attentiveRows` holds), none for the others.
 */
function pasteRects(boxes: readonly Box[], cellRects: Tensor3D | undefined, attentiveRows: readonly boolean[]): Tensor3D {
  const batch = boxes.length;
  const perSample = Math.max(1, cellRects?.shape[1] ?? 1);
  const boxRects = tensor3d(boxes.flatMap((box) => [...box, ...new Array<number>((perSample - 1) * 4).fill(0)]), [batch, perSample, 4], 'int32');
  if (!cellRects) return boxRects;
  const cells = cellRects.shape[1] === 0 ? (zeros([batch, 1, 4], 'int32') as Tensor3D) : cellRects;
  return where(tensor3d(Uint8Array.from(attentiveRows, Number), [batch, 1, 1], 'bool'), cells, boxRects) as Tensor3D;
}

/** The composite path's mask: inside the cutMix boxes, or on the chosen cells. */
function pasteMask(boxes: readonly Box[], height: number, width: number, selected: ReturnType<typeof selectCells> | undefined, geometry: GridGeometry | undefined): Tensor {
  const inBoxes = boxMask(boxes, height, width);
  if (!selected || !geometry) return inBoxes;
  return logicalOr(inBoxes, cellMask(selected.chosen, geometry));
}
