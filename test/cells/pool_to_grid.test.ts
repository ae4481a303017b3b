import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';

import { poolToGrid, poolingSpans } from '../../src/cells/pool_to_grid.js';
import { setFusedKernelsEnabled } from '../../src/kernels/fused.js';
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
  ])('averages a %i×%i map over a grid of %i', async (h, w, grid) => {
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

  afterEach(() => setFusedKernelsEnabled(true));

  it('pools the same partition the image gets, and the starting row when the map is smaller than the grid', () => {
    expect(poolingSpans(10, 3)).toEqual([[0, 3], [3, 6], [6, 10]]);
    expect(poolingSpans(2, 4)).toEqual([[0, 1], [0, 1], [1, 2], [1, 2]]);
  });

  it.each([true, false])('pools cells whose values are all equal to exactly that value, whatever their sizes (fused: %s)', async (fused) => {
    setFusedKernelsEnabled(fused);
    for (const value of [0.1, 0.7, 0.9, -3.3]) {
      // Cells of 6 or 7 rows and 5 or 6 columns: 30 to 42 values.
      const map = tf.fill([2, 37, 31], value) as tf.Tensor3D;
      const pooled = poolToGrid(map, 6);
      expect(new Set(await pooled.data())).toEqual(new Set([Math.fround(value)]));
      tf.dispose([map, pooled]);
    }
  });

  it('gives the mean of the finite values on the composite path too, NaN for cells holding NaN or ±Infinity', async () => {
    const values = Array.from({ length: 2 * 11 * 9 }, (_, i) => (i === 5 ? Number.NaN : i === 150 ? -Infinity : Math.cos(i * 0.37)));
    const map = tf.tensor3d(values, [2, 11, 9]);
    const before = tf.memory().numTensors;
    const read = async () => {
      const pooled = poolToGrid(map, 4);
      const data = await pooled.data();
      pooled.dispose();
      return data;
    };
    const fused = await read();
    setFusedKernelsEnabled(false);
    const composite = await read();
    expect(tf.memory().numTensors).toBe(before);
    const nanCells = Array.from(fused).flatMap((v, i) => (Number.isNaN(v) ? [i] : []));
    expect(nanCells).toHaveLength(2);
    expect(Array.from(composite).flatMap((v, i) => (Number.isNaN(v) ? [i] : []))).toEqual(nanCells);
    fused.forEach((v, i) => Number.isNaN(v) || expect(composite[i]).toBeCloseTo(v, 5));
    tf.dispose(map);
  });
});

