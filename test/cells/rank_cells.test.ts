import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { cellsByRank, rankCells } from '../../src/cells/rank_cells.js';
import { createRng } from '../../src/sampling/rng.js';
import { read } from '../support/tensors.js';

/** The reference order: highest first, ties to the lower index, non-finite values last. */
function referenceOrder(row: number[]): number[] {
  const key = (v: number) => (Number.isFinite(v) ? v : -Infinity);
  return row.map((_, j) => j).sort((a, b) => key(row[b]!) - key(row[a]!) || a - b);
}

describe('rankCells', () => {
  it('orders cells by score, ties to the lower index, as a stable sort would', async () => {
    const rng = createRng('ties');
    const rows = Array.from({ length: 6 }, () => Array.from({ length: 49 }, () => Math.floor(rng.uniform() * 5))); // many ties
    const scores = tf.tensor2d(rows);
    const ranks = rankCells(scores);
    const cells = cellsByRank(ranks, 49);
    expect(await read(cells)).toEqual(rows.map(referenceOrder));
    tf.dispose([scores, ranks, cells]);
  });

  it('ranks NaN and ±Infinity below every finite score', async () => {
    const scores = tf.tensor2d([[Number.NaN, 1, Infinity, -5, -Infinity, 0]]);
    const ranks = rankCells(scores);
    const cells = cellsByRank(ranks, 6);
    expect(await read(cells)).toEqual([[1, 5, 3, 0, 2, 4]]);
    tf.dispose([scores, ranks, cells]);
  });

  it("ranks a finite score at the backend's lowest finite value above NaN and ±Infinity, which stand in for it in the comparisons", async () => {
    const lowest = -3.4028234663852886e38;
    const scores = tf.tensor2d([[Number.NaN, -Infinity, lowest, Infinity, lowest, 2]]);
    const ranks = rankCells(scores);
    const cells = cellsByRank(ranks, 6);
    expect(await read(cells)).toEqual([[5, 2, 4, 0, 1, 3]]);
    tf.dispose([scores, ranks, cells]);
  });

  it('picks the first topN of the order', async () => {
    const scores = tf.tensor2d([[0.1, 0.9, 0.5, 0.9]]);
    const ranks = rankCells(scores);
    const cells = cellsByRank(ranks, 2);
    expect(await read(cells)).toEqual([[1, 3]]);
    tf.dispose([scores, ranks, cells]);
  });
});
