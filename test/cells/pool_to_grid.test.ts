import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { poolToGrid } from '../../src/cells/pool_to_grid.js';
import { read } from '../support/tensors.js';

/** The mean of map[b] over rows ⌊r·h/g⌋ … and columns ⌊c·w/g⌋ …, written out by hand. */
function referencePool(map: number[][][], grid: number): number[][][] {
  return map.map((m) => {
    const [h, w] = [m.length, m[0]!.length];
    return Array.from({ length: grid }, (_, r) =>
      Array.from({ length: grid }, (_, c) => {
        let [total, count] = [0, 0];
        for (let y = Math.floor((r * h) / grid); y < Math.floor(((r + 1) * h) / grid); y++) {
          for (let x = Math.floor((c * w) / grid); x < Math.floor(((c + 1) * w) / grid); x++) {
            total += m[y]![x]!;
            count++;
          }
        }
        return total / count;
      }),
    );
  });
}

describe('poolToGrid', () => {
  it.each([
    [32, 32, 7],
    [14, 14, 7],
    [12, 20, 4],
    [9, 7, 7],
  ])('averages a %i×%i map over %i×%i cells', async (h, w, grid) => {
    const values = Array.from({ length: 2 }, (_, b) => Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => Math.sin(b * 7 + y * 1.3 + x * 0.7))));
    const map = tf.tensor3d(values);
    const pooled = poolToGrid(map, grid);
    const expected = referencePool(values, grid);
    (await read<number[][][]>(pooled)).flat(2).forEach((v, i) => expect(v).toBeCloseTo(expected.flat(2)[i]!, 5));
    tf.dispose([map, pooled]);
  });

  it('passes a grid × grid map through unchanged', async () => {
    const map = tf.randomNormal([3, 7, 7]) as tf.Tensor3D;
    const pooled = poolToGrid(map, 7);
    expect(await pooled.data()).toEqual(await map.data());
    tf.dispose([map, pooled]);
  });

  it('spreads a map smaller than the grid over the cells that start in each of its rows and columns', async () => {
    const map = tf.tensor3d([[[1, 2], [3, 4]]]);
    const pooled = poolToGrid(map, 4);
    expect(await read(pooled)).toEqual([[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]);
    tf.dispose([map, pooled]);
  });
});
