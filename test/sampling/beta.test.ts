import { describe, expect, it } from 'vitest';

import { sampleBeta, sampleGamma } from '../../src/sampling/beta.js';
import { sampleCutMixParams, sampleMixupParams } from '../../src/sampling/params.js';
import { createRng } from '../../src/sampling/rng.js';

const N = 20_000;

function moments(values: number[]) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

describe('sampleGamma', () => {
  it.each([0.1, 0.3, 1, 2.5, 9])('has mean and variance k for shape k = %s', (k) => {
    const rng = createRng(`gamma-${k}`);
    const { mean, variance } = moments(Array.from({ length: N }, () => sampleGamma(rng, k)));
    // Gamma(k, 1): mean k, variance k; the standard error of the mean is sqrt(k / N).
    expect(Math.abs(mean - k)).toBeLessThan(5 * Math.sqrt(k / N));
    expect(Math.abs(variance / k - 1)).toBeLessThan(0.1);
  });
});

describe('sampleBeta', () => {
  const cases: [number, number][] = [
    [0.1, 0.1],
    [0.2, 0.2],
    [0.4, 0.4],
    [1, 1],
    [2, 2],
    [8, 8],
    [2, 5],
    [0.5, 3],
  ];
  it.each(cases)('matches the mean and variance of Beta(%s, %s)', (a, b) => {
    const rng = createRng(`beta-${a}-${b}`);
    const values = Array.from({ length: N }, () => sampleBeta(rng, a, b));
    expect(values.every((v) => v >= 0 && v <= 1)).toBe(true);
    const { mean, variance } = moments(values);
    const trueMean = a / (a + b);
    const trueVariance = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(mean - trueMean)).toBeLessThan(5 * Math.sqrt(trueVariance / N));
    expect(Math.abs(variance / trueVariance - 1)).toBeLessThan(0.06);
  });

  it('is uniform for alpha = 1 (Kolmogorov–Smirnov at the 1% level)', () => {
    const rng = createRng('ks');
    const values = Array.from({ length: N }, () => sampleBeta(rng, 1, 1)).sort((x, y) => x - y);
    const d = Math.max(...values.map((v, i) => Math.max((i + 1) / N - v, v - i / N)));
    expect(d).toBeLessThan(1.63 / Math.sqrt(N));
  });

  it('stays finite and in [0, 1] for a tiny alpha, where the Gamma draws underflow', () => {
    const rng = createRng('tiny');
    const values = Array.from({ length: 2000 }, () => sampleBeta(rng, 0.005, 0.005));
    expect(values.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    // Beta(ε, ε) puts its mass at the two ends, half at each.
    const low = values.filter((v) => v < 0.5).length / values.length;
    expect(low).toBeGreaterThan(0.45);
    expect(low).toBeLessThan(0.55);
  });
});

describe('termination for any Rng that keeps its contract', () => {
  // Streams that are not random at all still return numbers in [0, 1): a sampler must answer.
  const constant = (value: number) => ({ uniform: () => value });
  const cycle = (values: number[]) => {
    let k = 0;
    return { uniform: () => values[k++ % values.length]! };
  };
  const streams = [constant(0), constant(0.5), constant(0.999), constant(1 - 2 ** -53), cycle([0, 0.999]), cycle([0.25, 0.75, 0])];

  it.each([0.005, 0.2, 1, 2.5, 1000])('draws Gamma(%s) and Beta from constant and cyclic streams, finite and in range', (shape) => {
    for (const rng of streams) {
      expect(Number.isFinite(sampleGamma(rng, shape))).toBe(true);
      const beta = sampleBeta(rng, shape, shape);
      expect(beta).toBeGreaterThanOrEqual(0);
      expect(beta).toBeLessThanOrEqual(1);
    }
  });

  it('lets sampleMixupParams and sampleCutMixParams finish with a stream that always returns 0', () => {
    const zero = constant(0);
    expect(sampleMixupParams(4, { seed: zero, mode: 'elem' }).lambda).toHaveLength(4);
    expect(sampleCutMixParams([4, 8, 8, 3], { seed: zero, mode: 'elem' }).boxes).toHaveLength(4);
    expect(sampleCutMixParams([4, 8, 8, 3], { seed: constant(0.5), alpha: 0.3 }).boxes).toHaveLength(4);
  });
});
