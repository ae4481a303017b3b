import { type Tensor, fill, isFinite, where } from '@tensorflow/tfjs-core';

import { lowestFinite } from '../kernels/precision.js';

/**
 * `scores` made comparable on every backend, for orders in which NaN and ±Infinity rank below
 * every finite value: `finite` marks the finite values, and `key` holds them, with the backend's
 * lowest finite value in place of the others. An order must take `finite` first and the key only
 * among values alike in it: −Infinity as a key does not survive half-float textures (SwiftShader
 * turns it into NaN, and NaN compares false with everything), and the lowest finite value ties
 * with a finite score equal to it.
 */
export function finiteKeys<T extends Tensor>(scores: T): { finite: T; key: T } {
  const finite = isFinite(scores) as T;
  return { finite, key: where(finite, scores, fill(scores.shape, lowestFinite())) as T };
}
