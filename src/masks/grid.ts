// The geometry of a grid × grid partition of an image, computed once on the CPU: cell (r, c)
// covers rows ⌊r·H/grid⌋ ≤ y < ⌊(r+1)·H/grid⌋ and columns ⌊c·W/grid⌋ ≤ x < ⌊(c+1)·W/grid⌋,
// which tiles any H × W ≥ grid × grid exactly.
import { assertNumber } from '../validation.js';

/** The grid × grid cells of an image, as the plain arrays the masks are built from. */
export interface GridGeometry {
  readonly grid: number;
  readonly height: number;
  readonly width: number;
  /** The row boundaries ⌊k·H/grid⌋, k = 0 … grid. */
  readonly rowEdges: readonly number[];
  /** The column boundaries ⌊k·W/grid⌋, k = 0 … grid. */
  readonly colEdges: readonly number[];
  /** Pixel count of every cell, row-major, `[grid²]`. */
  readonly cellAreas: Float32Array;
  /** `[y0, x0, y1, x1]` of every cell, row-major, then an empty rectangle: `[(grid² + 1) · 4]`. */
  readonly cellRects: Int32Array;
}

/**
 * The boundaries ⌊k·size/grid⌋, k = 0 … grid, of the cells that attentiveCutMix (and
 * applyAttentiveCutMix) cut a side of `size` pixels into: cell `r·grid + c` of a result's `cells`
 * covers rows `edges[r] ≤ y < edges[r + 1]` of `cellEdges(height, grid)` and columns
 * `edges[c] ≤ x < edges[c + 1]` of `cellEdges(width, grid)`. For drawing or cropping the pasted
 * cells. Where `size` is less than `grid` some cells are empty (attentiveCutMix refuses such a grid; its
 * attention pooling gives each of them the map row it starts in).
 *
 * @param size - The side in pixels: an integer ≥ 1.
 * @param grid - Cells along the side: an integer ≥ 1.
 * @example
 * ```ts
 * import { cellEdges } from 'attentive-cutmix';
 *
 * cellEdges(224, 7); // [0, 32, 64, 96, 128, 160, 192, 224]
 * cellEdges(10, 3); // [0, 3, 6, 10]: the last cell takes the remainder
 * // The pixels [y0, x0, y1, x1] of cell 5 of a 3 × 3 grid on a 10 × 10 image: row 1, column 2.
 * const edges = cellEdges(10, 3);
 * const [r, c] = [Math.floor(5 / 3), 5 % 3];
 * console.log([edges[r], edges[c], edges[r + 1], edges[c + 1]]); // [3, 6, 6, 10]
 * ```
 * @public
 */
export function cellEdges(size: number, grid: number): number[] {
  assertNumber('cellEdges', 'size', size, { min: 1, integer: true });
  assertNumber('cellEdges', 'grid', grid, { min: 1, integer: true });
  return Array.from({ length: grid + 1 }, (_, k) => Math.floor((k * size) / grid));
}

/** The cell geometry of an `height × width` image cut into `grid × grid` cells. */
export function gridGeometry(height: number, width: number, grid: number): GridGeometry {
  const rowEdges = cellEdges(height, grid);
  const colEdges = cellEdges(width, grid);
  const cellAreas = new Float32Array(grid * grid);
  const cellRects = new Int32Array((grid * grid + 1) * 4);
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      cellAreas[r * grid + c] = (rowEdges[r + 1]! - rowEdges[r]!) * (colEdges[c + 1]! - colEdges[c]!);
      cellRects.set([rowEdges[r]!, colEdges[c]!, rowEdges[r + 1]!, colEdges[c + 1]!], (r * grid + c) * 4);
    }
  }
  return { grid, height, width, rowEdges, colEdges, cellAreas, cellRects };
}

/**
 * The row-major cell index of every pixel, `[H·W]`. Only the composite mask needs it, so it is
 * not part of {@link gridGeometry}, which every call builds.
 */
export function pixelCells(geometry: GridGeometry): Int32Array {
  const { grid, height, width } = geometry;
  const { rowCell, colCell } = axisCells(geometry);
  const cells = new Int32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) cells[y * width + x] = rowCell[y]! * grid + colCell[x]!;
  }
  return cells;
}

/** The grid row of every pixel row `[H]` and the grid column of every pixel column `[W]`. */
export function axisCells({ height, width, rowEdges, colEdges }: GridGeometry): { rowCell: Int32Array; colCell: Int32Array } {
  return { rowCell: cellOf(rowEdges, height), colCell: cellOf(colEdges, width) };
}

/** For each of `size` pixels, the index of the cell between `edges` that holds it. */
function cellOf(edges: readonly number[], size: number): Int32Array {
  const cells = new Int32Array(size);
  for (let k = 0; k + 1 < edges.length; k++) cells.fill(k, edges[k], edges[k + 1]);
  return cells;
}
