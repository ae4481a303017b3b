// How many cells attentiveCutMix pastes: a fixed number, or drawn as OpenMixup's AttentiveMix
// draws it, from lambda.
import { sampleBeta } from './beta.js';
import type { Rng } from './rng.js';

/**
 * How many of the grid's cells are pasted: a fixed number, or `{ alpha }` to draw it per batch
 * or per sample, N = round((1 − λ)·grid²) with λ ~ Beta(alpha, alpha), clipped to [1, grid² − 1].
 * @public
 */
export type CellCount = number | { readonly alpha: number };

/** The cells to paste for one decision: `count` itself, or a draw; `cells` is grid². */
export function drawCellCount(rng: Rng, count: CellCount, cells: number): number {
  if (typeof count === 'number') return count;
  const lambda = sampleBeta(rng, count.alpha, count.alpha);
  return Math.min(cells - 1, Math.max(1, Math.round((1 - lambda) * cells)));
}

/** The width of the cells the result lists: the fixed count, or every cell where it is drawn. */
export function cellListWidth(count: CellCount, cells: number): number {
  return typeof count === 'number' ? count : cells;
}
