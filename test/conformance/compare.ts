// Compares one backend's report with the reference (cpu) report, element by element.
import type { BackendReport } from './runner.js';

/** Float outputs may differ in the last digits between backends (reductions run in other orders). */
const TOLERANCE = 1e-4;

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
      const exact = want.dtype !== 'float32' || (bothFused && expected.exact.includes(key));
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
