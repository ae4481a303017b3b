import { describe, expect, it } from 'vitest';

import { createRng, sampleFMixParams } from '../../src/index.js';
import { bilinearError, drawNoise, noiseSpectrum } from '../../src/sampling/fourier_noise.js';

describe('noiseSpectrum and drawNoise', () => {
  it('keep the strongest frequencies, 1/max(f, 1/size)^δ over its largest value, leaving out under 10⁻⁵ of the variance, never the constant term', () => {
    const [H, W, decay] = [40, 30, 3];
    const kept = noiseSpectrum(H, W, decay);
    const full = noiseSpectrum(H, W, decay, 0);
    expect(full.amplitude.length).toBe(Math.floor(W / 2) * H + Math.floor(H / 2)); // the half plane less the constant term
    const keys = new Set(Array.from(kept.ky, (ky, j) => `${ky},${kept.kx[j]}`));
    let [dropped, total, weakestKept, strongestDropped] = [0, 0, Infinity, 0];
    full.amplitude.forEach((a, j) => {
      const expected = Math.max(Math.hypot(full.ky[j]! / H, full.kx[j]! / W), 1 / 40) ** -decay / 40 ** decay;
      expect(a).toBeCloseTo(expected, 12);
      total += a * a;
      if (keys.has(`${full.ky[j]},${full.kx[j]}`)) weakestKept = Math.min(weakestKept, a);
      else [dropped, strongestDropped] = [dropped + a * a, Math.max(strongestDropped, a)];
    });
    expect(dropped / total).toBeLessThan(1e-5);
    expect(strongestDropped).toBeLessThanOrEqual(weakestKept);
    expect(kept.amplitude.length).toBeLessThan(full.amplitude.length / 2);
    expect(Array.from(kept.kx).every((kx, j) => kx > 0 || kept.ky[j]! > 0)).toBe(true);
  });

  it('draws coefficients with the standard deviation of each frequency', () => {
    const spectrum = noiseSpectrum(16, 16, 2, 0);
    const rng = createRng('normal');
    const sums = new Float64Array(spectrum.amplitude.length);
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const c = drawNoise(rng, spectrum);
      spectrum.amplitude.forEach((a, j) => (sums[j] = sums[j]! + (c[2 * j]! / a) ** 2 + (c[2 * j + 1]! / a) ** 2));
    }
    const meanSquare = sums.reduce((s, v) => s + v, 0) / (2 * trials * spectrum.amplitude.length);
    expect(Math.abs(meanSquare - 1)).toBeLessThan(0.02);
  });

  it('draws normal coefficients: the shares within one and two standard deviations, and no correlation of a pair', () => {
    const spectrum = noiseSpectrum(16, 16, 2, 0);
    const rng = createRng('normal-shape');
    let [within1, within2, product, count] = [0, 0, 0, 0];
    for (let t = 0; t < 200; t++) {
      const c = drawNoise(rng, spectrum);
      spectrum.amplitude.forEach((a, j) => {
        const [u, v] = [c[2 * j]! / a, c[2 * j + 1]! / a];
        for (const z of [u, v]) [within1, within2] = [within1 + (Math.abs(z) < 1 ? 1 : 0), within2 + (Math.abs(z) < 2 ? 1 : 0)];
        [product, count] = [product + u * v, count + 2];
      });
    }
    expect(Math.abs(within1 / count - 0.6827)).toBeLessThan(0.005); // about 50,000 draws: a standard error near 0.002
    expect(Math.abs(within2 / count - 0.9545)).toBeLessThan(0.003);
    expect(Math.abs(product / (count / 2))).toBeLessThan(0.02);
  });
});

describe('bilinearError and the grid step', () => {
  it('is the mean square error of bilinear interpolation of a wave over a cell, measured pixel by pixel', () => {
    for (const [fy, fx, step] of [
      [1 / 224, 2 / 224, 4],
      [-5 / 96, 3 / 96, 2],
      [0, 1 / 32, 8],
      [3 / 40, 0, 5],
    ] as const) {
      // The wave e^{2πi(fy·y + fx·x)} at the cell's corners and at each pixel; the interpolant from the corners.
      const wave = (y: number, x: number): [number, number] => [Math.cos(2 * Math.PI * (fy * y + fx * x)), Math.sin(2 * Math.PI * (fy * y + fx * x))];
      const [c00, c01, c10, c11] = [wave(0, 0), wave(0, step), wave(step, 0), wave(step, step)];
      let sum = 0;
      for (let t = 0; t < step; t++) {
        for (let u = 0; u < step; u++) {
          const [v, w] = [t / step, u / step];
          const interpolated = [0, 1].map((k) => (1 - v) * ((1 - w) * c00[k]! + w * c01[k]!) + v * ((1 - w) * c10[k]! + w * c11[k]!));
          const exact = wave(t, u);
          sum += (exact[0] - interpolated[0]!) ** 2 + (exact[1] - interpolated[1]!) ** 2;
        }
      }
      expect(bilinearError(fy, fx, step)).toBeCloseTo(sum / (step * step), 12);
    }
  });

  it('takes the largest step whose expected error is under the neglected share: 4 at 224 × 224 and 2 at 96 × 96 (δ = 3), none at 32 × 32 or for the full spectrum', () => {
    expect(noiseSpectrum(224, 224, 3).step).toBe(4);
    expect(noiseSpectrum(96, 96, 3).step).toBe(2);
    expect(noiseSpectrum(32, 32, 3).step).toBe(1);
    expect(noiseSpectrum(96, 96, 3, 0).step).toBe(1);
    for (const [H, W] of [
      [224, 224],
      [96, 96],
    ]) {
      const spectrum = noiseSpectrum(H!, W!, 3);
      const error = (step: number) => {
        let [wrong, total] = [0, 0];
        spectrum.amplitude.forEach((a, j) => [wrong, total] = [wrong + a * a * bilinearError(spectrum.ky[j]! / H!, spectrum.kx[j]! / W!, step), total + a * a]);
        return wrong / total;
      };
      expect(error(spectrum.step)).toBeLessThanOrEqual(1e-5);
      const next = [2, 3, 4, 5, 6, 7, 8].find((s) => s > spectrum.step && H! % s === 0 && W! % s === 0)!;
      expect(error(next)).toBeGreaterThan(1e-5);
    }
  });
});

describe('sampleFMixParams', () => {
  it('keeps lambda the share of the mask for a decay so large that 1/f^δ overflows a double', () => {
    for (const decay of [3, 200, 1000]) {
      const params = sampleFMixParams([2, 16, 20], { decay, seed: 8, mode: 'elem' });
      params.lambda.forEach((l, i) => {
        const pasted = params.masks.subarray(i * 320, (i + 1) * 320).reduce((s, m) => s + m, 0);
        expect(pasted).toBeGreaterThan(0);
        expect(l).toBe(Math.fround(1 - pasted / 320));
      });
    }
  });

  it('pastes ⌈(1 − λ)·H·W⌉ pixels for λ ~ Beta(alpha, alpha), lambda their exact complement', () => {
    const rng = createRng('fmix-lambda');
    const [H, W] = [8, 10];
    const lambdas: number[] = [];
    for (let t = 0; t < 400; t++) {
      const params = sampleFMixParams([2, H, W], { seed: rng, partner: 'flip', mode: 'elem' });
      params.lambda.forEach((l, i) => {
        const pasted = params.masks.subarray(i * H * W, (i + 1) * H * W).reduce((s, m) => s + m, 0);
        expect(l).toBe(Math.fround(1 - pasted / (H * W)));
        lambdas.push(l);
      });
    }
    const mean = lambdas.reduce((s, l) => s + l, 0) / lambdas.length;
    expect(Math.abs(mean - (0.5 - 0.5 / (H * W)))).toBeLessThan(0.03); // Beta(1, 1), rounded down to whole pixels
  });
});
