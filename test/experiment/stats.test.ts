// The report's statistics against hand computations (t quantiles from the printed tables:
// t(0.975, 2) = 4.303, t(0.975, 4) = 2.776).
import { describe, expect, it } from 'vitest';

import { mean, pairedDifference, std } from '../../scripts/experiment/stats.js';

describe('stats', () => {
  it('mean and the sample standard deviation (n − 1)', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(std([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(std([3])).toBe(0);
  });

  it('pairs by seed, ignores seeds only one side ran, and gives the 95 % t interval', () => {
    const a = new Map([[1, 0.8], [2, 0.82], [3, 0.81], [9, 0.5]]);
    const b = new Map([[3, 0.805], [1, 0.79], [2, 0.8], [7, 0.1]]);
    const d = pairedDifference(a, b);
    expect(d.seeds).toEqual([1, 2, 3]);
    // differences 0.01, 0.02, 0.005: mean 0.011667, sd 0.0076376, half-width 4.303 · sd / √3
    expect(d.mean).toBeCloseTo(0.0116667, 6);
    expect(d.high! - d.mean).toBeCloseTo((4.303 * 0.0076376) / Math.sqrt(3), 4);
    expect(d.mean - d.low!).toBeCloseTo(d.high! - d.mean, 12);
    expect(d.real).toBe(false);
  });

  it('calls a difference real only when its interval excludes 0, on either side', () => {
    const seeds = [1, 2, 3, 4, 5];
    const base = new Map(seeds.map((s) => [s, 0.8]));
    const up = pairedDifference(new Map(seeds.map((s) => [s, 0.81 + s * 0.001])), base);
    expect(up.mean).toBeCloseTo(0.013, 12);
    expect(up.high! - up.mean).toBeCloseTo((2.776 * std([0.011, 0.012, 0.013, 0.014, 0.015])) / Math.sqrt(5), 5);
    expect(up.real).toBe(true);
    expect(pairedDifference(base, new Map(seeds.map((s) => [s, 0.81 + s * 0.001]))).real).toBe(true);
    const noisy = pairedDifference(new Map(seeds.map((s) => [s, 0.8 + (s % 2 ? 0.01 : -0.012)])), base);
    expect(noisy.real).toBe(false);
  });

  it('has no interval below two pairs', () => {
    const one = pairedDifference(new Map([[1, 0.9]]), new Map([[1, 0.8]]));
    expect(one.mean).toBeCloseTo(0.1, 12);
    expect(one.low).toBeNull();
    expect(one.real).toBe(false);
  });
});
