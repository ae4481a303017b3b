// Fused kernels for the webgl backend: a shader pass each (a few for the cell selection), where
// the composite path runs a gather, a mask and a select, two multiplies, an add and two selects,
// or some fifty small kernels to rank and list the cells. Written against the
// backend's public `runWebGLProgram`; the backend package is imported for its types only, so the
// library's code never loads it.
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';

import { PAIRWISE_LIMIT, bitonicPasses } from './bitonic.js';
import { BLEND_PARTNERS, PASTE_CELLS, PASTE_MASK, PASTE_RECTS, POOL_CELLS, RESIZE_PASTE, SELECT_CELLS } from './kernel_names.js';

type WebGLProgram = GPGPUProgram;

const COORDS = ['coords.x', 'coords.y', 'coords.z', 'coords.w'];
const COORD_TYPES: Record<number, string> = { 2: 'ivec2', 3: 'ivec3', 4: 'ivec4' };

/** `PasteRects` (see host_kernels.ts) as one shader: each output pixel reads the base or the partner. */
const pasteRectsWebGL: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, rects, base } = inputs as { x: TensorInfo; partners: TensorInfo; rects: TensorInfo; base?: TensorInfo };
  const webgl = backend as MathBackendWebGL;
  const perSample = rects.shape[1]!;
  const keep = base ? 'Base' : 'X';
  if (perSample === 0) {
    // No rectangle: a copy (an empty input texture is not allowed).
    const copy: WebGLProgram = { variableNames: [keep], outputShape: x.shape, userCode: `void main() { ivec4 c = getOutputCoords(); setOutput(get${keep}(c.x, c.y, c.z, c.w)); }` };
    return webgl.runWebGLProgram(copy, [base ?? x], x.dtype);
  }
  const program: WebGLProgram = {
    variableNames: ['X', 'Partners', 'Rects', ...(base ? ['Base'] : [])],
    outputShape: x.shape,
    userCode: `
      void main() {
        ivec4 coords = getOutputCoords();
        float y = float(coords.y);
        float x = float(coords.z);
        bool inside = false;
        for (int n = 0; n < ${perSample}; n++) {
          if (y >= getRects(coords.x, n, 0) && x >= getRects(coords.x, n, 1) && y < getRects(coords.x, n, 2) && x < getRects(coords.x, n, 3)) {
            inside = true;
          }
        }
        if (inside) {
          setOutput(getX(int(round(getPartners(coords.x))), coords.y, coords.z, coords.w));
        } else {
          setOutput(get${keep}(coords.x, coords.y, coords.z, coords.w));
        }
      }`,
  };
  return webgl.runWebGLProgram(program, [x, partners, rects, ...(base ? [base] : [])], x.dtype);
};

/**
 * `PasteCells` as one shader: inputs `x` `[B, H, W, C]`, `partners` int32 `[B]`, `chosen` float32
 * `[B, grid²]` (1 for each pasted cell), `rowCells` int32 `[H]` and `colCells` int32 `[W]` (each
 * pixel row's and column's cell); attr `grid`. Each output pixel reads its cell's entry of `chosen`.
 */
const pasteCellsWebGL: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, partners, chosen, rowCells, colCells } = inputs as Record<'x' | 'partners' | 'chosen' | 'rowCells' | 'colCells', TensorInfo>;
  const { grid } = attrs as { grid: number };
  const program: WebGLProgram = {
    variableNames: ['X', 'Partners', 'Chosen', 'RowCells', 'ColCells'],
    outputShape: x.shape,
    userCode: `
      void main() {
        ivec4 c = getOutputCoords();
        int cell = int(round(getRowCells(c.y))) * ${grid} + int(round(getColCells(c.z)));
        int picked = getChosen(c.x, cell) > 0.5 ? int(round(getPartners(c.x))) : c.x;
        setOutput(getX(picked, c.y, c.z, c.w));
      }`,
  };
  return (backend as MathBackendWebGL).runWebGLProgram(program, [x, partners, chosen, rowCells, colCells], x.dtype);
};

/**
 * `PasteMask` (see host_kernels.ts) as one shader: each output pixel reads the partner where its
 * sample's mask is set, the base elsewhere (the composite gathers the partners, then selects).
 */
const pasteMaskWebGL: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, mask, base } = inputs as { x: TensorInfo; partners: TensorInfo; mask: TensorInfo; base?: TensorInfo };
  const keep = base ? 'Base' : 'X';
  const program: WebGLProgram = {
    variableNames: ['X', 'Partners', 'Mask', ...(base ? ['Base'] : [])],
    outputShape: x.shape,
    userCode: `
      void main() {
        ivec4 c = getOutputCoords();
        if (getMask(c.x, c.y, c.z) > 0.5) {
          setOutput(getX(int(round(getPartners(c.x))), c.y, c.z, c.w));
        } else {
          setOutput(get${keep}(c.x, c.y, c.z, c.w));
        }
      }`,
  };
  return (backend as MathBackendWebGL).runWebGLProgram(program, [x, partners, mask, ...(base ? [base] : [])], x.dtype);
};

/**
 * `ResizePaste` (see host_kernels.ts) as one shader: a pixel inside its sample's box reads the
 * partner at its row and column taps (bilinear: the two by two taps, weighted as the composite
 * weights them), any other the base. The composite path gathers and weighs every pixel of the
 * batch four times over, some twenty kernels and 17 times the batch's memory.
 */
const resizePasteWebGL: KernelFunc = ({ inputs, attrs, backend }) => {
  const { x, partners, boxes, rows, cols, base } = inputs as Record<'x' | 'partners' | 'boxes' | 'rows' | 'cols', TensorInfo> & { base?: TensorInfo };
  const { bilinear } = attrs as { bilinear: boolean };
  const keep = base ? 'Base' : 'X';
  const resized = bilinear
    ? `int r1 = int(round(getRows(c.x, c.y, 1)));
       int c1 = int(round(getCols(c.x, c.z, 1)));
       float wy0 = getRows(c.x, c.y, 2);
       float wy1 = getRows(c.x, c.y, 3);
       float v0 = getX(p, r0, c0, c.w) * wy0 + getX(p, r1, c0, c.w) * wy1;
       float v1 = getX(p, r0, c1, c.w) * wy0 + getX(p, r1, c1, c.w) * wy1;
       setOutput(v0 * getCols(c.x, c.z, 2) + v1 * getCols(c.x, c.z, 3));`
    : 'setOutput(getX(p, r0, c0, c.w));';
  const program: WebGLProgram = {
    variableNames: ['X', 'Partners', 'Boxes', 'Rows', 'Cols', ...(base ? ['Base'] : [])],
    outputShape: x.shape,
    userCode: `
      void main() {
        ivec4 c = getOutputCoords();
        float y = float(c.y);
        float x = float(c.z);
        if (y >= getBoxes(c.x, 0) && x >= getBoxes(c.x, 1) && y < getBoxes(c.x, 2) && x < getBoxes(c.x, 3)) {
          int p = int(round(getPartners(c.x)));
          int r0 = int(round(getRows(c.x, c.y, 0)));
          int c0 = int(round(getCols(c.x, c.z, 0)));
          ${resized}
        } else {
          setOutput(get${keep}(c.x, c.y, c.z, c.w));
        }
      }`,
  };
  return (backend as MathBackendWebGL).runWebGLProgram(program, [x, partners, boxes, rows, cols, ...(base ? [base] : [])], x.dtype);
};

/** `BlendPartners` (see host_kernels.ts) as one shader, exact where lambda is 0 or 1. */
const blendPartnersWebGL: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, lambda } = inputs as { x: TensorInfo; partners: TensorInfo; lambda: TensorInfo };
  const rest = COORDS.slice(1, x.shape.length).join(', ');
  const program: WebGLProgram = {
    variableNames: ['X', 'Partners', 'Lambda'],
    outputShape: x.shape,
    userCode: `
      void main() {
        ${COORD_TYPES[x.shape.length]} coords = getOutputCoords();
        float w = getLambda(coords.x);
        float base = getX(coords.x, ${rest});
        float other = getX(int(round(getPartners(coords.x))), ${rest});
        setOutput(w == 1.0 ? base : w == 0.0 ? other : w * base + (1.0 - w) * other);
      }`,
  };
  return (backend as MathBackendWebGL).runWebGLProgram(program, [x, partners, lambda], 'float32');
};

/**
 * GLSL: whether cell `a` ranks before cell `b` of row `batch` of Scores (n cells, indices ≥ n are
 * padding, last): finite scores first, highest first, then NaN and ±Infinity, ties to the lower index.
 */
const beatsGLSL = (n: number) => `
  int scoreClass(int batch, int e) {
    if (e >= ${n}) return 0;
    float v = getScores(batch, e);
    return isnan(v) || isinf(v) ? 1 : 2;
  }
  bool beats(int batch, int a, int b) {
    int ca = scoreClass(batch, a);
    int cb = scoreClass(batch, b);
    if (ca != cb) return ca > cb;
    if (ca == 2) {
      float va = getScores(batch, a);
      float vb = getScores(batch, b);
      if (va != vb) return va > vb;
    }
    return a < b;
  }`;

/**
 * GLSL: `keptShare(a, b)`, the float32 nearest to a / b (ties to even), as the host kernels store
 * it, for integers 0 ≤ a ≤ b, 0 < b < 2^30: the quotient's 24 significant bits by long division
 * in integers, then rounded (a shader's own a / b may be off by an ulp or two). The cell areas
 * come from the integer cell rectangles, not a float table, so that they stay exact where
 * textures are float16 (see precision.ts).
 */
const KEPT_SHARE_GLSL = `
  float keptShare(int a, int b) {
    if (a >= b) return 1.0;
    if (a <= 0) return 0.0;
    int r = a;
    int shift = 0;
    for (int i = 0; i < 31; i++) {
      if (r >= b) break;
      r *= 2;
      shift++;
    }
    int m = 0;
    for (int i = 0; i < 24; i++) {
      m *= 2;
      if (r >= b) {
        m += 1;
        r -= b;
      }
      r *= 2;
    }
    if (r > b || (r == b && imod(m, 2) == 1)) m += 1;
    float value = float(m);
    for (int i = 0; i < 64; i++) {
      if (i >= 23 + shift) break;
      value *= 0.5;
    }
    return value;
  }`;

/** Runs a program, or makes its empty output (a texture cannot be empty). */
type Run = (program: WebGLProgram, inputs: TensorInfo[], dtype: 'float32' | 'int32', uniforms?: number[][]) => TensorInfo;

/** Each row's cells best first, `[B, n]`: every cell's rank by counting the cells that beat it, then the cell of each rank. */
function rankOrder(scores: TensorInfo, run: Run, webgl: MathBackendWebGL): TensorInfo {
  const [batch, n] = scores.shape as [number, number];
  const ranks = run(
    {
      variableNames: ['Scores'],
      outputShape: [batch, n],
      userCode: `
        ${beatsGLSL(n)}
        void main() {
          ivec2 c = getOutputCoords();
          float rank = 0.0;
          for (int k = 0; k < ${n}; k++) if (beats(c.x, k, c.y)) rank += 1.0;
          setOutput(rank);
        }`,
    },
    [scores],
    'float32',
  );
  const order = run(
    {
      variableNames: ['Ranks'],
      outputShape: [batch, n],
      userCode: `
        void main() {
          ivec2 c = getOutputCoords();
          float cell = 0.0;
          for (int j = 0; j < ${n}; j++) if (getRanks(c.x, j) == float(c.y)) cell = float(j);
          setOutput(cell);
        }`,
    },
    [ranks],
    'int32',
  );
  webgl.disposeIntermediateTensorInfo(ranks);
  return order;
}

/** Each row's cells best first, `[B, 2^⌈log₂ n⌉]` (padding last): the passes of a bitonic network, one program. */
function bitonicOrder(scores: TensorInfo, run: Run, webgl: MathBackendWebGL): TensorInfo {
  const [batch, n] = scores.shape as [number, number];
  const size = 2 ** Math.ceil(Math.log2(n));
  const sortPass: WebGLProgram = {
    variableNames: ['Scores', 'Order'],
    outputShape: [batch, size],
    customUniforms: [
      { name: 'block', type: 'int' },
      { name: 'stride', type: 'int' },
      { name: 'firstPass', type: 'int' },
    ],
    userCode: `
      ${beatsGLSL(n)}
      void main() {
        ivec2 c = getOutputCoords();
        bool isLower = imod(c.y, 2 * stride) < stride;
        int lo = isLower ? c.y : c.y - stride;
        int a = firstPass == 1 ? lo : int(getOrder(c.x, lo));
        int b = firstPass == 1 ? lo + stride : int(getOrder(c.x, lo + stride));
        bool bestFirst = imod(c.y, 2 * block) < block;
        bool aFirst = beats(c.x, a, b) == bestFirst;
        setOutput(float(isLower == aFirst ? a : b));
      }`,
  };
  let order = scores; // not read by the first pass
  for (const [i, [block, stride]] of bitonicPasses(size).entries()) {
    const next = run(sortPass, [scores, order], 'int32', [[block], [stride], [i === 0 ? 1 : 0]]);
    if (i > 0) webgl.disposeIntermediateTensorInfo(order);
    order = next;
  }
  return order;
}

/**
 * `SelectCells` (see host_kernels.ts): each row's cells put in order with exact comparisons (so
 * every backend orders alike; see bitonic.ts), then from the order the listed cells, the
 * chosen-cell mask (the last cell taken and those that beat it), their rectangles and lambda, a
 * pass each. The passes depend on n alone, never on the batch.
 */
const selectCellsWebGL: KernelFunc = ({ inputs, backend, attrs }) => {
  const { scores, counts, cellRects } = inputs as { scores: TensorInfo; counts: TensorInfo; cellRects: TensorInfo };
  const { width, pixels } = attrs as unknown as { width: number; pixels: number };
  const webgl = backend as MathBackendWebGL;
  const [batch, n] = scores.shape as [number, number];
  const run: Run = (program, programInputs, dtype, uniforms) =>
    util.sizeFromShape(program.outputShape) === 0
      ? webgl.makeTensorInfo(program.outputShape, dtype, dtype === 'int32' ? new Int32Array(0) : new Float32Array(0))
      : webgl.runWebGLProgram(program, programInputs, dtype, uniforms);
  const order = n <= PAIRWISE_LIMIT ? rankOrder(scores, run, webgl) : bitonicOrder(scores, run, webgl);
  const cells = run(
    { variableNames: ['Order', 'Counts'], outputShape: [batch, width], userCode: `void main() { ivec2 c = getOutputCoords(); setOutput(float(c.y) < getCounts(c.x) ? getOrder(c.x, c.y) : -1.0); }` },
    [order, counts],
    'int32',
  );
  const chosen = run(
    {
      variableNames: ['Scores', 'Order', 'Counts'],
      outputShape: [batch, n],
      userCode: `
        ${beatsGLSL(n)}
        void main() {
          ivec2 c = getOutputCoords();
          int taken = int(getCounts(c.x));
          int last = taken > 0 ? int(getOrder(c.x, taken - 1)) : 0;
          setOutput(taken > 0 && (c.y == last || beats(c.x, c.y, last)) ? 1.0 : 0.0);
        }`,
    },
    [scores, order, counts],
    'float32',
  );
  webgl.disposeIntermediateTensorInfo(order);
  const rects = run(
    {
      variableNames: ['Cells', 'CellRects'],
      outputShape: [batch, width, 4],
      userCode: `
        void main() {
          ivec3 c = getOutputCoords();
          float cell = getCells(c.x, c.y);
          setOutput(getCellRects(cell < 0.0 ? ${n} : int(cell), c.z));
        }`,
    },
    [cells, cellRects],
    'int32',
  );
  const lambda = run(
    {
      variableNames: ['Chosen', 'CellRects'],
      outputShape: [batch],
      userCode: `
        ${KEPT_SHARE_GLSL}
        void main() {
          int b = getOutputCoords();
          int pasted = 0;
          for (int j = 0; j < ${n}; j++) {
            if (getChosen(b, j) > 0.5) {
              pasted += (int(round(getCellRects(j, 2))) - int(round(getCellRects(j, 0)))) * (int(round(getCellRects(j, 3))) - int(round(getCellRects(j, 1))));
            }
          }
          setOutput(keptShare(${pixels} - pasted, ${pixels}));
        }`,
    },
    [chosen, cellRects],
    'float32',
  );
  return [cells, rects, lambda, chosen];
};

/**
 * `PoolCells` (see host_kernels.ts) as one shader: each output cell sums its map values in
 * row-major order, the float32 steps the host kernels take.
 */
const poolCellsWebGL: KernelFunc = ({ inputs, backend, attrs }) => {
  const { map, rowSpans, colSpans, reciprocals } = inputs as { map: TensorInfo; rowSpans: TensorInfo; colSpans: TensorInfo; reciprocals: TensorInfo };
  const { maxRows, maxCols } = attrs as unknown as { maxRows: number; maxCols: number };
  const grid = rowSpans.shape[0]!;
  const program: WebGLProgram = {
    variableNames: ['Map', 'RowSpans', 'ColSpans', 'Reciprocals'],
    outputShape: [map.shape[0]!, grid, grid],
    userCode: `
      void main() {
        ivec3 c = getOutputCoords();
        int y0 = int(getRowSpans(c.y, 0));
        int y1 = int(getRowSpans(c.y, 1));
        int x0 = int(getColSpans(c.z, 0));
        int x1 = int(getColSpans(c.z, 1));
        float firstValue = getMap(c.x, y0, x0);
        float sum = 0.0;
        bool finite = true;
        for (int i = 0; i < ${maxRows}; i++) {
          if (y0 + i >= y1) break;
          for (int j = 0; j < ${maxCols}; j++) {
            if (x0 + j >= x1) break;
            float v = getMap(c.x, y0 + i, x0 + j);
            if (isnan(v) || isinf(v)) finite = false;
            sum += v - firstValue;
          }
        }
        setOutput(finite ? firstValue + sum * getReciprocals(c.y, c.z) : NAN);
      }`,
  };
  return (backend as MathBackendWebGL).runWebGLProgram(program, [map, rowSpans, colSpans, reciprocals], 'float32');
};

/** The webgl kernels. */
export const WEBGL_KERNEL_CONFIGS: KernelConfig[] = [
  { kernelName: PASTE_RECTS, backendName: 'webgl', kernelFunc: pasteRectsWebGL },
  { kernelName: PASTE_CELLS, backendName: 'webgl', kernelFunc: pasteCellsWebGL },
  { kernelName: BLEND_PARTNERS, backendName: 'webgl', kernelFunc: blendPartnersWebGL },
  { kernelName: SELECT_CELLS, backendName: 'webgl', kernelFunc: selectCellsWebGL },
  { kernelName: POOL_CELLS, backendName: 'webgl', kernelFunc: poolCellsWebGL },
  { kernelName: RESIZE_PASTE, backendName: 'webgl', kernelFunc: resizePasteWebGL },
  { kernelName: PASTE_MASK, backendName: 'webgl', kernelFunc: pasteMaskWebGL },
];
