// Fused kernels for the webgpu backend: a compute pass each (a few for the cell selection), as in
// webgl_kernels.ts. Written
// against the backend's public `runWebGPUProgram` with programs of the shape tfjs-backend-webgpu's
// own take (a flat dispatch of 64-wide workgroups over the output, `main(index)`); the backend
// package is imported for its types only, so the library's code never loads it. Values read from
// int32 inputs are converted with i32() / f32(), which is the identity when the backend's getter
// already has that type.
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';

import { PAIRWISE_LIMIT, bitonicPasses } from './bitonic.js';
import { BLEND_PARTNERS, PASTE_CELLS, PASTE_MASK, PASTE_RECTS, POOL_CELLS, RESIZE_PASTE, SELECT_CELLS } from './kernel_names.js';

const COORDS = ['coords.x', 'coords.y', 'coords.z', 'coords.w'];

/** A program over every element of `outputShape`, one invocation each; `helpers` are WGSL functions it calls. */
function elementwiseProgram(shaderKey: string, variableNames: string[], outputShape: number[], body: string, helpers = ''): WebGPUProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    variableNames,
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    size: true,
    getUserCode: () => `${helpers}
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          ${body}
        }
      }`,
  };
}

/** `PasteRects` (see host_kernels.ts) as one compute pass. */
const pasteRectsWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, rects, base } = inputs as { x: TensorInfo; partners: TensorInfo; rects: TensorInfo; base?: TensorInfo };
  const perSample = rects.shape[1]!;
  const gpu = backend as WebGPUBackend;
  const keep = base ? 'Base' : 'X';
  if (perSample === 0) {
    const copy = elementwiseProgram(`attentiveCutMixCopy${keep}`, [keep], x.shape, `setOutputAtIndex(index, get${keep}(coords.x, coords.y, coords.z, coords.w));`);
    return gpu.runWebGPUProgram(copy, [base ?? x], x.dtype);
  }
  const program = elementwiseProgram(
    `attentiveCutMixPasteRects${perSample}${keep}`,
    ['X', 'Partners', 'Rects', ...(base ? ['Base'] : [])],
    x.shape,
    `var inside = false;
     for (var n = 0; n < ${perSample}; n++) {
       if (coords.y >= i32(getRects(coords.x, n, 0)) && coords.z >= i32(getRects(coords.x, n, 1)) &&
           coords.y < i32(getRects(coords.x, n, 2)) && coords.z < i32(getRects(coords.x, n, 3))) {
         inside = true;
       }
     }
     if (inside) {
       setOutputAtIndex(index, getX(i32(getPartners(coords.x)), coords.y, coords.z, coords.w));
     } else {
       setOutputAtIndex(index, get${keep}(coords.x, coords.y, coords.z, coords.w));
     }`,
  );
  return gpu.runWebGPUProgram(program, [x, partners, rects, ...(base ? [base] : [])], x.dtype);
};

/** `PasteMask` (see webgl_kernels.ts) as one compute pass. */
const pasteMaskWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, mask, base } = inputs as { x: TensorInfo; partners: TensorInfo; mask: TensorInfo; base?: TensorInfo };
  const keep = base ? 'Base' : 'X';
  const program = elementwiseProgram(
    `attentiveCutMixPasteMask${keep}`,
    ['X', 'Partners', 'Mask', ...(base ? ['Base'] : [])],
    x.shape,
    `if (f32(getMask(coords.x, coords.y, coords.z)) > 0.5) {
       setOutputAtIndex(index, getX(i32(getPartners(coords.x)), coords.y, coords.z, coords.w));
     } else {
       setOutputAtIndex(index, get${keep}(coords.x, coords.y, coords.z, coords.w));
     }`,
  );
  return (backend as WebGPUBackend).runWebGPUProgram(program, [x, partners, mask, ...(base ? [base] : [])], x.dtype);
};

/** `ResizePaste` (see webgl_kernels.ts) as one compute pass. */
const resizePasteWebGPU: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, partners, boxes, rows, cols, base } = inputs as Record<'x' | 'partners' | 'boxes' | 'rows' | 'cols', TensorInfo> & { base?: TensorInfo };
  const { bilinear } = attrs as { bilinear: boolean };
  const keep = base ? 'Base' : 'X';
  const resized = bilinear
    ? `let r1 = i32(getRows(coords.x, coords.y, 1));
       let c1 = i32(getCols(coords.x, coords.z, 1));
       let wy0 = getRows(coords.x, coords.y, 2);
       let wy1 = getRows(coords.x, coords.y, 3);
       let v0 = getX(p, r0, c0, coords.w) * wy0 + getX(p, r1, c0, coords.w) * wy1;
       let v1 = getX(p, r0, c1, coords.w) * wy0 + getX(p, r1, c1, coords.w) * wy1;
       setOutputAtIndex(index, v0 * getCols(coords.x, coords.z, 2) + v1 * getCols(coords.x, coords.z, 3));`
    : 'setOutputAtIndex(index, getX(p, r0, c0, coords.w));';
  // Five or six inputs: a pass binds at most 8 buffers, the output included, and every one it binds must be read.
  const program = elementwiseProgram(
    `attentiveCutMixResizePaste${bilinear ? 'Bilinear' : 'Nearest'}${keep}`,
    ['X', 'Partners', 'Boxes', 'Rows', 'Cols', ...(base ? ['Base'] : [])],
    x.shape,
    `if (coords.y >= i32(getBoxes(coords.x, 0)) && coords.z >= i32(getBoxes(coords.x, 1)) &&
         coords.y < i32(getBoxes(coords.x, 2)) && coords.z < i32(getBoxes(coords.x, 3))) {
       let p = i32(getPartners(coords.x));
       let r0 = i32(getRows(coords.x, coords.y, 0));
       let c0 = i32(getCols(coords.x, coords.z, 0));
       ${resized}
     } else {
       setOutputAtIndex(index, get${keep}(coords.x, coords.y, coords.z, coords.w));
     }`,
  );
  return (backend as WebGPUBackend).runWebGPUProgram(program, [x, partners, boxes, rows, cols, ...(base ? [base] : [])], x.dtype);
};

/** `PasteCells` (see webgl_kernels.ts) as one compute pass. */
const pasteCellsWebGPU: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, partners, chosen, rowCells, colCells } = inputs as Record<'x' | 'partners' | 'chosen' | 'rowCells' | 'colCells', TensorInfo>;
  const { grid } = attrs as { grid: number };
  const program = elementwiseProgram(
    `attentiveCutMixPasteCells${grid}`,
    ['X', 'Partners', 'Chosen', 'RowCells', 'ColCells'],
    x.shape,
    `let cell = i32(getRowCells(coords.y)) * ${grid} + i32(getColCells(coords.z));
     let picked = select(coords.x, i32(getPartners(coords.x)), getChosen(coords.x, cell) > 0.5);
     setOutputAtIndex(index, getX(picked, coords.y, coords.z, coords.w));`,
  );
  return (backend as WebGPUBackend).runWebGPUProgram(program, [x, partners, chosen, rowCells, colCells], x.dtype);
};

/** `BlendPartners` (see host_kernels.ts) as one compute pass, exact where lambda is 0 or 1. */
const blendPartnersWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, lambda } = inputs as { x: TensorInfo; partners: TensorInfo; lambda: TensorInfo };
  const rest = COORDS.slice(1, x.shape.length).join(', ');
  const program = elementwiseProgram(
    `attentiveCutMixBlendPartners${x.shape.length}`,
    ['X', 'Partners', 'Lambda'],
    x.shape,
    `let w = getLambda(coords.x);
     let base = f32(getX(coords.x, ${rest}));
     let other = f32(getX(i32(getPartners(coords.x)), ${rest}));
     var value = w * base + (1.0 - w) * other;
     if (w == 1.0) { value = base; } else if (w == 0.0) { value = other; }
     setOutputAtIndex(index, value);`,
  );
  return (backend as WebGPUBackend).runWebGPUProgram(program, [x, partners, lambda], 'float32');
};

/** WGSL: whether `v` is neither NaN nor ±Infinity, from its bits (as the backend's own isnan). */
const finite = (v: string) => `((bitcast<u32>(${v}) & 0x7fffffffu) < 0x7f800000u)`;

/** WGSL: `scoreClass` and `beats`, the order of the webgl kernel's (see webgl_kernels.ts). */
const beatsWGSL = (n: number) => `
  fn scoreClass(batch : i32, e : i32) -> i32 {
    if (e >= ${n}) { return 0; }
    let v = getScores(batch, e);
    return select(1, 2, ${finite('v')});
  }
  fn beats(batch : i32, a : i32, b : i32) -> bool {
    let ca = scoreClass(batch, a);
    let cb = scoreClass(batch, b);
    if (ca != cb) { return ca > cb; }
    if (ca == 2) {
      let va = getScores(batch, a);
      let vb = getScores(batch, b);
      if (va != vb) { return va > vb; }
    }
    return a < b;
  }`;

/** WGSL: `keptShare(a, b)`, the correctly rounded float32 a / b, as the webgl kernel's `keptShare` (see webgl_kernels.ts). */
const KEPT_SHARE_WGSL = `
  fn keptShare(a : i32, b : i32) -> f32 {
    if (a >= b) { return 1.0; }
    if (a <= 0) { return 0.0; }
    var r = a;
    var shift = 0;
    for (var i = 0; i < 31; i++) {
      if (r >= b) { break; }
      r = r * 2;
      shift = shift + 1;
    }
    var m = 0;
    for (var i = 0; i < 24; i++) {
      m = m * 2;
      if (r >= b) {
        m = m + 1;
        r = r - b;
      }
      r = r * 2;
    }
    if (r > b || (r == b && m % 2 == 1)) { m = m + 1; }
    var value = f32(m);
    for (var i = 0; i < 23 + shift; i++) { value = value * 0.5; }
    return value;
  }`;

/** Runs a program, or makes its empty output (a buffer cannot be empty). */
type Run = (program: WebGPUProgram, inputs: TensorInfo[], dtype: 'float32' | 'int32', uniforms?: { type: string; data: number[] }[]) => TensorInfo;

/** Each row's cells best first, `[B, n]`, by pairwise ranks (see bitonic.ts). */
function rankOrder(scores: TensorInfo, run: Run, gpu: WebGPUBackend): TensorInfo {
  const [batch, n] = scores.shape as [number, number];
  const ranks = run(
    elementwiseProgram(
      `attentiveCutMixRankCells${n}`,
      ['Scores'],
      [batch, n],
      `var rank = 0;
       for (var k = 0; k < ${n}; k++) { if (beats(coords.x, k, coords.y)) { rank++; } }
       setOutputAtIndex(index, f32(rank));`,
      beatsWGSL(n),
    ),
    [scores],
    'float32',
  );
  const order = run(
    elementwiseProgram(
      `attentiveCutMixRankOrder${n}`,
      ['Ranks'],
      [batch, n],
      `var cell = 0;
       for (var j = 0; j < ${n}; j++) { if (getRanks(coords.x, j) == f32(coords.y)) { cell = j; } }
       setOutputAtIndex(index, f32(cell));`,
    ),
    [ranks],
    'int32',
  );
  gpu.disposeData(ranks.dataId);
  return order;
}

/** Each row's cells best first, `[B, 2^⌈log₂ n⌉]` (padding last), by a bitonic network (see bitonic.ts). */
function bitonicOrder(scores: TensorInfo, run: Run, gpu: WebGPUBackend): TensorInfo {
  const [batch, n] = scores.shape as [number, number];
  const size = 2 ** Math.ceil(Math.log2(n));
  const sortPass = {
    ...elementwiseProgram(
      `attentiveCutMixSortCells${n}`,
      ['Scores', 'Order'],
      [batch, size],
      `let isLower = coords.y % (2 * uniforms.stride) < uniforms.stride;
       let lo = select(coords.y - uniforms.stride, coords.y, isLower);
       var a = lo;
       var b = lo + uniforms.stride;
       if (uniforms.firstPass == 0) {
         a = i32(getOrder(coords.x, lo));
         b = i32(getOrder(coords.x, lo + uniforms.stride));
       }
       let bestFirst = coords.y % (2 * uniforms.block) < uniforms.block;
       let aFirst = beats(coords.x, a, b) == bestFirst;
       setOutputAtIndex(index, f32(select(b, a, isLower == aFirst)));`,
      beatsWGSL(n),
    ),
    uniforms: 'block : i32, stride : i32, firstPass : i32,',
  };
  let order = scores; // not read by the first pass
  for (const [i, [block, stride]] of bitonicPasses(size).entries()) {
    const next = run(sortPass, [scores, order], 'int32', [{ type: 'int32', data: [block] }, { type: 'int32', data: [stride] }, { type: 'int32', data: [i === 0 ? 1 : 0] }]);
    if (i > 0) gpu.disposeData(order.dataId);
    order = next;
  }
  return order;
}

/** `SelectCells` (see host_kernels.ts) in the passes of the webgl kernel. */
const selectCellsWebGPU: KernelFunc = ({ inputs, backend, attrs }) => {
  const { scores, counts, cellRects } = inputs as { scores: TensorInfo; counts: TensorInfo; cellRects: TensorInfo };
  const { width, pixels } = attrs as unknown as { width: number; pixels: number };
  const gpu = backend as WebGPUBackend;
  const [batch, n] = scores.shape as [number, number];
  const run: Run = (program, programInputs, dtype, uniforms) =>
    util.sizeFromShape(program.outputShape) === 0
      ? gpu.makeTensorInfo(program.outputShape, dtype, dtype === 'int32' ? new Int32Array(0) : new Float32Array(0))
      : gpu.runWebGPUProgram(program, programInputs, dtype, uniforms);
  const order = n <= PAIRWISE_LIMIT ? rankOrder(scores, run, gpu) : bitonicOrder(scores, run, gpu);
  const cells = run(
    elementwiseProgram(
      'attentiveCutMixListCells',
      ['Order', 'Counts'],
      [batch, width],
      `setOutputAtIndex(index, select(-1.0, f32(getOrder(coords.x, coords.y)), coords.y < i32(getCounts(coords.x))));`,
    ),
    [order, counts],
    'int32',
  );
  const chosen = run(
    elementwiseProgram(
      `attentiveCutMixChosenCells${n}`,
      ['Scores', 'Order', 'Counts'],
      [batch, n],
      `let taken = i32(getCounts(coords.x));
       var value = 0.0;
       if (taken > 0) {
         let last = i32(getOrder(coords.x, taken - 1));
         if (coords.y == last || beats(coords.x, coords.y, last)) { value = 1.0; }
       }
       setOutputAtIndex(index, value);`,
      beatsWGSL(n),
    ),
    [scores, order, counts],
    'float32',
  );
  gpu.disposeData(order.dataId);
  const rects = run(
    elementwiseProgram(
      `attentiveCutMixCellRects${n}`,
      ['Cells', 'CellRects'],
      [batch, width, 4],
      `let cell = i32(getCells(coords.x, coords.y));
       setOutputAtIndex(index, f32(getCellRects(select(cell, ${n}, cell < 0), coords.z)));`,
    ),
    [cells, cellRects],
    'int32',
  );
  const lambda = run(
    elementwiseProgram(
      `attentiveCutMixKeptShare${n}_${pixels}`,
      ['Chosen', 'CellRects'],
      [batch],
      `var pasted = 0;
       for (var j = 0; j < ${n}; j++) {
         if (getChosen(index, j) > 0.5) {
           pasted = pasted + (i32(getCellRects(j, 2)) - i32(getCellRects(j, 0))) * (i32(getCellRects(j, 3)) - i32(getCellRects(j, 1)));
         }
       }
       setOutputAtIndex(index, keptShare(${pixels} - pasted, ${pixels}));`,
      KEPT_SHARE_WGSL,
    ),
    [chosen, cellRects],
    'float32',
  );
  return [cells, rects, lambda, chosen];
};

/** `PoolCells` (see host_kernels.ts) as one compute pass, the float32 steps the host kernels take. */
const poolCellsWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { map, rowSpans, colSpans, reciprocals } = inputs as { map: TensorInfo; rowSpans: TensorInfo; colSpans: TensorInfo; reciprocals: TensorInfo };
  const grid = rowSpans.shape[0]!;
  const program = elementwiseProgram(
    'attentiveCutMixPoolCells',
    ['Map', 'RowSpans', 'ColSpans', 'Reciprocals'],
    [map.shape[0]!, grid, grid],
    `let y0 = i32(getRowSpans(coords.y, 0));
     let y1 = i32(getRowSpans(coords.y, 1));
     let x0 = i32(getColSpans(coords.z, 0));
     let x1 = i32(getColSpans(coords.z, 1));
     let firstValue = getMap(coords.x, y0, x0);
     var sum = 0.0;
     var isFinite = true;
     for (var y = y0; y < y1; y++) {
       for (var x = x0; x < x1; x++) {
         let v = getMap(coords.x, y, x);
         isFinite = isFinite && ${finite('v')};
         sum = sum + (v - firstValue);
       }
     }
     setOutputAtIndex(index, select(uniforms.NAN, firstValue + sum * getReciprocals(coords.y, coords.z), isFinite));`,
  );
  return (backend as WebGPUBackend).runWebGPUProgram(program, [map, rowSpans, colSpans, reciprocals], 'float32');
};

/** The webgpu kernels. */
export const WEBGPU_KERNEL_CONFIGS: KernelConfig[] = [
  { kernelName: PASTE_RECTS, backendName: 'webgpu', kernelFunc: pasteRectsWebGPU },
  { kernelName: PASTE_CELLS, backendName: 'webgpu', kernelFunc: pasteCellsWebGPU },
  { kernelName: BLEND_PARTNERS, backendName: 'webgpu', kernelFunc: blendPartnersWebGPU },
  { kernelName: SELECT_CELLS, backendName: 'webgpu', kernelFunc: selectCellsWebGPU },
  { kernelName: POOL_CELLS, backendName: 'webgpu', kernelFunc: poolCellsWebGPU },
  { kernelName: RESIZE_PASTE, backendName: 'webgpu', kernelFunc: resizePasteWebGPU },
  { kernelName: PASTE_MASK, backendName: 'webgpu', kernelFunc: pasteMaskWebGPU },
];
