// Where pasted cells fall (scripts/experiment/on_object.ts), on maps and boxes whose answer is
// worked out by hand from the cells' pixels.
import { describe, expect, it } from 'vitest';

import { meanBoxShare, pastedOnObject, randomMaps } from '../../scripts/experiment/on_object.js';

/** A 7 × 7 map, zeros but for the given cells' values. */
const map7 = (peaks: Record<number, number>) => Float32Array.from({ length: 49 }, (_, i) => peaks[i] ?? 0);

describe('pastedOnObject', () => {
  // 14 × 14 images on a 7 × 7 grid: every cell 2 × 2 pixels
  const peaks = map7({ 0: 9, 1: 8, 7: 7, 8: 6, 48: 5, 47: 4 });
  const maps = Float32Array.from([...peaks, ...peaks]);
  // image 0's garment covers cells 0, 1, 7, 8 exactly; image 1's cells 40, 41, 47, 48
  const boxes = Int32Array.from([0, 0, 4, 10, 10, 4]);

  it('takes the topN highest cells of each map and averages the share of their pixels in the box, of the box pasted and of the image', () => {
    // top 4: all of image 0's pixels inside and its whole box pasted, none of image 1's; 16 of 196 pixels each
    expect(pastedOnObject(maps, boxes, 14, 7, 4)).toEqual({ share: 0.5, missed: 0.5, covered: 0.5, area: 16 / 196 });
    // top 6: 16 of 24 pixels inside for image 0 (its whole box), 8 of 24 (cells 48, 47: half its box) for image 1
    const six = pastedOnObject(maps, boxes, 14, 7, 6);
    expect(six.share).toBeCloseTo((16 / 24 + 8 / 24) / 2, 12);
    expect(six.covered).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(six.area).toBeCloseTo(24 / 196, 12);
    expect(six.missed).toBe(0);
  });

  it('breaks ties towards the lower cell index, as attentiveCutMix', () => {
    expect(pastedOnObject(map7({}), Int32Array.from([0, 0, 2]), 14, 7, 1)).toEqual({ share: 1, missed: 0, covered: 1, area: 4 / 196 });
    expect(pastedOnObject(map7({}), Int32Array.from([0, 2, 2]), 14, 7, 1)).toEqual({ share: 0, missed: 1, covered: 0, area: 4 / 196 });
  });

  it('cuts a side that the grid does not divide as attentiveCutMix does (the last cell takes the remainder)', () => {
    // 10 × 10 on 3 × 3: edges 0, 3, 6, 10; the box is rows 2–3, columns 2–3
    const box = Int32Array.from([2, 2, 2]);
    const grid3 = (peaks: Record<number, number>) => Float32Array.from({ length: 9 }, (_, i) => peaks[i] ?? 0);
    // cell 0: 9 px, 1 inside (1 of the box's 4); cell 4: rows 3–5, columns 3–5, likewise
    for (const cell of [0, 4]) expect(pastedOnObject(grid3({ [cell]: 1 }), box, 10, 3, 1)).toEqual({ share: 1 / 9, missed: 0, covered: 1 / 4, area: 9 / 100 });
    expect(pastedOnObject(grid3({ 8: 1 }), box, 10, 3, 1)).toEqual({ share: 0, missed: 1, covered: 0, area: 16 / 100 }); // cell 8: 16 px, none inside
    const two = pastedOnObject(grid3({ 0: 2, 4: 1 }), box, 10, 3, 2);
    expect([two.share, two.covered, two.area]).toEqual([2 / 18, 2 / 4, 18 / 100]);
  });

  it('refuses maps that do not match the boxes, and a topN outside the grid', () => {
    expect(() => pastedOnObject(maps, Int32Array.from([0, 0, 4]), 14, 7, 6)).toThrow(/98 map values for 1 boxes of a 7 × 7 grid/);
    expect(() => pastedOnObject(maps, boxes, 14, 7, 50)).toThrow(/topN must be a whole number in \[1, 49\], but got 50/);
    expect(() => pastedOnObject(maps, boxes, 14, 7, 0)).toThrow(/topN/);
  });
});

describe('meanBoxShare', () => {
  it('averages each box\'s area over the image\'s', () => {
    // 4 × 4 and 2 × 2 boxes on 10 × 10: 16 % and 4 %
    expect(meanBoxShare(Int32Array.from([0, 0, 4, 5, 5, 2]), 10)).toBeCloseTo(0.1, 12);
  });
});

describe('randomMaps', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(randomMaps(3, 7, 'a')).toEqual(randomMaps(3, 7, 'a'));
    expect(randomMaps(3, 7, 'a')).not.toEqual(randomMaps(3, 7, 'b'));
    expect(randomMaps(3, 7, 'a')).toHaveLength(147);
  });

  it('pastes uniformly drawn cells: over many images, random cells carry the box its share of the cells', () => {
    // a box of 4 of 49 equal cells: 6 uniform cells hold 4/49 of it on average (a draw's share has std ≈ 0.11; 4000 draws ± 0.002),
    // and each of its cells is pasted with probability 6/49 (a draw's cover has std ≈ 0.16; ± 0.003)
    const count = 4000;
    const boxes = Int32Array.from({ length: 3 * count }, (_, i) => [4, 6, 4][i % 3]!);
    const { share, covered } = pastedOnObject(randomMaps(count, 7, 'uniform'), boxes, 14, 7, 6);
    expect(share).toBeGreaterThan(4 / 49 - 0.01);
    expect(share).toBeLessThan(4 / 49 + 0.01);
    expect(covered).toBeGreaterThan(6 / 49 - 0.015);
    expect(covered).toBeLessThan(6 / 49 + 0.015);
  });
});
