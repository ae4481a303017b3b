import { describe, expect, it } from 'vitest';

import { createRng } from '../../src/index.js';
import { type NoiseSpectrum, drawNoise, noiseSpectrum } from '../../src/sampling/fourier_noise.js';
import { noiseField, noiseGrid } from '../../src/sampling/noise_field.js';

/** Σ a·cos(2π(ky·y/H + kx·x/W)) + b·sin(…) at one pixel, term by term. */
function directSum(spectrum: NoiseSpectrum, coefficients: Float64Array, y: number, x: number): number {
  let sum = 0;
  spectrum.ky.forEach((ky, j) => {
    const angle = 2 * Math.PI * ((ky * y) / spectrum.height + (spectrum.kx[j]! * x) / spectrum.width);
    sum += coefficients[2 * j]! * Math.cos(angle) + coefficients[2 * j + 1]! * Math.sin(angle);
  });
  return sum;
}

describe('noiseField', () => {
  it('evaluates Σ a·cos(2π(ky·y/H + kx·x/W)) + b·sin(…) at every pixel where the step is 1 (odd and even sides)', () => {
    for (const [H, W] of [
      [9, 14],
      [10, 7],
    ]) {
      const spectrum = noiseSpectrum(H!, W!, 1.5, 0);
      expect(spectrum.step).toBe(1);
      const coefficients = drawNoise(createRng(`field-${H}`), spectrum);
      const field = new Float64Array(H! * W!);
      noiseField(spectrum, coefficients, field);
      for (let y = 0; y < H!; y++) {
        for (let x = 0; x < W!; x++) expect(field[y * W! + x]).toBeCloseTo(directSum(spectrum, coefficients, y, x), 9);
      }
    }
  });

  it('is exact on the grid of every step-th pixel, with its range, and within the error budget between: 224 × 224, δ = 3', () => {
    const spectrum = noiseSpectrum(224, 224, 3);
    const exactly: NoiseSpectrum = { ...spectrum, step: 1 }; // the same frequencies at every pixel
    const rng = createRng('grid');
    const [field, exact] = [new Float64Array(224 * 224), new Float64Array(224 * 224)];
    let [wrong, total] = [0, 0];
    for (let t = 0; t < 6; t++) {
      const coefficients = drawNoise(rng, spectrum);
      const grid = noiseGrid(spectrum, coefficients, new Float64Array(56 * 56));
      expect([grid.rows, grid.columns, grid.step]).toEqual([56, 56, 4]);
      expect([grid.low, grid.high]).toEqual([Math.min(...grid.values), Math.max(...grid.values)]);
      for (let p = 0; p < 56 * 56; p += 97) expect(grid.values[p]).toBeCloseTo(directSum(spectrum, coefficients, 4 * Math.floor(p / 56), 4 * (p % 56)), 9);
      noiseField(spectrum, coefficients, field);
      noiseField(exactly, coefficients, exact);
      for (let p = 0; p < field.length; p++) [wrong, total] = [wrong + (field[p]! - exact[p]!) ** 2, total + exact[p]! ** 2];
    }
    expect(wrong / total).toBeLessThan(1e-5); // expected 4.9·10⁻⁶ (bilinearError)
    expect(wrong / total).toBeGreaterThan(1e-7); // and it does interpolate
  });
});
