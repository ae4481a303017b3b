// The values of a noise field (src/sampling/fourier_noise.ts): the spectrum's sum evaluated
// exactly on a grid of every `step`-th row and column, as a small matrix product per field; the
// pixels between are bilinear (src/sampling/bilinear_grid.ts). JS arithmetic only: the same
// coefficients give the same values everywhere. The loops use plain locals, not destructuring:
// V8 keeps the arrays of `const [a, b] = [x, y]` in a loop (30–40 % slower, measured).
import { type NoiseGrid, bilinearField } from './bilinear_grid.js';
import type { NoiseSpectrum } from './fourier_noise.js';

/**
 * What evaluating the spectrum on a periodic grid of `rows × columns` points needs, made once per
 * spectrum: the frequencies grouped by kx, the phase tables, and scratch space (a field is
 * evaluated to its end before the next starts, so one set serves every call).
 */
interface GridPlan {
  readonly rows: number;
  readonly columns: number;
  /**
   * The frequencies as terms: per distinct kx, one term per |ky|, which sums the frequencies ky
   * and −ky (cos(−A) = cos A, sin(−A) = −sin A): half the work where both are kept. `groups`: the
   * first term of each kx, then the number of terms; per term, |ky| mod rows (how far its phase
   * index moves from one grid row to the next) and the index of the frequency ky and of −ky (−1
   * where not kept).
   */
  readonly groups: Int32Array;
  readonly steps: Int32Array;
  readonly plus: Int32Array;
  readonly minus: Int32Array;
  /** cos and sin of 2π·y/rows. */
  readonly cosY: Float64Array;
  readonly sinY: Float64Array;
  /** cos and sin of 2π·kx·x/columns for x in [0, ⌊columns/2⌋], one run per group. */
  readonly cosX: Float64Array;
  readonly sinX: Float64Array;
  /** Per group, Σ a·cos, b·sin, b·cos and a·sin of ky's phase, for rows 0 … ⌊rows/2⌋ (the others mirror them). */
  readonly sums: Float64Array;
  /** Per group and row, the factors of cos and sin of kx's phase: `[groups × rows]`. */
  readonly factorC: Float64Array;
  readonly factorS: Float64Array;
  /** One row's sums over the groups of the cosine and the sine terms, for columns 0 … ⌊columns/2⌋. */
  readonly even: Float64Array;
  readonly odd: Float64Array;
}

const plans = new WeakMap<NoiseSpectrum, GridPlan>();

function planOf(spectrum: NoiseSpectrum): GridPlan {
  const cached = plans.get(spectrum);
  if (cached) return cached;
  const { height, width, step, ky, kx } = spectrum;
  const [rows, columns] = [height / step, width / step];
  const starts = Array.from(kx.keys()).filter((j) => j === 0 || kx[j] !== kx[j - 1]);
  const terms: { group: number; size: number; plus: number; minus: number }[] = [];
  starts.forEach((first, g) => {
    const bySize = new Map<number, { group: number; size: number; plus: number; minus: number }>();
    for (let j = first; j < kx.length && kx[j] === kx[first]; j++) {
      const size = Math.abs(ky[j]!);
      if (!bySize.has(size)) terms.push(bySize.set(size, { group: g, size, plus: -1, minus: -1 }).get(size)!);
      bySize.get(size)![ky[j]! < 0 ? 'minus' : 'plus'] = j;
    }
  });
  const half = Math.floor(columns / 2) + 1;
  const [cosX, sinX] = [new Float64Array(starts.length * half), new Float64Array(starts.length * half)];
  starts.forEach((j, g) => {
    for (let x = 0; x < half; x++) {
      const angle = (2 * Math.PI * ((kx[j]! * x) % columns)) / columns;
      [cosX[g * half + x], sinX[g * half + x]] = [Math.cos(angle), Math.sin(angle)];
    }
  });
  const plan: GridPlan = {
    rows,
    columns,
    groups: Int32Array.from([...starts.map((_, g) => terms.findIndex((t) => t.group === g)), terms.length]),
    steps: Int32Array.from(terms, (t) => t.size % rows),
    plus: Int32Array.from(terms, (t) => t.plus),
    minus: Int32Array.from(terms, (t) => t.minus),
    cosY: Float64Array.from({ length: rows }, (_, y) => Math.cos((2 * Math.PI * y) / rows)),
    sinY: Float64Array.from({ length: rows }, (_, y) => Math.sin((2 * Math.PI * y) / rows)),
    cosX,
    sinX,
    sums: new Float64Array(4 * (Math.floor(rows / 2) + 1)),
    factorC: new Float64Array(starts.length * rows),
    factorS: new Float64Array(starts.length * rows),
    even: new Float64Array(half),
    odd: new Float64Array(half),
  };
  plans.set(spectrum, plan);
  return plan;
}

/**
 * The field's exact values on the grid of every `spectrum.step`-th row and column (see
 * {@link noiseSpectrum}), written to `out` ({@link gridSize} values or more), which becomes the grid's `values`.
 */
export function noiseGrid(spectrum: NoiseSpectrum, coefficients: Float64Array, out: Float64Array): NoiseGrid {
  const plan = planOf(spectrum);
  const [low, high] = evaluateGrid(plan, coefficients, out);
  return { values: out, rows: plan.rows, columns: plan.columns, step: spectrum.step, low, high };
}

/** The number of the grid's values, `(H / step)·(W / step)`. */
export function gridSize(spectrum: NoiseSpectrum): number {
  return (spectrum.height / spectrum.step) * (spectrum.width / spectrum.step);
}

/**
 * The field Σ a·cos(2π(ky·y/H + kx·x/W)) + b·sin(…) at every pixel, row-major, into `out`
 * `[H·W]`: exact on the grid of {@link noiseGrid}, bilinear between ({@link bilinearField}).
 */
export function noiseField(spectrum: NoiseSpectrum, coefficients: Float64Array, out: Float64Array): void {
  bilinearField(noiseGrid(spectrum, coefficients, new Float64Array(gridSize(spectrum))), out);
}

/**
 * The spectrum's sum at the grid's points, into `out` `[rows·columns]`, and their range: for each
 * kx, the sums over its ky per row first (the factors of kx's cosine and sine, ky and −ky summed
 * together), then per point one product per kx, a matrix product of `[rows × 2·groups]` by
 * `[2·groups × columns]`. Rows y and rows − y share their cosines and negate their sines, and so
 * do columns: the sums run over the first half of each and are mirrored.
 */
function evaluateGrid(plan: GridPlan, coefficients: Float64Array, out: Float64Array): [number, number] {
  const { rows, columns, groups, steps, plus, minus, cosY, sinY, cosX, sinX, sums, factorC, factorS, even, odd } = plan;
  const kinds = groups.length - 1;
  const upper = Math.floor(rows / 2) + 1; // rows 0 … ⌊rows/2⌋; rows − y mirrors y
  for (let g = 0; g < kinds; g++) {
    sums.fill(0);
    for (let term = groups[g]!; term < groups[g + 1]!; term++) {
      // a₊cos A + b₊sin A + a₋cos A − b₋sin A, and for the sine factor b cos A − a sin A likewise.
      const p = plus[term]!;
      const m = minus[term]!;
      const aPlus = p < 0 ? 0 : coefficients[2 * p]!;
      const bPlus = p < 0 ? 0 : coefficients[2 * p + 1]!;
      const aMinus = m < 0 ? 0 : coefficients[2 * m]!;
      const bMinus = m < 0 ? 0 : coefficients[2 * m + 1]!;
      const a = aPlus + aMinus;
      const b = bPlus - bMinus;
      const bc = bPlus + bMinus;
      const as = aPlus - aMinus;
      const step = steps[term]!;
      for (let y = 0, phase = 0, i = 0; y < upper; y++, i += 4) {
        const c = cosY[phase]!;
        const s = sinY[phase]!;
        sums[i] = sums[i]! + a * c;
        sums[i + 1] = sums[i + 1]! + b * s;
        sums[i + 2] = sums[i + 2]! + bc * c;
        sums[i + 3] = sums[i + 3]! + as * s;
        phase += step;
        if (phase >= rows) phase -= rows;
      }
    }
    // a·cos(A + B) + b·sin(A + B) = cos B·(a cos A + b sin A) + sin B·(b cos A − a sin A); A → −A at rows − y.
    const first = g * rows;
    for (let y = 0, i = 0; y < upper; y++, i += 4) {
      factorC[first + y] = sums[i]! + sums[i + 1]!;
      factorS[first + y] = sums[i + 2]! - sums[i + 3]!;
      if (y > 0 && rows - y >= upper) {
        factorC[first + rows - y] = sums[i]! - sums[i + 1]!;
        factorS[first + rows - y] = sums[i + 2]! + sums[i + 3]!;
      }
    }
  }
  const half = even.length; // columns 0 … ⌊columns/2⌋; columns − x mirrors x
  let low = Infinity;
  let high = -Infinity;
  for (let y = 0; y < rows; y++) {
    even.fill(0);
    odd.fill(0);
    let g = 0;
    for (; g + 1 < kinds; g += 2) {
      // Two kx at a time: half the reads and writes of the row's sums.
      const c0 = factorC[g * rows + y]!;
      const s0 = factorS[g * rows + y]!;
      const c1 = factorC[(g + 1) * rows + y]!;
      const s1 = factorS[(g + 1) * rows + y]!;
      const x0 = g * half;
      const x1 = x0 + half;
      for (let x = 0; x < half; x++) {
        even[x] = even[x]! + c0 * cosX[x0 + x]! + c1 * cosX[x1 + x]!;
        odd[x] = odd[x]! + s0 * sinX[x0 + x]! + s1 * sinX[x1 + x]!;
      }
    }
    if (g < kinds) {
      const c = factorC[g * rows + y]!;
      const s = factorS[g * rows + y]!;
      const x0 = g * half;
      for (let x = 0; x < half; x++) {
        even[x] = even[x]! + c * cosX[x0 + x]!;
        odd[x] = odd[x]! + s * sinX[x0 + x]!;
      }
    }
    const row = y * columns;
    for (let x = 0; x < half && x < columns; x++) {
      const v = even[x]! + odd[x]!;
      out[row + x] = v;
      if (v < low) low = v;
      if (v > high) high = v;
    }
    for (let x = half; x < columns; x++) {
      const v = even[columns - x]! - odd[columns - x]!;
      out[row + x] = v;
      if (v < low) low = v;
      if (v > high) high = v;
    }
  }
  return [low, high];
}
