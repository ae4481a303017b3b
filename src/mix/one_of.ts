// A mix whose method is drawn per batch or per sample from several, in a few passes over the
// batch: one blend (the mixup samples), one paste (the boxes of cutMix and saliencyMix samples and
// the cells of attentiveCutMix samples, in one set of rectangles), one scaled paste (resizeMix) and
// one masked paste (fmix), each over the last, so that the number of kernels does not depend on
// the batch size.
import {
  type Tensor,
  type Tensor1D,
  type Tensor2D,
  type Tensor3D,
  type Tensor4D,
  type TensorLike,
  cast,
  concat,
  logicalOr,
  reshape,
  scalar,
  sub,
  tensor,
  tensor1d,
  tensor3d,
  tidy,
  where,
  zeros,
} from '@tensorflow/tfjs-core';

import { type AttentionExtractor, batchAttention } from '../attention/extractor.js';
import { peakBoxes } from '../cells/peak_boxes.js';
import { poolToGrid } from '../cells/pool_to_grid.js';
import { selectCells } from '../cells/select_cells.js';
import { boxMask, boxesTensor } from '../masks/box_mask.js';
import { cellMask } from '../masks/cell_mask.js';
import { type GridGeometry, gridGeometry } from '../masks/grid.js';
import { type Box, EMPTY_BOX } from '../sampling/boxes.js';
import { type CellCount, cellListWidth } from '../sampling/cell_count.js';
import { type OneOfMethod, drawOneOfParams } from '../sampling/one_of.js';
import type { ResolvedSampling } from '../sampling/params.js';
import { attentionShare } from './attentive_cutmix.js';
import { blend, gatherPartners, partnerTensor, paste, pasteMask } from './blend.js';
import { type Labels, type ResolvedLabelOptions, toMixInputs } from './inputs.js';
import { mixSoftLabels } from './labels.js';
import { resizePaste } from './resize_paste.js';
import type { LabelMode, MixResult, ResizeInterpolation } from './types.js';

/**
 * What a mixer of several methods returns: the fields of every method it can choose, and
 * `methods`. (A type rather than an interface, so that it is a `tf.TensorContainer`.)
 * @public
 */
export type OneOfResult = MixResult & {
  /** int32 `[B]`: the index into `oneOf` of each sample's method (drawn even for a sample left unmixed). */
  methods: Tensor1D;
  /**
   * Where a cutMix, resizeMix or saliencyMix can be chosen: int32 `[B, 4]`, each such sample's box
   * (the pasted box; for resizeMix the box the partner was scaled into); zeros for the other samples.
   */
  boxes?: Tensor2D;
  /** Where an attentiveCutMix can be chosen: int32 `[B, topN]` (`[B, grid²]` with a drawn topN), its samples' cells; −1 for the other samples. */
  cells?: Tensor2D;
  /** Where an fmix can be chosen: bool `[B, H, W]`, its samples' masks; false for the other samples. */
  masks?: Tensor3D;
};

/** The methods among the choices that take attention, checked, each with its attention. */
export interface OneOfAttention {
  attentive?: { topN: CellCount; grid: number; labelMode: LabelMode; source: AttentionExtractor | Tensor3D };
  saliency?: { source: AttentionExtractor | Tensor3D };
}

/** Mixes one batch, each sample by the method drawn for it. Call with options already checked. */
export function oneOfWith(
  op: string,
  images: Tensor | TensorLike,
  labels: Labels,
  methods: readonly OneOfMethod[],
  weights: readonly number[],
  attention: OneOfAttention,
  interpolation: ResizeInterpolation | undefined,
  sampling: ResolvedSampling,
  labelOptions: ResolvedLabelOptions,
): OneOfResult {
  return tidy(() => {
    const { attentive, saliency } = attention;
    const { x, y, batchSize, height, width } = toMixInputs(op, images, labels, labelOptions, attentive?.grid);
    const params = drawOneOfParams(batchSize, height, width, sampling, methods, weights);
    const { partners } = params;
    const rowsOf = (kind: OneOfMethod['kind']) => params.methods.map((m) => methods[m]!.kind === kind);
    const rowTensor = (kind: OneOfMethod['kind'], shape: number[]) => tensor(Uint8Array.from(rowsOf(kind), Number), shape, 'bool');
    const kinds = new Set(methods.map((m) => m.kind));
    const hostLambda = tensor1d(Float32Array.from(params.lambda), 'float32');
    // Each source's map made once, even where both attention methods use it.
    const maps = new Map<AttentionExtractor | Tensor3D, Tensor3D>();
    const mapOf = (source: AttentionExtractor | Tensor3D) => maps.get(source) ?? maps.set(source, batchAttention(op, 'attention', source, x, y)).get(source)!;

    // The cells of the attentiveCutMix samples, selected on the device as attentiveCutMix selects them.
    let selected: ReturnType<typeof selectCells> | undefined;
    let geometry: GridGeometry | undefined;
    let labelWeight: Tensor1D = hostLambda;
    let lambda: Tensor1D = hostLambda;
    if (attentive) {
      const { grid, topN } = attentive;
      geometry = gridGeometry(height, width, grid);
      const partnerMap = gatherPartners(reshape(poolToGrid(mapOf(attentive.source), grid), [batchSize, grid * grid]) as Tensor2D, partners);
      selected = selectCells(partnerMap, params.counts, cellListWidth(topN, grid * grid), geometry);
      const attentiveRows = rowTensor('attentiveCutMix', [batchSize]);
      lambda = where(attentiveRows, selected.lambda, hostLambda) as Tensor1D;
      const weight = attentive.labelMode === 'area' ? selected.lambda : (sub(scalar(1), attentionShare(partnerMap, selected.chosen, geometry, selected.lambda)) as Tensor1D);
      labelWeight = where(attentiveRows, weight, hostLambda) as Tensor1D;
    }
    // The boxes of the saliencyMix samples, centred on their partners' attention peaks on the device.
    let peaks: { boxes: Tensor2D; lambda: Tensor1D } | undefined;
    if (saliency) {
      peaks = peakBoxes(mapOf(saliency.source), partnerTensor(partners), { partners, sizes: params.sizes, height, width });
      const saliencyRows = rowTensor('saliencyMix', [batchSize]);
      lambda = where(saliencyRows, peaks.lambda, lambda) as Tensor1D;
      labelWeight = where(saliencyRows, peaks.lambda, labelWeight) as Tensor1D;
    }

    // The mixup samples blended (the others kept, at lambda 1); then over that, from the batch
    // itself, the rectangles (boxes, cells), the scaled partners and the masks: a fixed number of
    // passes for any number of samples, one for each kind of method that can be drawn.
    const bilinear = kinds.has('resizeMix') && (interpolation ?? (x.dtype === 'int32' ? 'nearest' : 'bilinear')) === 'bilinear';
    const source = kinds.has('mixup') || bilinear ? (cast(x, 'float32') as Tensor4D) : x;
    const only = (kind: OneOfMethod['kind']) => params.boxes.map((box, i) => (methods[params.methods[i]!]!.kind === kind ? box : EMPTY_BOX));
    const isMixup = rowsOf('mixup');
    let mixed: Tensor4D = kinds.has('mixup') ? blend(source, partners, params.lambda.map((l, i) => (isMixup[i] ? l : 1))) : source;
    if (kinds.has('cutMix') || attentive || saliency) {
      const rects = () => pasteRects(only('cutMix'), selected?.rects(), rowsOf('attentiveCutMix'), peaks?.boxes, rowsOf('saliencyMix'));
      const mask = () => compositeMask(only('cutMix'), height, width, selected, geometry, peaks?.boxes);
      mixed = paste(source, partners, rects, mask, mixed);
    }
    if (kinds.has('resizeMix')) mixed = resizePaste(source, partners, only('resizeMix'), bilinear, mixed);
    const masks = params.masks && (tensor(params.masks, [batchSize, height, width], 'bool') as Tensor3D);
    if (masks) mixed = pasteMask(source, partners, masks, mixed);

    const result: OneOfResult = {
      images: mixed,
      labels: mixSoftLabels(y, labelOptions.labelSmoothing, partners, labelWeight),
      lambda,
      partners: partnerTensor(partners),
      methods: tensor1d(Int32Array.from(params.methods), 'int32'),
    };
    if (kinds.has('cutMix') || kinds.has('resizeMix') || saliency) {
      const hostBoxes = boxesTensor(params.boxes);
      result.boxes = peaks ? (where(rowTensor('saliencyMix', [batchSize, 1]), peaks.boxes, hostBoxes) as Tensor2D) : hostBoxes;
    }
    if (selected) result.cells = selected.cells;
    if (masks) result.masks = masks;
    return result;
  });
}

/**
 * The rectangles `[B, N, 4]` of every sample's paste: a cutMix sample's box first, an
 * attentiveCutMix sample's cells (rows where `attentiveRows` holds), a saliencyMix sample's box
 * made on the device (rows where `saliencyRows` holds), none for the others.
 */
function pasteRects(boxes: readonly Box[], cellRects: Tensor3D | undefined, attentiveRows: readonly boolean[], peakBoxes: Tensor2D | undefined, saliencyRows: readonly boolean[]): Tensor3D {
  const batch = boxes.length;
  const perSample = Math.max(1, cellRects?.shape[1] ?? 1);
  const padding = (perSample - 1) * 4;
  let rects = tensor3d(boxes.flatMap((box) => [...box, ...new Array<number>(padding).fill(0)]), [batch, perSample, 4], 'int32');
  const rows = (flags: readonly boolean[]) => tensor3d(Uint8Array.from(flags, Number), [batch, 1, 1], 'bool');
  if (cellRects) {
    const cells = cellRects.shape[1] === 0 ? (zeros([batch, 1, 4], 'int32') as Tensor3D) : cellRects;
    rects = where(rows(attentiveRows), cells, rects) as Tensor3D;
  }
  if (peakBoxes) {
    const padded = padding > 0 ? concat([reshape(peakBoxes, [batch, 1, 4]), zeros([batch, perSample - 1, 4], 'int32')], 1) : reshape(peakBoxes, [batch, 1, 4]);
    rects = where(rows(saliencyRows), padded, rects) as Tensor3D;
  }
  return rects;
}

/** The composite path's mask: inside the cutMix boxes, on the chosen cells, or inside the saliencyMix boxes (zeros for the other rows). */
function compositeMask(boxes: readonly Box[], height: number, width: number, selected: ReturnType<typeof selectCells> | undefined, geometry: GridGeometry | undefined, peakBoxes: Tensor2D | undefined): Tensor {
  let mask: Tensor = boxMask(boxes, height, width);
  if (selected && geometry) mask = logicalOr(mask, cellMask(selected.chosen, geometry));
  if (peakBoxes) mask = logicalOr(mask, boxMask(peakBoxes, height, width));
  return mask;
}
