// A field given by its values on a periodic grid of every `step`-th row and column and bilinear
// between them (src/sampling/noise_field.ts makes the grid): the field at every pixel, and its
// `count` highest pixels found without making it. A bilinear value lies between its cell's four
// corners, so most cells are wholly above or wholly below the threshold, and only the pixels of
// the few cells it may cross are computed. JS arithmetic only.
import { kthLargest, markAmong, markHighest } from './select_highest.js';

/** Values on a periodic grid: the field at pixel (y, x) = (i·step, j·step) is `values[i·columns + j]`. */
export interface NoiseGrid {
  /** `[rows·columns]`, row-major. */
  readonly values: Float64Array;
  readonly rows: number;
  readonly columns: number;
  /** Pixels from one grid point to the next; the field is `[rows·step × columns·step]`. */
  readonly step: number;
  /** The smallest and largest of `values`. */
  readonly low: number;
  readonly high: number;
}

/**
 * The value a fraction `w` in [0, 1) of the way from `a` to `b`: one rule for the field and for
 * the selection, so that both give the same bits. For such `w` it lies between `a` and `b` also
 * when rounded (each step rounds monotonically, and (b − a)·w rounds to at most b − a).
 */
const lerp = (a: number, b: number, w: number) => a + (b - a) * w;

/** The grid's weights t / step, t in [0, step). */
const weightsOf = (step: number) => Float64Array.from({ length: step }, (_, t) => t / step);

/**
 * The field at every pixel, row-major, into `out` `[rows·step × columns·step]`: along the grid's
 * rows first, then down the columns, the grid wrapping around as the field does.
 */
export function bilinearField(grid: NoiseGrid, out: Float64Array): void {
  const { values, rows, columns, step } = grid;
  const width = columns * step;
  const weights = weightsOf(step);
  const wide = new Float64Array(rows * width); // the grid's rows at every column
  for (let i = 0; i < rows; i++) {
    for (let x = 0; x < width; x++) {
      const j = Math.floor(x / step);
      wide[i * width + x] = lerp(values[i * columns + j]!, values[i * columns + ((j + 1) % columns)]!, weights[x - j * step]!);
    }
  }
  for (let y = 0; y < rows * step; y++) {
    const i = Math.floor(y / step);
    const [top, bottom, w] = [i * width, ((i + 1) % rows) * width, weights[y - i * step]!];
    for (let x = 0; x < width; x++) out[y * width + x] = lerp(wide[top + x]!, wide[bottom + x]!, w);
  }
}

// Scratch space kept between calls (a call runs to its end before another starts): per cell, its
// smallest and largest corner and its kind, and a copy of either to select from; per pixel at
// most, the candidates.
let lows = new Float64Array(0);
let highs = new Float64Array(0);
let kinds = new Uint8Array(0);
let candidates = new Int32Array(0);
let candidateValues = new Float64Array(0);
let ranks = new Float64Array(0);
// Per row of cells: the crossed ones, and the grid's two rows interpolated along x over them.
let crossedCells = new Int32Array(0);
let wideTop = new Float64Array(0);
let wideBottom = new Float64Array(0);

const [BELOW, ABOVE, CROSSED] = [0, 1, 2];

/**
 * Marks the `count` highest pixels of the field of `grid` (as {@link bilinearField} makes it) with
 * 1 in `mask` (from `offset`), the others 0; of equal values the lower index first, exactly as
 * {@link markHighest} on that field. With k = ⌈count / step²⌉, the threshold (the count-th
 * highest value) lies between the k-th highest of the cells' smallest corners and the k-th highest
 * of their largest: k cells hold at least `count` pixels. A cell whose smallest corner is above
 * that range is marked whole, one whose largest is below it is left whole, and of the others each
 * pixel is computed: above the range marked, below it left, inside it a candidate for the
 * exact selection.
 */
export function markHighestOfGrid(grid: NoiseGrid, count: number, mask: Uint8Array, offset: number): void {
  const { values, rows, columns, step } = grid;
  const width = columns * step;
  const n = rows * step * width;
  if (step === 1 || count <= 0 || count >= n) return markHighest(values, n, count, mask, offset, [grid.low, grid.high]);
  const cells = rows * columns;
  if (lows.length < cells) [lows, highs, kinds] = [new Float64Array(cells), new Float64Array(cells), new Uint8Array(cells)];
  if (crossedCells.length < columns || wideTop.length < width) [crossedCells, wideTop, wideBottom] = [new Int32Array(columns), new Float64Array(width), new Float64Array(width)];
  if (ranks.length < cells) ranks = new Float64Array(cells);
  if (candidates.length < n) [candidates, candidateValues] = [new Int32Array(n), new Float64Array(n)];
  for (let i = 0; i < rows; i++) {
    const top = i * columns;
    const bottom = ((i + 1) % rows) * columns;
    for (let j = 0; j < columns; j++) {
      const next = (j + 1) % columns;
      const a = values[top + j]!;
      const b = values[top + next]!;
      const c = values[bottom + j]!;
      const d = values[bottom + next]!;
      const ab = a < b;
      const cd = c < d;
      lows[top + j] = Math.min(ab ? a : b, cd ? c : d);
      highs[top + j] = Math.max(ab ? b : a, cd ? d : c);
    }
  }
  const k = Math.ceil(count / (step * step));
  ranks.set(highs.subarray(0, cells));
  const ceiling = kthLargest(ranks.subarray(0, cells), k); // fewer than `count` pixels can be above it
  ranks.set(lows.subarray(0, cells));
  const floor = kthLargest(ranks.subarray(0, cells), k); // at least `count` pixels are at or above it
  for (let c = 0; c < cells; c++) kinds[c] = lows[c]! > ceiling ? ABOVE : highs[c]! < floor ? BELOW : CROSSED;

  const weights = weightsOf(step);
  let above = 0;
  let found = 0;
  for (let i = 0; i < rows; i++) {
    const top = i * columns;
    const bottom = ((i + 1) % rows) * columns;
    const first = offset + i * step * width; // the first pixel row of this row of cells
    // Whole cells: runs filled at once in the first pixel row, which the cells' other rows copy.
    let crossed = 0;
    for (let j = 0; j < columns; ) {
      const kind = kinds[top + j]!;
      let end = j + 1;
      while (end < columns && kinds[top + end] === kind) end++;
      if (kind === ABOVE) above += (end - j) * step * step;
      if (kind !== CROSSED) mask.fill(kind, first + j * step, first + end * step);
      else for (let c = j; c < end; c++) crossedCells[crossed++] = c;
      j = end;
    }
    for (let t = 1; t < step; t++) mask.copyWithin(first + t * width, first, first + width);
    // The crossed cells' pixels, the grid's two rows interpolated along x once per cell.
    for (let q = 0; q < crossed; q++) {
      const j = crossedCells[q]!;
      const next = (j + 1) % columns;
      for (let u = 0; u < step; u++) {
        wideTop[q * step + u] = lerp(values[top + j]!, values[top + next]!, weights[u]!);
        wideBottom[q * step + u] = lerp(values[bottom + j]!, values[bottom + next]!, weights[u]!);
      }
    }
    for (let t = 0; t < step; t++) {
      const wy = weights[t]!;
      const y = i * step + t;
      for (let q = 0; q < crossed; q++) {
        const x0 = crossedCells[q]! * step;
        for (let u = 0; u < step; u++) {
          const v = lerp(wideTop[q * step + u]!, wideBottom[q * step + u]!, wy); // as bilinearField makes it
          const pixel = y * width + x0 + u;
          if (v > ceiling) {
            mask[offset + pixel] = 1;
            above++;
          } else {
            mask[offset + pixel] = 0;
            if (v >= floor) {
              candidates[found] = pixel;
              candidateValues[found++] = v;
            }
          }
        }
      }
    }
  }
  markAmong(candidates, candidateValues, found, count - above, mask, offset);
}
