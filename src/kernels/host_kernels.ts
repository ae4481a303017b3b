// Fused kernels for the backends whose tensors live in host memory (cpu: JS typed arrays; wasm:
// the WebAssembly heap). A mix must read two batches and write one; these kernels do no more:
// a copy of the batch with the partners' rectangles (or masked runs of pixels) copied over it row
// by row, one weighted sum per element, or a copy with a box filled by the scaled-down partner. They run through the engine like any kernel, so tidy, profile and memory
// accounting see them.
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataType, KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';

import { BLEND_PARTNERS, PASTE_MASK, PASTE_RECTS, PEAK_BOXES, POOL_CELLS, RESIZE_PASTE, SELECT_CELLS } from './kernel_names.js';

/**
 * Typed-array access to a host backend's tensor memory. On wasm an allocation can grow the heap
 * and detach every view taken before it: allocate all outputs first, then take the views.
 */
interface HostMemory {
  /** Allocates an output (not zeroed on wasm). */
  allocate(shape: number[], dtype: DataType): TensorInfo;
  /** A view of a tensor's data (input or output), valid until the next allocation. */
  read(t: TensorInfo): TypedArray;
}

/** The cpu backend's memory: plain typed arrays in its data store. */
function cpuMemory(backend: KernelBackend): HostMemory {
  const cpu = backend as MathBackendCPU;
  return {
    allocate: (shape, dtype) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return cpu.makeTensorInfo(shape, dtype, dtype === 'int32' ? new Int32Array(size) : new Float32Array(size));
    },
    read: (t) => cpu.data.get(t.dataId).values as TypedArray,
  };
}

/** The wasm backend's memory: views of the WebAssembly heap. */
function wasmMemory(backend: KernelBackend): HostMemory {
  const wasm = backend as BackendWasm;
  return { allocate: (shape, dtype) => wasm.makeOutput(shape, dtype), read: (t) => wasm.typedArrayFromHeap(t) };
}

type HostKernel = (memory: HostMemory, inputs: NamedTensorInfoMap, attrs: NamedAttrMap) => TensorInfo | TensorInfo[];

/** The kernels of a host backend, each given that backend's memory. */
function hostKernels(backendName: string, memoryOf: (backend: KernelBackend) => HostMemory): KernelConfig[] {
  const kernels: [string, HostKernel][] = [
    [PASTE_RECTS, pasteRects],
    [BLEND_PARTNERS, blendPartners],
    [SELECT_CELLS, selectCells],
    [POOL_CELLS, poolCells],
    [RESIZE_PASTE, resizePaste],
    [PASTE_MASK, pasteMask],
    [PEAK_BOXES, peakBoxes],
  ];
  return kernels.map(([kernelName, kernel]) => ({ kernelName, backendName, kernelFunc: ({ inputs, backend, attrs }) => kernel(memoryOf(backend as KernelBackend), inputs, attrs ?? {}) }));
}

/** The host kernels, for the cpu and wasm backends. */
export const HOST_KERNEL_CONFIGS: KernelConfig[] = [...hostKernels('cpu', cpuMemory), ...hostKernels('wasm', wasmMemory)];

/** A paste kernel's output: a tensor of `x`'s shape and dtype holding `base` (or `x`), to paste into. */
function pasteOutput(memory: HostMemory, x: TensorInfo, base: TensorInfo | undefined): [TensorInfo, TypedArray] {
  const out = memory.allocate(x.shape, x.dtype);
  const values = memory.read(out);
  values.set(memory.read(base ?? x));
  return [out, values];
}

/**
 * `PasteRects`: inputs `x` `[B, H, W, C]`, `partners` int32 `[B]`, `rects` int32 `[B, N, 4]`, and
 * optionally `base` (the shape and dtype of `x`). Output: `base` (or `x`), with each rectangle
 * `[y0, x0, y1, x1]` (half-open) of row b taken from `x[partners[b]]`. Empty rectangles paste
 * nothing. Same dtype as `x`.
 */
function pasteRects(memory: HostMemory, inputs: NamedTensorInfoMap): TensorInfo {
  const { x, partners, rects, base } = inputs as { x: TensorInfo; partners: TensorInfo; rects: TensorInfo; base?: TensorInfo };
  const [out, outValues] = pasteOutput(memory, x, base);
  const [xs, ps, rs] = [memory.read(x), memory.read(partners), memory.read(rects)];
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const perRect = rects.shape[1]!;
  const rowLength = width * channels;
  const imageLength = height * rowLength;
  for (let b = 0; b < batch; b++) {
    const source = ps[b]! * imageLength;
    const target = b * imageLength;
    for (let n = 0; n < perRect; n++) {
      const r = (b * perRect + n) * 4;
      const [y0, x0, y1, x1] = [rs[r]!, rs[r + 1]!, rs[r + 2]!, rs[r + 3]!];
      const [start, end] = [x0 * channels, x1 * channels];
      if (end <= start) continue;
      for (let y = y0; y < y1; y++) {
        const row = y * rowLength;
        outValues.set(xs.subarray(source + row + start, source + row + end), target + row + start);
      }
    }
  }
  return out;
}

/**
 * `BlendPartners`: inputs `x` `[B, ...]` (float32 or int32), `partners` int32 `[B]`, `lambda`
 * float32 `[B]`. Output float32: `lambda[b]·x[b] + (1 − lambda[b])·x[partners[b]]`, each product
 * and the sum rounded to float32 as the composite ops round them. Where lambda is exactly 1 the
 * output is `x[b]` and where it is exactly 0 `x[partners[b]]`, whatever the other image holds.
 */
function blendPartners(memory: HostMemory, inputs: NamedTensorInfoMap): TensorInfo {
  const { x, partners, lambda } = inputs as { x: TensorInfo; partners: TensorInfo; lambda: TensorInfo };
  const out = memory.allocate(x.shape, 'float32');
  const [outValues, xs, ps, ls] = [memory.read(out), memory.read(x), memory.read(partners), memory.read(lambda)];
  const batch = x.shape[0]!;
  const length = batch === 0 ? 0 : xs.length / batch;
  const fround = Math.fround;
  for (let b = 0; b < batch; b++) {
    const [target, source, weight] = [b * length, ps[b]! * length, ls[b]!];
    if (weight === 1 || weight === 0) {
      const from = weight === 1 ? target : source;
      outValues.set(xs.subarray(from, from + length), target);
      continue;
    }
    const complement = fround(1 - weight);
    // The float32 store rounds the sum; the sum of two float32 values is exact in a double.
    for (let i = 0; i < length; i++) outValues[target + i] = fround(weight * xs[target + i]!) + fround(complement * xs[source + i]!);
  }
  return out;
}

/**
 * `SelectCells`: inputs `scores` float32 `[B, n]` (each sample's partner's map over the n grid
 * cells), `counts` int32 `[B]` (how many cells each sample takes, 0 for an unmixed one),
 * `cellRects` int32 `[n + 1, 4]` (each cell's pixel rectangle, then an empty one) and `cellAreas`
 * float32 `[n]`; attrs `width` (the columns of `cells`) and `pixels`. Outputs: `cells` int32
 * `[B, width]` (the counts[b] highest cells, ties to the lower index, NaN and ±Infinity below
 * every finite score; −1 after them), `rects` int32 `[B, width, 4]` (their pixel rectangles),
 * `lambda` float32 `[B]` (the kept pixel share) and `chosen` float32 `[B, n]` (1 for a pasted
 * cell) — what the composite computes with pairwise comparisons, in one pass.
 */
function selectCells(memory: HostMemory, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo[] {
  const { scores, counts, cellRects, cellAreas } = inputs as { scores: TensorInfo; counts: TensorInfo; cellRects: TensorInfo; cellAreas: TensorInfo };
  const { width, pixels } = attrs as { width: number; pixels: number };
  const [batch, n] = scores.shape as [number, number];
  const outputs = [memory.allocate([batch, width], 'int32'), memory.allocate([batch, width, 4], 'int32'), memory.allocate([batch], 'float32'), memory.allocate([batch, n], 'float32')];
  const [cells, rects, lambda, chosen] = outputs.map((t) => memory.read(t)) as [TypedArray, TypedArray, TypedArray, TypedArray];
  const [values, taken, rectTable, areas] = [memory.read(scores), memory.read(counts), memory.read(cellRects), memory.read(cellAreas)];
  chosen.fill(0); // wasm allocations are not zeroed
  const key = new Float64Array(n);
  const order = Array.from({ length: n }, (_, j) => j);
  for (let b = 0; b < batch; b++) {
    for (let j = 0; j < n; j++) {
      const v = values[b * n + j]!;
      key[j] = Number.isFinite(v) ? v : -Infinity;
      order[j] = j;
    }
    order.sort((i, j) => (key[j]! > key[i]! ? 1 : key[j]! < key[i]! ? -1 : i - j));
    let pasted = 0;
    for (let r = 0; r < width; r++) {
      const cell = r < taken[b]! ? order[r]! : -1;
      const row = cell < 0 ? n : cell;
      cells[b * width + r] = cell;
      rects.set(rectTable.subarray(row * 4, row * 4 + 4), (b * width + r) * 4);
      if (cell >= 0) {
        chosen[b * n + cell] = 1;
        pasted += areas[cell]!;
      }
    }
    lambda[b] = (pixels - pasted) / pixels;
  }
  return outputs;
}

/**
 * `PoolCells`: inputs `map` float32 `[B, h, w]`, `rowSpans` and `colSpans` int32 `[grid, 2]` (the
 * half-open map rows and columns of each row and column of cells) and `reciprocals` float32
 * `[grid, grid]` (fl(1/n) for the n values of each cell); attrs `maxRows` and `maxCols` (the
 * longest spans, a bound for the GPU shaders' loops). Output float32 `[B, grid, grid]`: each
 * cell's `first + Σ(v − first) · reciprocal`, `first` its first value, the sum in row-major order
 * and every step rounded to float32 (as the GPU shaders compute it); NaN for a cell holding NaN
 * or ±Infinity.
 */
function poolCells(memory: HostMemory, inputs: NamedTensorInfoMap): TensorInfo {
  const { map, rowSpans, colSpans, reciprocals } = inputs as { map: TensorInfo; rowSpans: TensorInfo; colSpans: TensorInfo; reciprocals: TensorInfo };
  const [batch, h, w] = map.shape as [number, number, number];
  const grid = rowSpans.shape[0]!;
  const out = memory.allocate([batch, grid, grid], 'float32');
  const [pooled, values, rows, cols, scale] = [memory.read(out), memory.read(map), memory.read(rowSpans), memory.read(colSpans), memory.read(reciprocals)];
  const fround = Math.fround;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < grid; r++) {
      for (let c = 0; c < grid; c++) {
        const first = values[(b * h + rows[2 * r]!) * w + cols[2 * c]!]!;
        let [sum, finite] = [0, true];
        for (let y = rows[2 * r]!; y < rows[2 * r + 1]!; y++) {
          for (let x = cols[2 * c]!; x < cols[2 * c + 1]!; x++) {
            const v = values[(b * h + y) * w + x]!;
            finite &&= Number.isFinite(v);
            sum = fround(sum + fround(v - first));
          }
        }
        pooled[(b * grid + r) * grid + c] = finite ? fround(first + fround(sum * scale[r * grid + c]!)) : Number.NaN;
      }
    }
  }
  return out;
}

/**
 * `ResizePaste`: inputs `x` `[B, H, W, C]`, `partners` int32 `[B]`, `boxes` int32 `[B, 4]`,
 * `rows` float32 `[B, H, 4]` (the two partner rows each output row reads, then their weights),
 * `cols` float32 `[B, W, 4]` (the same for columns), optionally `base`; attr `bilinear`. Output: `base` (or `x`) with each box
 * `[y0, x0, y1, x1]` of row b filled with `x[partners[b]]` scaled into it: bilinear,
 * `((P[r0,c0]·wy0 + P[r1,c0]·wy1)·wx0 + (P[r0,c1]·wy0 + P[r1,c1]·wy1)·wx1)` with every product and
 * sum rounded to float32, as the composite's gathers, multiplies and adds round them; nearest,
 * `P[r0, c0]`. Same dtype as `x`.
 */
function resizePaste(memory: HostMemory, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const { x, partners, boxes, rows, cols, base } = inputs as Record<'x' | 'partners' | 'boxes' | 'rows' | 'cols', TensorInfo> & { base?: TensorInfo };
  const { bilinear } = attrs as { bilinear: boolean };
  const [out, outValues] = pasteOutput(memory, x, base);
  const [xs, ps, bs] = [memory.read(x), memory.read(partners), memory.read(boxes)];
  const [rs, cs] = [memory.read(rows), memory.read(cols)];
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const fround = Math.fround;
  const rowLength = width * channels;
  for (let b = 0; b < batch; b++) {
    const y0 = bs[4 * b]!;
    const x0 = bs[4 * b + 1]!;
    const y1 = bs[4 * b + 2]!;
    const x1 = bs[4 * b + 3]!;
    if (y1 <= y0 || x1 <= x0) continue;
    const image = ps[b]! * height * rowLength; // the partner's first value
    for (let y = y0; y < y1; y++) {
      const r = 4 * (b * height + y);
      const top = image + rs[r]! * rowLength;
      const bottom = image + rs[r + 1]! * rowLength;
      const wy0 = rs[r + 2]!;
      const wy1 = rs[r + 3]!;
      let target = ((b * height + y) * width + x0) * channels;
      for (let xx = x0; xx < x1; xx++, target += channels) {
        const c = 4 * (b * width + xx);
        const left = cs[c]! * channels;
        if (!bilinear) {
          for (let k = 0; k < channels; k++) outValues[target + k] = xs[top + left + k]!;
          continue;
        }
        const right = cs[c + 1]! * channels;
        const wx0 = cs[c + 2]!;
        const wx1 = cs[c + 3]!;
        for (let k = 0; k < channels; k++) {
          const v0 = fround(fround(xs[top + left + k]! * wy0) + fround(xs[bottom + left + k]! * wy1));
          const v1 = fround(fround(xs[top + right + k]! * wy0) + fround(xs[bottom + right + k]! * wy1));
          outValues[target + k] = fround(v0 * wx0) + fround(v1 * wx1);
        }
      }
    }
  }
  return out;
}

/**
 * `PasteMask`: inputs `x` `[B, H, W, C]`, `partners` int32 `[B]`, `mask` bool `[B, H, W]`, and
 * optionally `base`. Output: `base` (or `x`) with each pixel whose mask is set taken from
 * `x[partners[b]]`, copied a run of set pixels at a time. A run may go on from one row into the
 * next: pixels are consecutive in the mask as in the image. Same dtype as `x`.
 */
function pasteMask(memory: HostMemory, inputs: NamedTensorInfoMap): TensorInfo {
  const { x, partners, mask, base } = inputs as { x: TensorInfo; partners: TensorInfo; mask: TensorInfo; base?: TensorInfo };
  const [out, outValues] = pasteOutput(memory, x, base);
  const [xs, ps, ms] = [memory.read(x), memory.read(partners), memory.read(mask)];
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const pixels = height * width;
  const imageLength = pixels * channels;
  for (let b = 0; b < batch; b++) {
    const set = ms.subarray(b * pixels, (b + 1) * pixels); // indexOf finds the runs' ends natively
    const source = ps[b]! * imageLength;
    const target = b * imageLength;
    for (let start = set.indexOf(1); start !== -1; ) {
      const stop = set.indexOf(0, start);
      const end = stop === -1 ? pixels : stop;
      outValues.set(xs.subarray(source + start * channels, source + end * channels), target + start * channels);
      start = stop === -1 ? -1 : set.indexOf(1, stop);
    }
  }
  return out;
}

/**
 * `PeakBoxes`: inputs `maps` float32 `[B, h, w]`, `partners` int32 `[B]`, `centres` int32
 * `[h·w, 2]` (the image pixel each map cell stands for), `offsets` int32 `[B, 4]` (each box's
 * corners from its centre) and `mixed` int32 `[B, 1]` (0 for a sample with nothing pasted); attrs
 * `height` and `width`. Outputs `boxes` int32 `[B, 4]`: the centre of the highest value of the
 * partner's map (the first of equal ones; NaN and ±Infinity below every finite value, index 0 for
 * a map with none) plus the offsets, clipped to the image, zeros where not mixed; and `lambda`
 * float32 `[B]`, `(H·W − area) / (H·W)` rounded to float32 — what the composite computes.
 */
function peakBoxes(memory: HostMemory, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo[] {
  const { maps, partners, centres, offsets, mixed } = inputs as Record<'maps' | 'partners' | 'centres' | 'offsets' | 'mixed', TensorInfo>;
  const { height, width } = attrs as { height: number; width: number };
  const [batch, h, w] = maps.shape as [number, number, number];
  const outputs = [memory.allocate([batch, 4], 'int32'), memory.allocate([batch], 'float32')];
  const [boxes, lambda] = outputs.map((t) => memory.read(t)) as [TypedArray, TypedArray];
  const [values, ps, table, offs, flags] = [memory.read(maps), memory.read(partners), memory.read(centres), memory.read(offsets), memory.read(mixed)];
  const cells = h * w;
  const limits = [height, width, height, width];
  const pixels = Math.fround(height * width);
  for (let b = 0; b < batch; b++) {
    const start = ps[b]! * cells;
    let [best, peak] = [-Infinity, 0];
    for (let j = 0; j < cells; j++) {
      const v = values[start + j]!;
      if (Number.isFinite(v) && v > best) [best, peak] = [v, j];
    }
    let area = 1;
    for (let k = 0; k < 4; k++) {
      const corner = Math.min(limits[k]!, Math.max(0, table[2 * peak + (k % 2)]! + offs[4 * b + k]!)) * flags[b]!;
      boxes[4 * b + k] = corner;
      if (k >= 2) area *= corner - boxes[4 * b + k - 2]!;
    }
    lambda[b] = Math.fround(pixels - area) / pixels; // as the composite's float32 subtraction and division
  }
  return outputs;
}
