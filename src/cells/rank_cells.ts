import { type Tensor2D, cast, equal, expandDims, greater, less, logicalAnd, logicalNot, logicalOr, logicalXor, mul, range, reshape, scalar, sum, tensor3d, tidy } from '@tensorflow/tfjs-core';

import { finiteKeys } from './finite_keys.js';

/**
 * The rank of every cell of every row of `scores` `[B, n]`, 0 for the highest: ties go to the
 * lower index, and non-finite scores (NaN, ±Infinity) rank below every finite one. Computed by
 * comparing all pairs, with exact comparisons only, so every backend ranks alike (a sort-based
 * top-k orders ties differently on different backends).
 */
export function rankCells(scores: Tensor2D): Tensor2D {
  return tidy(() => {
    const n = scores.shape[1];
    const { finite, key } = finiteKeys(scores);
    const [own, ownFinite] = [expandDims(key, 2), expandDims(finite, 2)]; // [B, n, 1]: cell j
    const [other, otherFinite] = [expandDims(key, 1), expandDims(finite, 1)]; // [B, 1, n]: cell k
    const lowerIndex = tensor3d(Array.from({ length: n * n }, (_, i) => (i % n) < Math.floor(i / n)), [1, n, n], 'bool');
    const byKey = logicalOr(greater(other, own), logicalAnd(equal(other, own), lowerIndex));
    const beats = logicalOr(logicalAnd(otherFinite, logicalNot(ownFinite)), logicalAnd(logicalNot(logicalXor(otherFinite, ownFinite)), byKey));
    return sum(cast(beats, 'int32'), 2) as Tensor2D;
  });
}

/** The indices of the cells of rank 0 … topN − 1, in that order: `[B, topN]` int32. */
export function cellsByRank(ranks: Tensor2D, topN: number): Tensor2D {
  return tidy(() => {
    const n = ranks.shape[1];
    // [B, topN, n], reduced over its last axis: tfjs-backend-webgpu 4.22 cannot transpose int32
    // tensors (its shader does not compile and the result is silently zeros), which a reduction
    // over a middle axis would need.
    const isRank = equal(expandDims(ranks, 1), reshape(range(0, topN, 1, 'int32'), [1, topN, 1]));
    const index = reshape(range(0, n, 1, 'int32'), [1, 1, n]);
    return sum(mul(cast(isRank, 'int32'), index), 2) as Tensor2D;
  });
}

/** True for the cells ranked among the first `topN`. */
export function isTopRanked(ranks: Tensor2D, topN: number): Tensor2D {
  return less(ranks, scalar(topN, 'int32'));
}

