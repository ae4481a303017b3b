import { describe, expect, it } from 'vitest';

import { createRng, sampleFMixParams } from '../../src/index.js';
import { drawNoise, markHighest, noiseField, noiseSpectrum } from '../../src/sampling/fourier_noise.js';

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

  it('agrees with a sort on random fields of every count', () => {
    const rng = createRng('select');
    for (let t = 0; t < 50; t++) {
      const n = 1 + Math.floor(rng.uniform() * 200);
      const field = Float64Array.from({ length: n }, () => Math.floor(rng.uniform() * 20)); // many ties
      const count = Math.floor(rng.uniform() * (n + 1));
      const mask = new Uint8Array(n);
      markHighest(field, n, count, mask, 0);
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => field[b]! - field[a]! || a - b);
      const expected = new Uint8Array(n);
      for (const i of order.slice(0, count)) expected[i] = 1;
      expect(mask).toEqual(expected);
    }
  });
});

describe('noiseSpectrum and noiseField', () => {
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

  it('evaluates Σ a·cos(2π(ky·y/H + kx·x/W)) + b·sin(…) at every pixel', () => {
    const [H, W] = [9, 14];
    const spectrum = noiseSpectrum(H, W, 1.5, 0);
    const coefficients = drawNoise(createRng('field'), spectrum);
    const field = new Float64Array(H * W);
    noiseField(spectrum, coefficients, field);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        let direct = 0;
        spectrum.ky.forEach((ky, j) => {
          const angle = 2 * Math.PI * ((ky * y) / H + (spectrum.kx[j]! * x) / W);
          direct += coefficients[2 * j]! * Math.cos(angle) + coefficients[2 * j + 1]! * Math.sin(angle);
        });
        expect(field[y * W + x]).toBeCloseTo(direct, 9);
      }
    }
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
