// Low-frequency Fourier noise and its binary masks, on the CPU (FMix, Harris et al., 2020): a
// real Gaussian random field whose Fourier amplitudes decay as 1/f^δ, thresholded so that a
// given number of pixels is above the threshold. Drawn from the seeded stream like every other
// parameter, and uploaded as a mask.
//
// Why on the host: the mask must keep an exact number of pixels, which needs the k-th largest
// value of each field: a selection that tfjs has no exact, backend-independent op for (a device
// top-k over H·W values per sample sorts on cpu, and orders ties differently on each backend). A
// device FFT would only make the field, and tfjs's FFT of a side that is not a power of two (224)
// is a direct O(n²) transform there. `scripts/measure-fmix.ts` measures both ways.
import seedrandom from 'seedrandom';

import type { Rng } from './rng.js';

/**
 * The share of the field's variance that may be left out: frequencies are taken from the
 * strongest down until the rest carries less than 10⁻⁵ of the variance (0.3 % of the standard
 * deviation). At δ = 3 that keeps 288 of the 25,200 frequencies of a 224 × 224 field (up to 13
 * cycles across, 14 of the 113 horizontal frequencies): 87 times fewer coefficients to draw and,
 * by count of operations, about 20 times less work to evaluate. It changes 0.12–0.16 % of a mask's
 * pixels (0.04–0.08 % at 32 × 32; two runs of ten masks) against the mask of the full spectrum
 * with the same coefficients: `scripts/measure-fmix.ts` measures it, for other δ too.
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
}

const spectra = new Map<string, NoiseSpectrum>();

/**
 * The spectrum of FMix's noise for `height × width` and decay power δ (cached): every frequency
 * (ky, kx) of the half plane, ky in (−H/2, H/2], kx in [0, W/2], the constant term left out (it
 * shifts the field and changes no threshold), with amplitude 1 / max(f, 1/max(H, W))^δ, f the
 * frequency in cycles per pixel, √((ky/H)² + (kx/W)²), as FMix's `get_spectrum` scales it; then
 * only the strongest, see {@link NEGLECTED_VARIANCE}. The amplitudes are divided by the largest,
 * max(H, W)^δ: a constant factor changes no threshold, and without it they overflow to Infinity
 * from δ ≈ 130 at 224 × 224 (a field of NaN, and a mask with nothing pasted).
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
 * The field Σ a·cos(2π(ky·y/H + kx·x/W)) + b·sin(…) at every pixel, row-major, into `out`
 * `[H·W]`: for each kx, the sums over ky per row first, then one cosine and one sine term per
 * pixel (cos(A + B) = cos A cos B − sin A sin B). Columns x and W − x share their cosine and negate
 * their sine, so the terms are summed for the left half only and mirrored: the cost is about
 * H·W/2 per distinct kx.
 */
export function noiseField(spectrum: NoiseSpectrum, coefficients: Float64Array, out: Float64Array): void {
  const { height, width, ky, kx } = spectrum;
  const [cosY, sinY] = unitCircle(height);
  const half = Math.floor(width / 2) + 1; // columns 0 … ⌊W/2⌋; the others mirror 1 … ⌈W/2⌉ − 1
  const even = new Float64Array(height * half); // Σ (a cos A + b sin A)·cos B
  const odd = new Float64Array(height * half); // Σ (b cos A − a sin A)·sin B
  const rowC = new Float64Array(height);
  const rowS = new Float64Array(height);
  for (let j = 0; j < kx.length; ) {
    const column = kx[j]!;
    rowC.fill(0);
    rowS.fill(0);
    for (; j < kx.length && kx[j] === column; j++) {
      const a = coefficients[2 * j]!;
      const b = coefficients[2 * j + 1]!;
      const k = ((ky[j]! % height) + height) % height;
      for (let y = 0, phase = 0; y < height; y++) {
        // a·cos(A + B) + b·sin(A + B) = cos B·(a cos A + b sin A) + sin B·(b cos A − a sin A)
        const cos = cosY[phase]!;
        const sin = sinY[phase]!;
        rowC[y] = rowC[y]! + a * cos + b * sin;
        rowS[y] = rowS[y]! + b * cos - a * sin;
        phase += k;
        if (phase >= height) phase -= height;
      }
    }
    const [cosX, sinX] = harmonic(width, column);
    for (let y = 0; y < height; y++) {
      const c = rowC[y]!;
      const s = rowS[y]!;
      const row = y * half;
      for (let x = 0; x < half; x++) {
        even[row + x] = even[row + x]! + c * cosX[x]!;
        odd[row + x] = odd[row + x]! + s * sinX[x]!;
      }
    }
  }
  for (let y = 0; y < height; y++) {
    const [row, target] = [y * half, y * width];
    for (let x = 0; x < half && x < width; x++) out[target + x] = even[row + x]! + odd[row + x]!;
    for (let x = half; x < width; x++) out[target + x] = even[row + width - x]! - odd[row + width - x]!;
  }
}

const circles = new Map<number, [Float64Array, Float64Array]>();

/** cos and sin of 2π·j/n for j in [0, n): every phase a field needs is one of these. */
function unitCircle(n: number): [Float64Array, Float64Array] {
  let circle = circles.get(n);
  if (!circle) {
    circle = [Float64Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * j) / n)), Float64Array.from({ length: n }, (_, j) => Math.sin((2 * Math.PI * j) / n))];
    circles.set(n, circle);
  }
  return circle;
}

const harmonics = new Map<string, [Float64Array, Float64Array]>();

/** cos and sin of 2π·k·x/n for x in [0, n), taken from {@link unitCircle} (cached). */
function harmonic(n: number, k: number): [Float64Array, Float64Array] {
  const key = `${n}:${k}`;
  let wave = harmonics.get(key);
  if (!wave) {
    const [cos, sin] = unitCircle(n);
    wave = [Float64Array.from({ length: n }, (_, x) => cos[(k * x) % n]!), Float64Array.from({ length: n }, (_, x) => sin[(k * x) % n]!)];
    harmonics.set(key, wave);
  }
  return wave;
}

/**
 * Marks the `count` highest values of `field` `[n]` with 1 in `mask` (from `offset`), the others
 * 0; of equal values the lower index is marked first, so exactly `count` are marked.
 */
export function markHighest(field: Float64Array, n: number, count: number, mask: Uint8Array, offset: number): void {
  if (count <= 0) return void mask.fill(0, offset, offset + n);
  if (count >= n) return void mask.fill(1, offset, offset + n);
  const threshold = kthLargest(field.slice(0, n), count);
  let above = 0;
  for (let i = 0; i < n; i++) {
    const high = field[i]! > threshold;
    mask[offset + i] = high ? 1 : 0;
    if (high) above++;
  }
  for (let i = 0, left = count - above; i < n && left > 0; i++) {
    if (field[i] === threshold) {
      mask[offset + i] = 1;
      left--;
    }
  }
}

/** The k-th largest value (k ≥ 1) of `values`, which it reorders: Hoare's selection, O(n) on average. */
function kthLargest(values: Float64Array, k: number): number {
  let [lo, hi] = [0, values.length - 1];
  const target = k - 1; // its index once sorted in descending order
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let [i, j] = [lo, hi];
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}
