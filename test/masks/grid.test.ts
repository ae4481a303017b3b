import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { cellMask } from '../../src/masks/cell_mask.js';
import { cellEdges } from '../../src/index.js';
import { gridGeometry, pixelCells } from '../../src/masks/grid.js';
import { read } from '../support/tensors.js';

describe('grid geometry', () => {
  it('tiles the image exactly, with cells ⌊k·size/grid⌋ wide', () => {
    for (const [H, W, grid] of [[224, 224, 7], [32, 32, 7], [33, 17, 5], [7, 9, 7], [5, 5, 1]] as const) {
      const g = gridGeometry(H, W, grid);
      const cells = pixelCells(g);
      expect(g.cellAreas.reduce((a, b) => a + b, 0)).toBe(H * W);
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const r = Math.floor(cells[y * W + x]! / grid);
          const c = cells[y * W + x]! % grid;
          expect(Math.floor((r * H) / grid) <= y && y < Math.floor(((r + 1) * H) / grid)).toBe(true);
          expect(Math.floor((c * W) / grid) <= x && x < Math.floor(((c + 1) * W) / grid)).toBe(true);
        }
      }
    }
  });

  it("gives the paper's 32-pixel cells at 224 px, and CIFAR's 4–5-pixel cells at 32 px", () => {
    expect(new Set(gridGeometry(224, 224, 7).cellAreas)).toEqual(new Set([1024]));
    expect(cellEdges(32, 7)).toEqual([0, 4, 9, 13, 18, 22, 27, 32]);
  });

  it('gives the cell boundaries publicly, as its example says, and refuses a size or grid that is not a whole number ≥ 1', () => {
    expect(cellEdges(224, 7)).toEqual([0, 32, 64, 96, 128, 160, 192, 224]);
    expect(cellEdges(10, 3)).toEqual([0, 3, 6, 10]);
    expect(gridGeometry(10, 10, 3).cellRects.subarray(5 * 4, 6 * 4)).toEqual(Int32Array.from([3, 6, 6, 10])); // cell 5: row 1, column 2
    expect(cellEdges(2, 4)).toEqual([0, 0, 1, 1, 2]); // smaller than the grid: empty cells
    expect(() => cellEdges(10, 0)).toThrow("Argument 'grid' passed to 'cellEdges' must be an integer >= 1, but got 0.");
    expect(() => cellEdges(10.5, 3)).toThrow("Argument 'size' passed to 'cellEdges' must be an integer >= 1, but got 10.5.");
  });
});

describe('cellMask', () => {
  it('marks exactly the pixels of the chosen cells', async () => {
    const g = gridGeometry(11, 8, 3);
    const chosen = tf.tensor2d([[1, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0]], [2, 9], 'float32');
    const mask = cellMask(chosen, g);
    const pixels = await read<boolean[][][][]>(mask);
    for (let y = 0; y < 11; y++) {
      for (let x = 0; x < 8; x++) {
        expect(Boolean(pixels[0]![y]![x]![0])).toBe([0, 4, 8].includes(pixelCells(g)[y * 8 + x]!));
        expect(Boolean(pixels[1]![y]![x]![0])).toBe(false);
      }
    }
    tf.dispose([chosen, mask]);
  });
});
