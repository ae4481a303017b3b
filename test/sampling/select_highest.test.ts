import { describe, expect, it } from 'vitest';

import { createRng } from '../../src/index.js';
import { markHighest } from '../../src/sampling/select_highest.js';

/** The mask of the `count` highest values by a full sort, ties to the lower index: what markHighest must give. */
function sortedMask(field: ArrayLike<number>, count: number): Uint8Array {
  const order = Array.from({ length: field.length }, (_, i) => i).sort((a, b) => field[b]! - field[a]! || a - b);
  const mask = new Uint8Array(field.length);
  for (const i of order.slice(0, Math.max(0, count))) mask[i] = 1;
  return mask;
}

describe('markHighest', () => {
  it('marks exactly `count` values, the highest, ties to the lower index', () => {
    const field = Float64Array.from([0.5, 2, -1, 2, 7, 2, 0.5, 3]);
    const mask = new Uint8Array(10).fill(9);
    markHighest(field, 8, 4, mask, 2); // 7, 3, then two of the three 2s: indices 1 and 3
    expect(Array.from(mask)).toEqual([9, 9, 0, 1, 0, 1, 1, 0, 0, 1]);
    markHighest(field, 8, 0, mask, 0);
    expect(Array.from(mask.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    markHighest(field, 8, 8, mask, 0);
    expect(Array.from(mask.subarray(0, 8))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(field)).toEqual([0.5, 2, -1, 2, 7, 2, 0.5, 3]); // the field is left as it was
  });

  it('agrees with a sort on random fields of every count, with many ties', () => {
    const rng = createRng('select');
    for (let t = 0; t < 50; t++) {
      const n = 1 + Math.floor(rng.uniform() * 200);
      const field = Float64Array.from({ length: n }, () => Math.floor(rng.uniform() * 20));
      const count = Math.floor(rng.uniform() * (n + 1));
      const mask = new Uint8Array(n);
      markHighest(field, n, count, mask, 0);
      expect(mask).toEqual(sortedMask(field, count));
    }
  });

  it('agrees with a sort where the histogram cannot spread the values: all equal, two values, ranges near the largest and the smallest doubles', () => {
    const rng = createRng('select-edges');
    const fields: [string, (i: number) => number][] = [
      ['all equal', () => 0.25],
      ['all zero but one', (i) => (i === 37 ? -1 : 0)],
      ['two values', () => (rng.uniform() < 0.3 ? 1 : -1)],
      ['±1e308 (a range that overflows)', () => (rng.uniform() - 0.5) * 3.5e308],
      ['subnormal steps (a scale that overflows)', () => Math.floor(rng.uniform() * 5) * 5e-324],
      ['tiny spread on a large value', () => 1e15 + Math.floor(rng.uniform() * 4) * 0.125],
      ['Gaussian-like with ties', () => Math.round(10 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5)) / 10],
    ];
    for (const [name, value] of fields) {
      const n = 300;
      const field = Float64Array.from({ length: n }, (_, i) => value(i));
      for (const count of [1, 2, 37, 150, 299]) {
        const mask = new Uint8Array(n);
        markHighest(field, n, count, mask, 0);
        expect(mask, `${name}, count ${count}`).toEqual(sortedMask(field, count));
      }
    }
  });

  it('is exact with any range hint: the true one, a wider one, a narrower one (values outside it), a single point', () => {
    const rng = createRng('select-range');
    const n = 500;
    const field = Float64Array.from({ length: n }, () => Math.floor(rng.uniform() * 50) / 7 - 3);
    const [low, high] = [Math.min(...field), Math.max(...field)];
    const hints: [number, number][] = [
      [low, high],
      [low - 100, high + 100],
      [low / 4, high / 4],
      [1, 1],
      [high, high],
    ];
    for (const hint of hints) {
      for (const count of [1, 13, 250, 499]) {
        const mask = new Uint8Array(n + 3).fill(7);
        markHighest(field, n, count, mask, 3, hint);
        expect(Array.from(mask.subarray(0, 3))).toEqual([7, 7, 7]); // nothing before the offset
        expect(mask.subarray(3), `hint ${hint.join(', ')}, count ${count}`).toEqual(sortedMask(field, count));
      }
    }
  });
});
