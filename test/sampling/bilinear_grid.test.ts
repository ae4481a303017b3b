import { describe, expect, it } from 'vitest';

import { createRng } from '../../src/index.js';
import { type NoiseGrid, bilinearField, markHighestOfGrid } from '../../src/sampling/bilinear_grid.js';
import { markHighest } from '../../src/sampling/select_highest.js';

/** A grid of `rows × columns` values from `value`, with its range. */
function gridOf(rows: number, columns: number, step: number, value: (i: number, j: number) => number): NoiseGrid {
  const values = Float64Array.from({ length: rows * columns }, (_, p) => value(Math.floor(p / columns), p % columns));
  return { values, rows, columns, step, low: Math.min(...values), high: Math.max(...values) };
}

describe('bilinearField', () => {
  it('keeps the grid’s values at its points and interpolates bilinearly between them, wrapping around', () => {
    const rng = createRng('bilinear');
    const grid = gridOf(3, 4, 3, () => rng.uniform() * 10 - 5);
    const [height, width] = [9, 12];
    const field = new Float64Array(height * width);
    bilinearField(grid, field);
    const at = (i: number, j: number) => grid.values[(i % 3) * 4 + (j % 4)]!;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [i, j, v, u] = [Math.floor(y / 3), Math.floor(x / 3), (y % 3) / 3, (x % 3) / 3];
        const expected = (1 - v) * ((1 - u) * at(i, j) + u * at(i, j + 1)) + v * ((1 - u) * at(i + 1, j) + u * at(i + 1, j + 1));
        if (y % 3 === 0 && x % 3 === 0) expect(field[y * width + x]).toBe(at(i, j));
        else expect(field[y * width + x]).toBeCloseTo(expected, 12);
      }
    }
  });
});

describe('markHighestOfGrid', () => {
  it('marks the pixels markHighest marks on the whole bilinear field, bit for bit: smooth, tied and flat grids, every step and count', () => {
    const rng = createRng('grid-select');
    const grids: [string, NoiseGrid][] = [];
    for (const [rows, columns, step] of [
      [8, 8, 4],
      [5, 7, 2],
      [6, 3, 3],
      [1, 9, 4],
      [7, 1, 2],
      [4, 4, 5],
    ] as const) {
      const phase = rng.uniform() * 6;
      grids.push([`smooth ${rows}×${columns}/${step}`, gridOf(rows, columns, step, (i, j) => Math.sin((2 * Math.PI * i) / rows + phase) + Math.cos((2 * Math.PI * j) / columns) + rng.uniform() * 0.3)]);
      grids.push([`integers ${rows}×${columns}/${step}`, gridOf(rows, columns, step, () => Math.floor(rng.uniform() * 3))]);
    }
    grids.push(['flat 6×6/4', gridOf(6, 6, 4, () => 1.5)]);
    grids.push(['one peak 6×6/4', gridOf(6, 6, 4, (i, j) => (i === 2 && j === 3 ? 1 : 0))]);
    for (const [name, grid] of grids) {
      const n = grid.rows * grid.step * grid.columns * grid.step;
      const field = new Float64Array(n);
      bilinearField(grid, field);
      const counts = [0, 1, n - 1, n, ...Array.from({ length: 12 }, () => Math.floor(rng.uniform() * (n + 1)))];
      for (const count of counts) {
        const [expected, mask] = [new Uint8Array(n), new Uint8Array(n + 4).fill(5)];
        markHighest(field, n, count, expected, 0);
        markHighestOfGrid(grid, count, mask, 2);
        expect(mask.subarray(2, n + 2), `${name}, count ${count}`).toEqual(expected);
        expect([mask[0], mask[1], mask[n + 2], mask[n + 3]]).toEqual([5, 5, 5, 5]); // nothing outside its part
      }
    }
  });
});
