import { describe, expect, it } from 'vitest';

import { samplePartners } from '../../src/sampling/partners.js';
import { createRng } from '../../src/sampling/rng.js';

describe('samplePartners', () => {
  it("'shuffle' is a permutation, reproducible with a seed", () => {
    for (const b of [1, 2, 5, 32]) {
      const partners = samplePartners(b, 'shuffle', createRng(b));
      expect([...partners].sort((x, y) => x - y)).toEqual(Array.from({ length: b }, (_, i) => i));
      expect(samplePartners(b, 'shuffle', createRng(b))).toEqual(partners);
    }
  });

  it("'shuffle' makes every permutation of 3 about equally often", () => {
    const rng = createRng('perm');
    const counts = new Map<string, number>();
    for (let t = 0; t < 6000; t++) {
      const key = samplePartners(3, 'shuffle', rng).join();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c - 1000)).toBeLessThan(5 * Math.sqrt(1000));
  });

  it("'flip' pairs i with B − 1 − i and 'roll' pairs i with i − 1, for odd and even B", () => {
    const rng = createRng(0);
    expect(samplePartners(5, 'flip', rng)).toEqual([4, 3, 2, 1, 0]);
    expect(samplePartners(4, 'flip', rng)).toEqual([3, 2, 1, 0]);
    expect(samplePartners(5, 'roll', rng)).toEqual([4, 0, 1, 2, 3]);
    expect(samplePartners(1, 'roll', rng)).toEqual([0]);
  });
});
