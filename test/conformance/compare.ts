// Compares one backend's report with the reference (cpu) report, element by element; or, for a
// backend with half-float textures, checks what holds there (docs/backends.md).
import { cellOf } from '../support/tensors.js';
import type { BackendReport, CaseReport, TensorReport } from './runner.js';

/** Float outputs may differ in the last digits between backends (reductions run in other orders). */
const TOLERANCE = 1e-4;

/** Outputs every case gives bit for bit on the backends with fused kernels: lambda, the exact pasted share. */
const ALWAYS_EXACT = ['lambda'];

/**
 * Every difference between `actual` and `reference` outputs, and every broken guarantee of `actual`, as readable lines.
 * Integer outputs and a case's `exact` float outputs (on fused backends) must be identical, NaN included.
 */
export function conformanceProblems(reference: BackendReport, actual: BackendReport): string[] {
  const problems: string[] = [];
  const bothFused = ![reference.backend, actual.backend].some((b) => b.includes('(composite)'));
  for (const [name, expected] of Object.entries(reference.cases)) {
    const got = actual.cases[name];
    if (!got) {
      problems.push(`${name}: missing on ${actual.backend}`);
      continue;
    }
    for (const [key, want] of Object.entries(expected.outputs)) {
      const have = got.outputs[key];
      const where = `${name} › ${key} on ${actual.backend}`;
      if (!have) {
        problems.push(`${where}: missing`);
        continue;
      }
      if (have.dtype !== want.dtype || have.shape.join() !== want.shape.join()) {
        problems.push(`${where}: ${have.dtype} [${have.shape}] instead of ${want.dtype} [${want.shape}]`);
        continue;
      }
      const exact = want.dtype !== 'float32' || (bothFused && (expected.exact.includes(key) || ALWAYS_EXACT.includes(key)));
      const bad = want.values.findIndex((v, i) => (exact ? !Object.is(have.values[i], v) : !(Math.abs(have.values[i]! - v) <= TOLERANCE * Math.max(1, Math.abs(v)))));
      if (bad >= 0) problems.push(`${where}: element ${bad} is ${have.values[bad]}, cpu gives ${want.values[bad]}`);
    }
    if (got.readbacks.length > 0) problems.push(`${name} on ${actual.backend}: read back during the call (${got.readbacks.join(', ')})`);
    if (got.kernels.b4.join() !== got.kernels.b32.join()) {
      problems.push(`${name} on ${actual.backend}: ${got.kernels.b4.length} kernels for B = 4 but ${got.kernels.b32.length} for B = 32`);
    }
    if (got.leaked !== 0) problems.push(`${name} on ${actual.backend}: ${got.leaked} tensors left behind`);
  }
  return problems;
}

/**
 * A value stored in a float16 texture keeps 11 significant bits: rounded once or twice on the way
 * (the inputs' upload, the result's store), it lies within this of the float32 result, relative
 * to max(1, |value|).
 */
const HALF_TOLERANCE = 2 ** -9;
/** lambda may differ from the exact pasted share by the float16 rounding of its store (and, on the composite path, of its sums). */
const HALF_LAMBDA_TOLERANCE = 2 ** -10;

/**
 * What must hold on a backend with half-float textures (`actual`), against the cpu reference:
 * partners, boxes and methods exactly; floats within float16 rounding (but attention maps an
 * extractor computed there, which round at every op). Where attention picks
 * cells, the picking itself sees maps as float16 holds them, so a sample may get other cells
 * than on cpu where its partner's cells are that close: each sample whose cells match cpu's is
 * compared with cpu's within rounding, and each other one must be consistent on its own: valid
 * cells (as many as on cpu, distinct, on the grid), exactly those cells of its partner's image
 * pasted into its own (pixel for pixel, from the inputs as the backend held them), lambda the
 * share they leave within a float16 rounding, and label rows that sum to 1.
 */
export function halfFloatProblems(reference: BackendReport, actual: BackendReport): string[] {
  const problems: string[] = [];
  for (const [name, expected] of Object.entries(reference.cases)) {
    const got = actual.cases[name];
    if (!got) {
      problems.push(`${name}: missing on ${actual.backend}`);
      continue;
    }
    const where = (key: string) => `${name} › ${key} on ${actual.backend}`;
    const shapes = Object.entries(expected.outputs).filter(([key, want]) => {
      const have = got.outputs[key];
      if (have && have.dtype === want.dtype && have.shape.join() === want.shape.join()) return true;
      problems.push(`${where(key)}: ${have ? `${have.dtype} [${have.shape}] instead of ${want.dtype} [${want.shape}]` : 'missing'}`);
      return false;
    });
    if (shapes.length < Object.keys(expected.outputs).length) continue;
    const attentiveRows = checkCells(expected, got, where, problems);
    for (const [key, want] of Object.entries(expected.outputs)) {
      if (key.startsWith('cells') || expected.computedMaps.includes(key)) continue; // checked above; maps computed in float16 are what they are
      const rows = ['images', 'labels', 'lambda'].includes(key) ? attentiveRows : new Set<number>();
      const exact = want.dtype !== 'float32';
      const perRow = want.values.length / (want.shape[0] ?? 1);
      const bad = want.values.findIndex((v, i) => {
        if (rows.has(Math.floor(i / perRow))) return false; // checked on its own below
        const have = got.outputs[key]!.values[i]!;
        const tolerance = key === 'lambda' ? HALF_LAMBDA_TOLERANCE : HALF_TOLERANCE * Math.max(1, Math.abs(v));
        return exact ? !Object.is(have, v) : !(Math.abs(have - v) <= tolerance);
      });
      if (bad >= 0) problems.push(`${where(key)}: element ${bad} is ${got.outputs[key]!.values[bad]}, cpu gives ${want.values[bad]}`);
    }
    for (const row of attentiveRows) problems.push(...consistencyProblems(got, row, where));
    if (got.readbacks.length > 0) problems.push(`${name} on ${actual.backend}: read back during the call (${got.readbacks.join(', ')})`);
    if (got.leaked !== 0) problems.push(`${name} on ${actual.backend}: ${got.leaked} tensors left behind`);
  }
  return problems;
}

/** Rows of a tensor report, as lists of values. */
function rowsOf({ shape, values }: TensorReport): number[][] {
  const size = values.length / (shape[0] ?? 1);
  return Array.from({ length: shape[0] ?? 0 }, (_, i) => values.slice(i * size, (i + 1) * size));
}

/**
 * Checks every `cells` output: each row lists as many cells as cpu's, distinct and on the grid,
 * then −1; those of the case's `halfFloatExact` outputs, cpu's cells. Returns the rows of the
 * result (`cells`, with `images`) whose cells differ from cpu's.
 */
function checkCells(expected: CaseReport, got: CaseReport, where: (key: string) => string, problems: string[]): Set<number> {
  const differing = new Set<number>();
  for (const [key, grid] of Object.entries(expected.grids)) {
    const [want, have] = [rowsOf(expected.outputs[key]!), rowsOf(got.outputs[key]!)];
    have.forEach((row, i) => {
      const listed = row.filter((c) => c >= 0);
      const count = want[i]!.filter((c) => c >= 0).length;
      const valid = listed.length === count && row.slice(count).every((c) => c === -1) && new Set(listed).size === count && listed.every((c) => Number.isInteger(c) && c < grid * grid);
      if (!valid) problems.push(`${where(key)}: row ${i} lists [${row}], not ${count} distinct cells of a ${grid} × ${grid} grid followed by −1 (cpu: [${want[i]}])`);
      else if (row.join() === want[i]!.join()) return;
      else if (expected.halfFloatExact.includes(key)) problems.push(`${where(key)}: row ${i} lists [${row}], cpu [${want[i]}] (maps float16 holds exactly)`);
      else if (key === 'cells') differing.add(i);
    });
  }
  return got.outputs.images ? differing : new Set();
}

/**
 * Sample `i` of an attentiveCutMix (or oneOf) result checked on its own: its image is its input
 * with exactly its listed cells of its partner's input pasted, lambda is the share of pixels
 * they leave (within a float16 rounding), and its label row sums to 1.
 */
function consistencyProblems(got: CaseReport, i: number, where: (key: string) => string): string[] {
  const problems: string[] = [];
  const { images, labels, lambda, partners, cells } = got.outputs as Record<string, TensorReport>;
  const input = got.outputs['input 0']!;
  const grid = got.grids.cells!;
  const [, height, width, channels] = images!.shape as [number, number, number, number];
  const partner = partners!.values[i]!;
  const listed = new Set(rowsOf(cells!)[i]!.filter((c) => c >= 0));
  const size = height * width * channels;
  let pasted = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const fromPartner = listed.has(cellOf(y, x, height, width, grid));
      if (fromPartner) pasted++;
      for (let c = 0; c < channels; c++) {
        const at = (y * width + x) * channels + c;
        const want = input.values[(fromPartner ? partner : i) * size + at]!;
        if (!Object.is(images!.values[i * size + at], want)) {
          problems.push(`${where('images')}: sample ${i} at (${y}, ${x}, ${c}) is ${images!.values[i * size + at]}, but its input ${fromPartner ? `partner ${partner}` : 'itself'} holds ${want} there (cells [${[...listed]}])`);
          return problems;
        }
      }
    }
  }
  const share = 1 - pasted / (height * width);
  if (!(Math.abs(lambda!.values[i]! - share) <= HALF_LAMBDA_TOLERANCE)) problems.push(`${where('lambda')}: sample ${i} has ${lambda!.values[i]}, but its cells leave ${share}`);
  const sum = rowsOf(labels!)[i]!.reduce((a, b) => a + b, 0);
  if (!(Math.abs(sum - 1) <= HALF_TOLERANCE * labels!.shape[1]!)) problems.push(`${where('labels')}: the row of sample ${i} sums to ${sum}`);
  return problems;
}
