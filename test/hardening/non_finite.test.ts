// Non-finite values (NaN, ±Infinity, and −0 as a bit pattern) in images and attention maps, for
// the behaviour the library documents: cutMix and attentiveCutMix copy pixels exactly; mixup
// is IEEE arithmetic, except that an unmixed sample (lambda exactly 1) is the base itself;
// non-finite attention ranks below every finite value and carries no label mass.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, attentiveCutMix, cutMix, mixup } from '../../src/index.js';
import { cellEdges } from '../../src/masks/grid.js';

const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0];

/**
 * `[B, H, W, C]` float32 values: every `every`-th element is one of NaN, +Inf, −Inf, −0 (in turn),
 * the others their own flat index plus 1 (so no finite value is 0 and each names its place).
 */
function specialValues(shape: [number, number, number, number], every: number): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: size }, (_, i) => (i % every === 0 ? SPECIALS[(i / every) % SPECIALS.length]! : i + 1));
}

/** Which sample each output element must come from, given whether pixel (b, y, x) was pasted. */
function expectExactCopy(input: Float32Array, output: Float32Array, shape: number[], partners: number[], pasted: (b: number, y: number, x: number) => boolean) {
  const [B, H, W, C] = shape as [number, number, number, number];
  let pastedSpecials = 0;
  let keptSpecials = 0;
  for (let b = 0; b < B; b++) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const fromPartner = pasted(b, y, x);
        for (let c = 0; c < C; c++) {
          const at = ((b * H + y) * W + x) * C + c;
          const source = input[(((fromPartner ? partners[b]! : b) * H + y) * W + x) * C + c]!;
          const got = output[at]!;
          if (!Object.is(got, source)) expect.fail(`output [${b}, ${y}, ${x}, ${c}] is ${got}, but its source holds ${Object.is(source, -0) ? '-0' : source}`);
          if (!Number.isFinite(source) || Object.is(source, -0)) fromPartner ? pastedSpecials++ : keptSpecials++;
        }
      }
    }
  }
  return { pastedSpecials, keptSpecials };
}

/** An extractor returning fixed maps (a new tensor per call, as a real extractor would). */
const fixedMaps = (maps: number[][][] | number[][][][]): AttentionExtractor => ({ extract: () => tf.tensor(maps) as tf.Tensor3D });

/** Row-major grid maps `[grid, grid]` from flat lists. */
const asGrid = (flat: number[], grid: number) => Array.from({ length: grid }, (_, r) => flat.slice(r * grid, (r + 1) * grid));

/** The documented ranking: finite values highest first, then the non-finite cells; ties to the lower index. */
const ranked = (values: number[]) =>
  values
    .map((v, j) => [Number.isFinite(v) ? v : -Infinity, Number.isFinite(v) ? 0 : 1, j] as const)
    .sort((a, b) => a[1] - b[1] || b[0] - a[0] || a[2] - b[2])
    .map(([, , j]) => j);

describe('cutMix and attentiveCutMix copy non-finite pixels exactly', () => {
  it('cutMix pastes or keeps NaN, ±Infinity and −0 as they are, and spreads them nowhere', async () => {
    const shape: [number, number, number, number] = [6, 10, 9, 2];
    const values = specialValues(shape, 7);
    const images = tf.tensor4d(values, shape);
    const before = tf.memory().numTensors;
    const result = cutMix(images, [0, 1, 2, 3, 4, 5], { numClasses: 6, seed: 3, mode: 'elem', partner: 'roll', minMax: [0.4, 0.8] });
    const boxes = (await result.boxes.array()) as number[][];
    const partners = Array.from(await result.partners.data());
    const { pastedSpecials, keptSpecials } = expectExactCopy(values, (await result.images.data()) as Float32Array, shape, partners, (b, y, x) => {
      const [y0, x0, y1, x1] = boxes[b]!;
      return y >= y0! && y < y1! && x >= x0! && x < x1!;
    });
    expect(pastedSpecials).toBeGreaterThan(0);
    expect(keptSpecials).toBeGreaterThan(0);
    const labels = await result.labels.data();
    expect(Array.from(labels).every(Number.isFinite)).toBe(true);
    tf.dispose(result);
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  it.each([
    ['a finite attention map', (B: number) => fixedMaps(Array.from({ length: B }, (_, b) => asGrid(Array.from({ length: 16 }, (_, j) => ((j * 7 + b * 3) % 16) / 16), 4)))],
    ['the default extractor (whose map the non-finite pixels reach)', () => undefined],
  ])('attentiveCutMix pastes or keeps them as they are, with %s', async (_, makeExtractor) => {
    const shape: [number, number, number, number] = [5, 13, 11, 3];
    const grid = 4;
    const values = specialValues(shape, 5);
    const images = tf.tensor4d(values, shape);
    const before = tf.memory().numTensors;
    const result = attentiveCutMix(images, [0, 1, 2, 3, 4], makeExtractor(5), { numClasses: 5, seed: 9, grid, topN: 7, partner: 'roll' });
    const cells = (await result.cells.array()) as number[][];
    const partners = Array.from(await result.partners.data());
    const [rows, cols] = [cellEdges(shape[1], grid), cellEdges(shape[2], grid)];
    const cellOf = (y: number, x: number) => (rows.findIndex((e) => e > y) - 1) * grid + (cols.findIndex((e) => e > x) - 1);
    const { pastedSpecials, keptSpecials } = expectExactCopy(values, (await result.images.data()) as Float32Array, shape, partners, (b, y, x) => cells[b]!.includes(cellOf(y, x)));
    expect(pastedSpecials).toBeGreaterThan(0);
    expect(keptSpecials).toBeGreaterThan(0);
    const [labels, lambda] = [await result.labels.data(), await result.lambda.data()];
    expect(Array.from(labels).every(Number.isFinite)).toBe(true);
    expect(Array.from(lambda).every((l) => l > 0 && l < 1)).toBe(true);
    tf.dispose(result);
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });
});

describe('mixup with non-finite pixels', () => {
  /** Expects the output sample `b` to be the input sample `b` bit for bit. */
  const expectSampleIs = (output: Float32Array, input: Float32Array, b: number, sampleSize: number) => {
    for (let k = b * sampleSize; k < (b + 1) * sampleSize; k++) {
      if (!Object.is(output[k], input[k])) expect.fail(`output sample ${b}, element ${k - b * sampleSize}: expected exactly ${input[k]} (lambda is 1), got ${output[k]}`);
    }
  };

  it('returns every sample of a batch that prob leaves unmixed exactly, even when its partner holds NaN or ±Infinity', async () => {
    const shape: [number, number, number, number] = [3, 4, 5, 2];
    const values = specialValues(shape, 3);
    const images = tf.tensor4d(values, shape);
    const result = mixup(images, [0, 1, 2], { numClasses: 3, prob: 0, seed: 1, partner: 'roll' });
    expect(Array.from(await result.lambda.data())).toEqual([1, 1, 1]);
    const output = (await result.images.data()) as Float32Array;
    for (let b = 0; b < 3; b++) expectSampleIs(output, values, b, 40);
    tf.dispose([images, result]);
  });

  it('returns the only sample of a batch of one exactly, ±Infinity included (no Infinity·0 = NaN)', async () => {
    const values = Float32Array.from([1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -0, 6]);
    const images = tf.tensor4d(values, [1, 1, 3, 2]);
    const result = mixup(images, [[1]], { seed: 1 });
    expect(Array.from(await result.lambda.data())).toEqual([1]);
    expectSampleIs((await result.images.data()) as Float32Array, values, 0, 6);
    tf.dispose([images, result]);
  });

  it('returns a sample paired with itself exactly, and unmixed samples of elem mode exactly', async () => {
    const shape: [number, number, number, number] = [5, 3, 3, 1];
    const values = specialValues(shape, 4);
    const images = tf.tensor4d(values, shape);
    // 'flip' pairs the middle sample of an odd batch with itself.
    const flipped = mixup(images, [0, 1, 2, 3, 4], { numClasses: 5, seed: 2, partner: 'flip' });
    expect((await flipped.lambda.data())[2]).toBe(1);
    expectSampleIs((await flipped.images.data()) as Float32Array, values, 2, 9);
    // elem mode with prob 0.5: every sample with lambda 1 is its base exactly.
    const elem = mixup(images, [0, 1, 2, 3, 4], { numClasses: 5, seed: 4, partner: 'roll', mode: 'elem', prob: 0.5 });
    const lambda = Array.from(await elem.lambda.data());
    expect(lambda).toContain(1);
    const output = (await elem.images.data()) as Float32Array;
    lambda.forEach((l, b) => l === 1 && expectSampleIs(output, values, b, 9));
    tf.dispose([images, flipped, elem]);
  });

  it('gives a non-finite output exactly where either input is non-finite when 0 < lambda < 1 (IEEE arithmetic), finite elsewhere', async () => {
    const shape: [number, number, number, number] = [4, 6, 6, 2];
    const values = specialValues(shape, 5);
    const images = tf.tensor4d(values, shape);
    const result = mixup(images, [0, 1, 2, 3], { numClasses: 4, seed: 5, partner: 'roll', mode: 'elem', alpha: 1 });
    const [lambda, partners] = [Array.from(await result.lambda.data()), Array.from(await result.partners.data())];
    const output = (await result.images.data()) as Float32Array;
    const sampleSize = 72;
    for (let b = 0; b < 4; b++) {
      const l = lambda[b]!;
      expect(l > 0 && l < 1, `lambda[${b}] = ${l}`).toBe(true);
      for (let k = 0; k < sampleSize; k++) {
        const [base, partner, got] = [values[b * sampleSize + k]!, values[partners[b]! * sampleSize + k]!, output[b * sampleSize + k]!];
        // IEEE float32: lambda·base + (1 − lambda)·partner, each step rounded.
        const expected = Math.fround(Math.fround(l * base) + Math.fround(Math.fround(1 - l) * partner));
        if (Number.isFinite(base) && Number.isFinite(partner)) {
          expect(Number.isFinite(got)).toBe(true);
          expect(Math.abs(got - expected)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(base), Math.abs(partner), 1));
        } else if (!Object.is(got, expected)) {
          expect.fail(`sample ${b} element ${k}: ${l}·${base} + ${1 - l}·${partner} should be ${expected}, got ${got}`);
        }
      }
    }
    expect(Array.from(await result.labels.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([images, result]);
  });
});

describe('non-finite attention', () => {
  // Grid 3 maps; the partner of sample 0 is sample 1 and vice versa ('flip').
  const mapA = [Number.NaN, 1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, Number.NaN, 2, -1, 0];
  const mapB = [0.25, Number.POSITIVE_INFINITY, 0.25, Number.NaN, -3, 0.25, Number.NEGATIVE_INFINITY, 0.75, 0.25];
  const images = () => tf.tensor4d(Array.from({ length: 2 * 6 * 6 }, (_, i) => i), [2, 6, 6, 1]);

  it.each([1, 3, 5, 6, 7, 9])('ranks NaN and ±Infinity cells below every finite cell, ties to the lower index (topN %i)', async (topN) => {
    const x = images();
    const before = tf.memory().numTensors;
    const result = attentiveCutMix(x, [0, 1], fixedMaps([asGrid(mapA, 3), asGrid(mapB, 3)]), { numClasses: 2, grid: 3, topN, partner: 'flip' });
    expect(await result.cells.array()).toEqual([ranked(mapB).slice(0, topN), ranked(mapA).slice(0, topN)]);
    expect(ranked(mapA)).toEqual([6, 1, 4, 8, 7, 0, 2, 3, 5]); // the documented order, spelled out
    expect(Array.from(await result.labels.data()).every(Number.isFinite)).toBe(true);
    tf.dispose(result);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('ranks a cell below the finite ones when the larger map it averages holds a non-finite value, and leaves the other cells as they were', async () => {
    // 6 × 6 maps over a grid of 3: each cell averages a 2 × 2 block.
    const finite = Array.from({ length: 36 }, (_, i) => ((i * 13) % 36) / 36);
    const withSpecials = finite.slice();
    withSpecials[0] = Number.NaN; // cell 0
    withSpecials[2 * 6 + 5] = Number.POSITIVE_INFINITY; // row 2, column 5: cell 5
    withSpecials[5 * 6 + 1] = Number.NEGATIVE_INFINITY; // row 5, column 1: cell 6
    const cellMeans = Array.from({ length: 9 }, (_, j) => {
      const [r, c] = [Math.floor(j / 3), j % 3];
      const block = [0, 1, 6, 7].map((o) => withSpecials[(2 * r) * 6 + 2 * c + o]!);
      return block.reduce((a, b) => a + b, 0) / 4;
    });
    expect(cellMeans.map(Number.isFinite)).toEqual([false, true, true, true, true, false, false, true, true]);
    const x = images();
    const asMap = (flat: number[]) => Array.from({ length: 6 }, (_, r) => flat.slice(r * 6, r * 6 + 6));
    const result = attentiveCutMix(x, [0, 1], fixedMaps([asMap(finite), asMap(withSpecials)]), { numClasses: 2, grid: 3, topN: 9, partner: 'flip' });
    expect(((await result.cells.array()) as number[][])[0]).toEqual(ranked(cellMeans));
    expect(Array.from(await result.labels.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, result]);
  });

  it('ranks a feature map [B, h, w, C] whose channel holds NaN like its channel mean: below every finite cell', async () => {
    const features = [0, 1].map((b) => asGrid(Array.from({ length: 9 }, (_, j) => j + b), 3).map((row) => row.map((v) => [v, 2 * v])));
    features[1]![2]![2]![1] = Number.NaN; // cell 8, the highest of sample 1, becomes NaN
    const x = images();
    const result = attentiveCutMix(x, [0, 1], fixedMaps(features), { numClasses: 2, grid: 3, topN: 3, partner: 'flip' });
    expect(((await result.cells.array()) as number[][])[0]).toEqual([7, 6, 5]);
    tf.dispose([x, result]);
  });

  describe("with labelMode 'attention'", () => {
    const labelsOf = async (maps: number[][], topN: number) => {
      const x = images();
      const before = tf.memory().numTensors;
      const result = attentiveCutMix(x, [0, 1], fixedMaps(maps.map((m) => asGrid(m, 3))), { numClasses: 2, grid: 3, topN, partner: 'flip', labelMode: 'attention' });
      const labels = (await result.labels.array()) as number[][];
      const lambda = Array.from(await result.lambda.data());
      tf.dispose(result);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      for (const row of labels) for (const v of row) expect(Number.isFinite(v)).toBe(true);
      return { labels, lambda };
    };

    it('counts NaN and ±Infinity cells as carrying no mass', async () => {
      // Partner of sample 1 is mapA: finite positive mass 1 (cell 1) + 0.5 (cell 4) + 2 (cell 6) = 3.5, equal cell areas.
      const two = await labelsOf([mapA, mapB], 2); // pastes cells 6 and 1: 3 of 3.5
      expect(two.labels[1]![0]).toBeCloseTo(3 / 3.5, 6);
      expect(two.labels[1]![1]).toBeCloseTo(0.5 / 3.5, 6);
      const eight = await labelsOf([mapA, mapB], 8); // pastes every cell but 5 (NaN): all of the mass
      expect(eight.labels[1]![0]).toBeCloseTo(1, 6);
      // Partner of sample 0 is mapB: mass 0.25·4 + 0.75 = 1.75; topN 2 pastes cells 7 (0.75) and 0 (0.25).
      expect(two.labels[0]![1]).toBeCloseTo(1 / 1.75, 6);
    });

    it.each([
      ['all NaN', Array(9).fill(Number.NaN)],
      ['NaN, ±Infinity, negative and zero only', [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0, 0, -2, Number.NaN, 0]],
      ['+Infinity over zeros', [0, 0, 0, 0, Number.POSITIVE_INFINITY, 0, 0, 0, 0]],
    ])('falls back to the area share for a partner whose map has no finite positive mass (%s)', async (_, map) => {
      const { labels, lambda } = await labelsOf([mapA, map], 3);
      // Sample 0 takes 3 of the 9 equal cells of sample 1, whose map has no mass: weight 1 − lambda = 3/9.
      expect(lambda[0]).toBe(Math.fround(6 / 9));
      expect(labels[0]![1]).toBeCloseTo(3 / 9, 6);
      expect(labels[0]![0]).toBeCloseTo(6 / 9, 6);
    });
  });
});
