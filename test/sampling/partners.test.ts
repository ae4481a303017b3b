import { describe, expect, it } from 'vitest';

import { samplePartners } from '../../src/sampling/partners.js';
import { createRng } from '../../src/sampling/rng.js';

describe('samplePartners', () => {
  it("'shuffle' is a permutation that pairs no sample with itself (B ≥ 2), reproducible with a seed", () => {
    for (const b of [2, 3, 5, 32, 33]) {
      for (let seed = 0; seed < 20; seed++) {
        const partners = samplePartners(b, 'shuffle', createRng(`${b}-${seed}`));
        expect([...partners].sort((x, y) => x - y)).toEqual(Array.from({ length: b }, (_, i) => i));
        expect(partners.every((p, i) => p !== i), `B = ${b}, seed ${seed}: ${partners}`).toBe(true);
        expect(samplePartners(b, 'shuffle', createRng(`${b}-${seed}`))).toEqual(partners);
      }
    }
    expect(samplePartners(1, 'shuffle', createRng(1))).toEqual([0]); // a batch of one has no other sample
  });

  it("'shuffle' makes each of the 9 derangements of 4 about equally often", () => {
    const rng = createRng('derangements');
    const counts = new Map<string, number>();
    const draws = 9000;
    for (let t = 0; t < draws; t++) {
      const key = samplePartners(4, 'shuffle', rng).join();
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(9);
    // χ² over 9 outcomes (8 degrees of freedom): 26.1 is its 0.999 quantile.
    const chi2 = [...counts.values()].reduce((sum, c) => sum + (c - draws / 9) ** 2 / (draws / 9), 0);
    expect(chi2).toBeLessThan(26.1);
  });

  it("'shuffle' gives each sample each other sample as partner equally often", () => {
    const rng = createRng('others');
    const B = 6;
    const counts = Array.from({ length: B }, () => new Array<number>(B).fill(0));
    const draws = 6000;
    for (let t = 0; t < draws; t++) samplePartners(B, 'shuffle', rng).forEach((p, i) => counts[i]![p]!++);
    const expected = draws / (B - 1);
    for (let i = 0; i < B; i++) {
      expect(counts[i]![i]).toBe(0);
      for (let j = 0; j < B; j++) if (j !== i) expect(Math.abs(counts[i]![j]! - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
  });

  it("'shuffle' ends, with a derangement, for a stream that is not random at all", () => {
    for (const value of [0, 0.5, 0.999]) {
      for (const b of [2, 3, 7]) {
        const partners = samplePartners(b, 'shuffle', { uniform: () => value });
        expect([...partners].sort((x, y) => x - y)).toEqual(Array.from({ length: b }, (_, i) => i));
        expect(partners.every((p, i) => p !== i)).toBe(true);
      }
    }
  });

  it("'flip' pairs i with B − 1 − i and 'roll' pairs i with i − 1, for odd and even B", () => {
    const rng = createRng(0);
    expect(samplePartners(5, 'flip', rng)).toEqual([4, 3, 2, 1, 0]);
    expect(samplePartners(4, 'flip', rng)).toEqual([3, 2, 1, 0]);
    expect(samplePartners(5, 'roll', rng)).toEqual([4, 0, 1, 2, 3]);
    expect(samplePartners(1, 'roll', rng)).toEqual([0]);
  });
});
