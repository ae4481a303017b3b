import {
  type Tensor3D,
  add,
  cast,
  fill,
  gather,
  greater,
  isFinite,
  logicalNot,
  matMul,
  mul,
  reshape,
  sub,
  tensor1d,
  tensor2d,
  tidy,
  transpose,
  where,
  zerosLike,
} from '@tensorflow/tfjs-core';

import { POOL_CELLS, hasFusedKernel, runFused } from '../kernels/fused.js';
import { cellEdges } from '../masks/grid.js';
import { numberOption } from '../options.js';
import { argumentError } from '../validation.js';

/** The `grid` of every op that cuts images into cells: the paper's 7 × 7 (of a 224 px image) by default. */
export const GRID_OPTION = numberOption({ default: 7, min: 1, integer: true });

/** Checks that an `height × width` image can be cut into `grid × grid` cells that each hold pixels. */
export function assertGridFits(op: string, grid: number, height: number, width: number): void {
  if (height < grid || width < grid) {
    throw argumentError(op, 'options.grid', `at most the image size ${height}×${width}, so that every cell holds pixels`, String(grid));
  }
}

/**
 * Brings attention maps `[B, h, w]` to `[B, grid, grid]`: each grid cell is the mean of the map
 * over the same partition the image's pixels get (map rows ⌊k·h/grid⌋ ≤ y < ⌊(k+1)·h/grid⌋, and
 * the same for columns), so a map at image resolution gives exactly the mean attention of the
 * pixels a cell pastes; a map smaller than the grid gives each cell the map row and column it
 * starts in. A map that is already `grid × grid` passes through unchanged. A cell holding NaN or
 * ±Infinity becomes NaN (and so ranks last).
 *
 * The mean is taken as `first + Σ(v − first) · fl(1/n)`, with `first` the cell's first value, so
 * that a cell whose values are all equal pools to exactly that value whatever its size: exact ties
 * in the map stay ties (a plain float32 mean of cells of 36 and 42 pixels does not). Where the
 * backend has the fused kernel (cpu, wasm, webgl, webgpu) the sum runs in row-major order with
 * float32 steps, the same arithmetic everywhere, so the same map pools to the same bits on each.
 */
export function poolToGrid(map: Tensor3D, grid: number): Tensor3D {
  const [, h, w] = map.shape;
  if (h === grid && w === grid) return map;
  const rows = poolingSpans(h, grid);
  const cols = poolingSpans(w, grid);
  return tidy(() => {
    if (hasFusedKernel(POOL_CELLS)) {
      const inputs = { map, rowSpans: tensor2d(rows.flat(), [grid, 2], 'int32'), colSpans: tensor2d(cols.flat(), [grid, 2], 'int32'), reciprocals: tensor2d(reciprocals(rows, cols), [grid, grid]) };
      const longest = (spans: [number, number][]) => Math.max(...spans.map(([start, end]) => end - start));
      return runFused<Tensor3D>(POOL_CELLS, inputs, { maxRows: longest(rows), maxCols: longest(cols) });
    }
    return poolComposite(map, rows, cols);
  });
}

/**
 * The half-open spans `[start, end)` of map rows (or columns) that each of `grid` cells pools:
 * ⌊k·size/grid⌋ … ⌊(k+1)·size/grid⌋, or the one row a cell starts in when the map is smaller than the grid.
 */
export function poolingSpans(size: number, grid: number): [number, number][] {
  const edges = cellEdges(size, grid);
  return Array.from({ length: grid }, (_, k) => {
    const start = Math.min(edges[k]!, size - 1);
    return [start, Math.max(edges[k + 1]!, start + 1)];
  });
}

/** fl(1/n) for the n values of every cell, row-major `[grid²]`. */
function reciprocals(rows: readonly [number, number][], cols: readonly [number, number][]): Float32Array {
  return Float32Array.from(rows.flatMap(([y0, y1]) => cols.map(([x0, x1]) => 1 / ((y1 - y0) * (x1 - x0)))));
}

/**
 * The composite of {@link poolToGrid} for backends without the fused kernel: the same formula,
 * with the sums as matrix products (so equal cells stay exactly equal, but the last bits of the
 * others may differ from the fused kernel's).
 */
function poolComposite(map: Tensor3D, rows: readonly [number, number][], cols: readonly [number, number][]): Tensor3D {
  const grid = rows.length;
  // Lay the map out cell after cell (a copy only where cells share a row, for maps smaller than the grid).
  const spread = (t: Tensor3D, spans: readonly [number, number][], axis: 1 | 2, size: number) => {
    const index = spans.flatMap(([start, end]) => Array.from({ length: end - start }, (_, i) => start + i));
    return index.length === size ? t : (gather(t, tensor1d(index, 'int32'), axis) as Tensor3D);
  };
  const values = spread(spread(map, rows, 1, map.shape[1]), cols, 2, map.shape[2]);
  const firsts = gather(gather(map, tensor1d(rows.map(([s]) => s), 'int32'), 1), tensor1d(cols.map(([s]) => s), 'int32'), 2) as Tensor3D;
  const cellOf = (spans: readonly [number, number][]) => tensor1d(spans.flatMap(([start, end], k) => Array<number>(end - start).fill(k)), 'int32');
  const firstPerValue = gather(gather(firsts, cellOf(rows), 1), cellOf(cols), 2) as Tensor3D;
  const finite = isFinite(values);
  const offsets = sub(values, firstPerValue) as Tensor3D;
  const sums = sumCells(where(isFinite(offsets), offsets, zerosLike(offsets)) as Tensor3D, rows, cols);
  const nonFinite = sumCells(cast(logicalNot(finite), 'float32') as Tensor3D, rows, cols);
  const means = add(firsts, mul(sums, reshape(tensor1d(reciprocals(rows, cols)), [1, grid, grid])));
  return where(greater(nonFinite, 0), fill(firsts.shape, Number.NaN), means) as Tensor3D;
}

/** The sum of `values` (laid out cell after cell) over each cell: two matrix products, for any batch size. */
function sumCells(values: Tensor3D, rows: readonly [number, number][], cols: readonly [number, number][]): Tensor3D {
  const [batchSize, h, w] = values.shape;
  const grid = rows.length;
  const indicator = (spans: readonly [number, number][], size: number) => {
    const matrix = new Float32Array(grid * size);
    let offset = 0;
    spans.forEach(([start, end], k) => {
      matrix.fill(1, k * size + offset, k * size + offset + end - start);
      offset += end - start;
    });
    return tensor2d(matrix, [grid, size]);
  };
  // [B·h, w] × [w, grid] → [B, h, grid] → [B, grid(c), h] · [h, grid(r)] → [B, grid(c), grid(r)]
  const byCols = reshape(matMul(reshape(values, [batchSize * h, w]), indicator(cols, w), false, true), [batchSize, h, grid]);
  const swapped = reshape(transpose(byCols, [0, 2, 1]), [batchSize * grid, h]);
  const byBoth = reshape(matMul(swapped, indicator(rows, h), false, true), [batchSize, grid, grid]);
  return transpose(byBoth, [0, 2, 1]) as Tensor3D;
}
