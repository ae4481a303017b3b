// Low-frequency Fourier noise and its binary masks, on the CPU (FMix, Harris et al., 2020): a
// real Gaussian random field whose Fourier amplitudes decay as 1/f^δ, thresholded so that a
// given number of pixels is above the threshold. Drawn from the seeded stream like every other
// parameter, and uploaded as a mask.
//
// Why on the host: the mask must keep an exact number of pixels, which needs the k-th largest
// value of each field: a selection that tfjs has no exact, backend-independent op for (a device
// top-k over H·W values per sample sorts on cpu, and orders ties differently on each backend). A
// device FFT would only make the field, and tfjs's FFT of a side that is not a power of two (224)
// is a direct O(n²) transform there. `scripts/measure-fmix.ts` measures both ways. The field's
// values: src/sampling/noise_field.ts; the selection: src/sampling/bilinear_grid.ts and
// src/sampling/select_highest.ts.
import seedrandom from 'seedrandom';

import type { Rng } from './rng.js';

/**
 * The share of the field's variance that may be left out, and the share that interpolation may
 * get wrong. Frequencies are taken from the strongest down until the rest carries less than 10⁻⁵
 * of the variance (0.3 % of the standard deviation). At δ = 3 that keeps 288 of the 25,200
 * frequencies of a 224 × 224 field (up to 13 cycles across, 14 of the 113 horizontal
 * frequencies): 87 times fewer coefficients to draw and, by count of operations, about 20 times
 * less work to evaluate. It changes 0.11–0.16 % of a mask's pixels (0.04–0.12 % at 32 × 32; three
 * runs of ten masks) against the mask of the full spectrum with the same coefficients. Then the
 * field is evaluated exactly on a grid as coarse as keeps the expected error of bilinear
 * interpolation between its points under the same 10⁻⁵ of the variance: every 4th row and column
 * at 224 × 224, δ = 3 (16 times fewer exact values; 0.05 % of a mask's pixels change against the
 * exact field of the same frequencies, 0.13 % against the full spectrum's where the truncation
 * alone changes 0.11 %), none at 32 × 32. `scripts/measure-fmix.ts` measures both, for other δ too.
 */
const NEGLECTED_VARIANCE = 1e-5;

/** The frequencies a field of `height × width` is made of, with their amplitudes. */
export interface NoiseSpectrum {
  readonly height: number;
  readonly width: number;
  /** Vertical frequencies (cycles per image height), grouped by `kx`. */
  readonly ky: Int32Array;
  /** Horizontal frequencies (cycles per image width), ascending. */
  readonly kx: Int32Array;
  /** The standard deviation of each frequency's cosine and sine coefficients. */
  readonly amplitude: Float64Array;
  /**
   * The field is evaluated exactly at every `step`-th row and column (a divisor of H and W) and
   * bilinearly between; 1: at every pixel. See {@link NEGLECTED_VARIANCE}.
   */
  readonly step: number;
}

const spectra = new Map<string, NoiseSpectrum>();

/**
 * The spectrum of FMix's noise for `height × width` and decay power δ (cached): every frequency
 * (ky, kx) of the half plane, ky in (−H/2, H/2], kx in [0, W/2], the constant term left out (it
 * shifts the field and changes no threshold), with amplitude 1 / max(f, 1/max(H, W))^δ, f the
 * frequency in cycles per pixel, √((ky/H)² + (kx/W)²), as FMix's `get_spectrum` scales it; then
 * only the strongest, see {@link NEGLECTED_VARIANCE}. The amplitudes are divided by the largest,
 * max(H, W)^δ: a constant factor changes no threshold, and without it they overflow to Infinity
 * from δ ≈ 130 at 224 × 224 (a field of NaN, and a mask with nothing pasted). The grid step: see
 * {@link interpolationStep}.
 */
export function noiseSpectrum(height: number, width: number, decay: number, neglected = NEGLECTED_VARIANCE): NoiseSpectrum {
  const key = `${height}×${width}^${decay}/${neglected}`;
  const cached = spectra.get(key);
  if (cached) return cached;
  const all: { ky: number; kx: number; amplitude: number }[] = [];
  const floor = 1 / Math.max(height, width);
  for (let kx = 0; kx <= Math.floor(width / 2); kx++) {
    for (let ky = Math.floor(height / 2) - height + 1; ky <= Math.floor(height / 2); ky++) {
      if (kx === 0 && ky <= 0) continue; // the constant term, and the mirror image of the first column
      const f = Math.hypot(ky / height, kx / width);
      all.push({ ky, kx, amplitude: Math.max(f / floor, 1) ** -decay });
    }
  }
  // The strongest first (ties in a fixed order), then the tail whose variance is below the bound dropped.
  all.sort((a, b) => b.amplitude - a.amplitude || a.kx - b.kx || a.ky - b.ky);
  const total = all.reduce((s, f) => s + f.amplitude * f.amplitude, 0);
  let kept = all.length;
  for (let tail = 0; kept > 1 && tail + all[kept - 1]!.amplitude ** 2 <= neglected * total; kept--) tail += all[kept - 1]!.amplitude ** 2;
  const chosen = all.slice(0, kept).sort((a, b) => a.kx - b.kx || a.ky - b.ky);
  const spectrum = {
    height,
    width,
    ky: Int32Array.from(chosen, (f) => f.ky),
    kx: Int32Array.from(chosen, (f) => f.kx),
    amplitude: Float64Array.from(chosen, (f) => f.amplitude),
    step: interpolationStep(height, width, chosen, neglected),
  };
  spectra.set(key, spectrum);
  return spectrum;
}

/**
 * The coefficients of one field: a cosine and a sine coefficient per frequency, `[2n]`, each
 * N(0, amplitude²) and independent: Marsaglia's polar method, a pair of normals from a point drawn
 * uniformly in the unit disc (two uniforms, 4/π tries on average), with a logarithm and a square
 * root and no cosine or sine (a third faster than Box–Muller's pair, measured at 32 × 32). The
 * uniforms come from a generator of the field's own (seedrandom's Alea) keyed by one draw of
 * `rng`: a field costs the stream one draw, not two or more per frequency, and is drawn in about
 * half the time (measured at 32 × 32, 249 frequencies).
 */
export function drawNoise(rng: Rng, spectrum: NoiseSpectrum): Float64Array {
  const n = spectrum.amplitude.length;
  const uniform = seedrandom.alea(String(rng.uniform()));
  const coefficients = new Float64Array(2 * n);
  for (let j = 0; j < n; j++) {
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0); // s = 0 has no direction (and log 0 is -Infinity)
    const scale = spectrum.amplitude[j]! * Math.sqrt((-2 * Math.log(s)) / s);
    coefficients[2 * j] = u * scale;
    coefficients[2 * j + 1] = v * scale;
  }
  return coefficients;
}

/**
 * The largest step, a divisor of H and W, at which bilinear interpolation between the exact values
 * at every step-th row and column gets wrong less than `neglected` of the field's variance, in
 * expectation over the coefficients and the pixels ({@link bilinearError}); 1 if none does.
 */
function interpolationStep(height: number, width: number, frequencies: readonly { ky: number; kx: number; amplitude: number }[], neglected: number): number {
  const total = frequencies.reduce((s, f) => s + f.amplitude * f.amplitude, 0);
  let chosen = 1;
  for (let step = 2; step <= Math.min(height, width); step++) {
    if (height % step !== 0 || width % step !== 0) continue;
    const error = frequencies.reduce((s, f) => s + f.amplitude * f.amplitude * bilinearError(f.ky / height, f.kx / width, step), 0);
    if (!(error <= neglected * total)) break; // the error grows with the step
    chosen = step;
  }
  return chosen;
}

/**
 * The mean square error, over the pixels of a cell, of bilinear interpolation on a grid of `step`
 * pixels of the wave e^{2πi(fy·y + fx·x)} (frequencies in cycles per pixel), whose mean square is
 * 1: a term a·cos + b·sin of the field with a, b ~ N(0, σ²) gets σ² times it wrong on average.
 * Along one axis the interpolant is L(u) = (1 − u) + u·e^{iωs} where the wave is E(u) = e^{iωsu},
 * u = t/s; the cell's mean of |ExEy − LxLy|² is 1 + mean|Lx|²·mean|Ly|² − 2 Re(mean(Ex·L̄x)·mean(Ey·L̄y)).
 */
export function bilinearError(fy: number, fx: number, step: number): number {
  const [ay, by, cy] = axisMeans(fy, step);
  const [ax, bx, cx] = axisMeans(fx, step);
  return 1 + ay * ax - 2 * (by * bx - cy * cx);
}

/** mean |L|², and the real and imaginary parts of mean E·L̄, over u = t/step (see {@link bilinearError}). */
function axisMeans(frequency: number, step: number): [number, number, number] {
  const omega = 2 * Math.PI * frequency * step; // the phase across one cell
  const [endC, endS] = [Math.cos(omega), Math.sin(omega)];
  let [square, real, imaginary] = [0, 0, 0];
  for (let t = 0; t < step; t++) {
    const u = t / step;
    const [lr, li] = [1 - u + u * endC, u * endS];
    const [er, ei] = [Math.cos(omega * u), Math.sin(omega * u)];
    square += lr * lr + li * li;
    real += er * lr + ei * li;
    imaginary += ei * lr - er * li;
  }
  return [square / step, real / step, imaginary / step];
}
