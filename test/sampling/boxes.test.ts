import { describe, expect, it } from 'vitest';

import { boxArea, sampleCenteredBox, sampleMinMaxBox } from '../../src/sampling/boxes.js';
import { type Rng, createRng } from '../../src/sampling/rng.js';

/** An Rng that always returns the same value: puts the box centre at a chosen pixel. */
const constant = (value: number): Rng => ({ uniform: () => value });

describe('sampleCenteredBox', () => {
  it('takes the height from H and the width from W (non-square image)', () => {
    const [H, W] = [12, 100];
    for (const lambda of [0, 0.19, 0.5, 0.75, 0.96]) {
      const [y0, x0, y1, x1] = sampleCenteredBox(constant(0.5), H, W, lambda);
      expect(y1 - y0).toBe(Math.floor(H * Math.sqrt(1 - lambda)));
      expect(x1 - x0).toBe(Math.floor(W * Math.sqrt(1 - lambda)));
    }
  });

  it('centres the box on the drawn pixel and clips it to the image at every border', () => {
    const [H, W] = [10, 20];
    // lambda 0.75: a 5 × 10 box; centre pixel (0, 0) and (9, 19) hang over two borders each.
    expect(sampleCenteredBox(constant(0), H, W, 0.75)).toEqual([0, 0, 3, 5]);
    expect(sampleCenteredBox(constant(0.999), H, W, 0.75)).toEqual([7, 14, 10, 20]);
    expect(sampleCenteredBox(constant(0.5), H, W, 0.75)).toEqual([3, 5, 8, 15]);
  });

  it('reaches every centre pixel, the last row and column included', () => {
    const rng = createRng('centres');
    const seen = new Set<string>();
    for (let t = 0; t < 3000; t++) {
      const [y0, x0, y1, x1] = sampleCenteredBox(rng, 5, 7, 1 - 1 / 25); // a 1 × 1 box: the centre itself
      expect([y1 - y0, x1 - x0]).toEqual([1, 1]);
      seen.add(`${y0},${x0}`);
    }
    expect(seen.size).toBe(35);
  });
});

describe('sampleMinMaxBox', () => {
  it('draws every side length in [⌊lo·size⌋, ⌊hi·size⌋] and every origin where the box fits', () => {
    const [H, W] = [10, 7];
    const rng = createRng('minmax');
    const heights = new Set<number>();
    const widths = new Set<number>();
    const lastRow = new Set<number>();
    const lastCol = new Set<number>();
    for (let t = 0; t < 5000; t++) {
      const [y0, x0, y1, x1] = sampleMinMaxBox(rng, H, W, [0.2, 0.5]);
      expect(y0).toBeGreaterThanOrEqual(0);
      expect(x0).toBeGreaterThanOrEqual(0);
      expect(y1).toBeLessThanOrEqual(H);
      expect(x1).toBeLessThanOrEqual(W);
      heights.add(y1 - y0);
      widths.add(x1 - x0);
      if (y1 === H) lastRow.add(y1 - y0);
      if (x1 === W) lastCol.add(x1 - x0);
    }
    expect([...heights].sort()).toEqual([2, 3, 4, 5]);
    expect([...widths].sort()).toEqual([1, 2, 3]);
    // Boxes of every height touch the last row, of every width the last column.
    expect([...lastRow].sort()).toEqual([2, 3, 4, 5]);
    expect([...lastCol].sort()).toEqual([1, 2, 3]);
  });

  it('gives at least one pixel per side, even when lo·size < 1', () => {
    const rng = createRng(3);
    for (let t = 0; t < 100; t++) expect(boxArea(sampleMinMaxBox(rng, 3, 3, [0.01, 0.05]))).toBe(1);
  });
});
