import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, type AttentiveCutMixOptions, attentiveCutMix } from '../../src/index.js';
import { createRng } from '../../src/sampling/rng.js';
import { cellOf, expectNoLeak, expectThrowsCleanly, indexedImages, oneHotRows, read } from '../support/tensors.js';

/** An extractor that returns fixed maps (a copy per call, as a real extractor would) and counts its calls. */
function fixedExtractor(maps: number[][][] | number[][][][]): AttentionExtractor & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    calls,
    extract(images) {
      calls.push(images.shape);
      return tf.tensor(maps) as tf.Tensor3D;
    },
  };
}

/** The topN cells of a grid map (row-major list), highest first, ties to the lower index. */
const topCells = (gridMap: number[], topN: number) =>
  gridMap
    .map((v, j) => [v, j] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, topN)
    .map(([, j]) => j);

/**
 * Runs attentiveCutMix with an extractor whose grid map is known, and checks every step by hand:
 * the chosen cells are the partner's top cells, each pixel comes from the partner exactly when its
 * cell was chosen, lambda is the exact kept share, labels follow lambda.
 */
async function expectExactCells(shape: [number, number, number, number], gridMaps: number[][], options: AttentiveCutMixOptions, extractorMaps?: number[][][]) {
  const [B, H, W] = shape;
  const grid = options.grid ?? 7;
  const topN = (options.topN ?? 6) as number;
  const x = indexedImages(shape);
  const maps = extractorMaps ?? gridMaps.map((m) => Array.from({ length: grid }, (_, r) => m.slice(r * grid, (r + 1) * grid)));
  const extractor = fixedExtractor(maps);
  const result = attentiveCutMix(x, tf.tensor2d(oneHotRows(B, B)), extractor, options);
  expect(extractor.calls).toEqual([shape]); // once, on the whole batch
  const [input, out] = [await read<number[][][][]>(x), await read<number[][][][]>(result.images)];
  const partners = await read<number[]>(result.partners);
  expect(result.cells.shape).toEqual([B, topN]);
  const cells = topN === 0 ? Array.from({ length: B }, () => []) : await read<number[][]>(result.cells);
  const lambda = await read<number[]>(result.lambda);
  const labels = await read<number[][]>(result.labels);
  for (let i = 0; i < B; i++) {
    const p = partners[i]!;
    const mixed = topN === 0 || cells[i]![0] !== -1;
    const expected = mixed && p !== i ? topCells(gridMaps[p]!, topN) : Array.from({ length: topN }, () => -1);
    expect(cells[i]).toEqual(expected);
    let pasted = 0;
    for (let y = 0; y < H; y++) {
      for (let xx = 0; xx < W; xx++) {
        const fromPartner = expected.includes(cellOf(y, xx, H, W, grid));
        expect(out[i]![y]![xx]).toEqual(input[fromPartner ? p : i]![y]![xx]);
        if (fromPartner) pasted++;
      }
    }
    expect(lambda[i]).toBe(Math.fround(1 - pasted / (H * W)));
    if (p !== i) {
      expect(labels[i]![i]).toBeCloseTo(lambda[i]!, 6);
      expect(labels[i]![p]).toBeCloseTo(1 - lambda[i]!, 6);
    }
  }
  tf.dispose([x, result]);
  return { partners, cells, lambda };
}

const randomMaps = (batch: number, cells: number, seed: string) => {
  const rng = createRng(seed);
  return Array.from({ length: batch }, () => Array.from({ length: cells }, () => rng.uniform()));
};

describe('attentiveCutMix', () => {
  it('pastes the partner’s top cells at the same place, pixel for pixel (divisible size)', async () => {
    await expectExactCells([5, 28, 28, 1], randomMaps(5, 49, 'a'), { seed: 1, partner: 'roll' });
  });

  it('tiles non-divisible and non-square images exactly (32×30, grid 7; 13×9, grid 4)', async () => {
    await expectExactCells([3, 32, 30, 2], randomMaps(3, 49, 'b'), { seed: 2 });
    await expectExactCells([4, 13, 9, 1], randomMaps(4, 16, 'c'), { seed: 3, grid: 4, topN: 5, partner: 'flip' });
  });

  it('breaks ties toward the lower row-major cell index', async () => {
    const { cells } = await expectExactCells([2, 14, 14, 1], [Array(49).fill(0.5), Array(49).fill(0.5)], { seed: 0, partner: 'roll', topN: 4 });
    expect(cells).toEqual([[0, 1, 2, 3], [0, 1, 2, 3]]);
  });

  it('returns the batch unchanged for topN 0 and pastes the whole partner for topN grid²', async () => {
    const maps = randomMaps(3, 9, 'd');
    const none = await expectExactCells([3, 6, 6, 1], maps, { seed: 0, grid: 3, topN: 0, partner: 'roll' });
    expect(none.lambda).toEqual([1, 1, 1]);
    expect(none.cells).toEqual([[], [], []]);
    const all = await expectExactCells([3, 6, 6, 1], maps, { seed: 0, grid: 3, topN: 9, partner: 'roll' });
    expect(all.lambda).toEqual([0, 0, 0]);
  });

  it("gives the paper's lambda: 6 of 49 cells at 224 px leave 43/49 to the base", async () => {
    const x = tf.zeros([2, 224, 224, 3]) as tf.Tensor4D;
    const result = attentiveCutMix(x, [0, 1], fixedExtractor(randomMaps(2, 49, 'e').map((m) => [m.slice(0, 7), m.slice(7, 14), m.slice(14, 21), m.slice(21, 28), m.slice(28, 35), m.slice(35, 42), m.slice(42)])), {
      numClasses: 2,
      partner: 'flip',
    });
    expect(await read(result.lambda)).toEqual([Math.fround(43 / 49), Math.fround(43 / 49)]);
    tf.dispose([x, result]);
  });

  it('averages a larger extractor map over the cells, and a non-square one', async () => {
    const rng = createRng('large');
    const big = Array.from({ length: 3 }, () => Array.from({ length: 14 }, () => Array.from({ length: 14 }, () => rng.uniform())));
    const pooled = big.map((m) => Array.from({ length: 49 }, (_, j) => {
      const [r, c] = [Math.floor(j / 7), j % 7];
      return (m[2 * r]![2 * c]! + m[2 * r]![2 * c + 1]! + m[2 * r + 1]![2 * c]! + m[2 * r + 1]![2 * c + 1]!) / 4;
    }));
    await expectExactCells([3, 21, 21, 1], pooled, { seed: 4, partner: 'roll' }, big);
    // A 7 × 14 map: each cell averages two columns.
    const wide = big.map((m) => m.slice(0, 7));
    const wideGrid = wide.map((m) => Array.from({ length: 49 }, (_, j) => (m[Math.floor(j / 7)]![2 * (j % 7)]! + m[Math.floor(j / 7)]![2 * (j % 7) + 1]!) / 2));
    await expectExactCells([3, 21, 21, 1], wideGrid, { seed: 4, partner: 'roll' }, wide);
  });

  it('reduces a feature map [B, h, w, C] to its channel mean', async () => {
    const rng = createRng('channels');
    const features = Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => [rng.uniform(), rng.uniform(), rng.uniform()])));
    const gridMaps = features.map((f) => f.flat().map((v) => (v[0]! + v[1]! + v[2]!) / 3));
    const x = indexedImages([2, 9, 9, 1]);
    const result = attentiveCutMix(x, [0, 1], { extract: () => tf.tensor4d(features) }, { numClasses: 2, grid: 3, topN: 2, partner: 'flip' });
    expect(await read(result.cells)).toEqual([topCells(gridMaps[1]!, 2), topCells(gridMaps[0]!, 2)]);
    tf.dispose([x, result]);
  });

  it('leaves samples unmixed by prob with lambda 1 and cells −1, per sample in elem mode', async () => {
    const x = indexedImages([40, 8, 8, 1]);
    const result = attentiveCutMix(x, tf.tensor2d(oneHotRows(40, 2)), undefined, { grid: 4, topN: 3, prob: 0.5, mode: 'elem', partner: 'roll', seed: 5 });
    const [cells, lambda] = [await read<number[][]>(result.cells), await read<number[]>(result.lambda)];
    const unmixed = cells.filter((row) => row.every((c) => c === -1)).length;
    expect(unmixed).toBeGreaterThan(5);
    expect(unmixed).toBeLessThan(35);
    cells.forEach((row, i) => expect(row[0] === -1).toBe(lambda[i] === 1));
    tf.dispose([x, result]);
  });

  it('keeps the dtype of int32 images, and is reproduced bit for bit by its seed', async () => {
    const x = indexedImages([4, 16, 16, 3], 'int32');
    const a = attentiveCutMix(x, [0, 1, 2, 3], undefined, { numClasses: 4, seed: 'same', grid: 4, topN: 5 });
    const b = attentiveCutMix(x, [0, 1, 2, 3], undefined, { numClasses: 4, seed: 'same', grid: 4, topN: 5 });
    expect(a.images.dtype).toBe('int32');
    for (const key of ['images', 'labels', 'lambda', 'partners', 'cells'] as const) expect(await a[key].data()).toEqual(await b[key].data());
    tf.dispose([x, a, b]);
  });

  describe("labelMode 'attention'", () => {
    it("weights the partner's label by the share of its attention mass that was pasted", async () => {
      const gridMaps = [[4, 1, 1, 0, 0, 0, 0, 0, 2], [0, 0, 3, -2, 1, 1, 0, 0, 1]]; // grid 3, negatives are clipped to 0
      const x = indexedImages([2, 6, 6, 1]);
      const extractor = fixedExtractor(gridMaps.map((m) => [m.slice(0, 3), m.slice(3, 6), m.slice(6)]));
      const result = attentiveCutMix(x, [0, 1], extractor, { numClasses: 2, grid: 3, topN: 2, partner: 'flip', labelMode: 'attention' });
      // Sample 0 gets sample 1's cells 2 (mass 3) and 4 (mass 1) of a total 6; sample 1 gets cells 0 (4) and 8 (2) of 8.
      const labels = await read<number[][]>(result.labels);
      expect(labels[0]![1]).toBeCloseTo(4 / 6, 6);
      expect(labels[0]![0]).toBeCloseTo(2 / 6, 6);
      expect(labels[1]![0]).toBeCloseTo(6 / 8, 6);
      expect(await read(result.lambda)).toEqual([Math.fround(7 / 9), Math.fround(7 / 9)]); // lambda stays the area share
      tf.dispose([x, result]);
    });

    it('clips a cell’s mean attention at 0, not its pixels: a signed map larger than the grid', async () => {
      // Grid 2 over 4 × 4 maps: sample 1's cells 0 (pixels 3, −1, −1, −1: mean 0), 1 (all 1),
      // 2 (all 2) and 3 (pixels 5, −3, 0, 0: mean 0.5). Its masses are 0, 1, 2, 0.5 (of 3.5);
      // clipping pixel by pixel would give cell 0 a mass of 0.75.
      const signed = [
        [3, -1, 1, 1],
        [-1, -1, 1, 1],
        [2, 2, 5, -3],
        [2, 2, 0, 0],
      ];
      const x = indexedImages([2, 4, 4, 1]);
      const flat = [[[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], signed];
      const result = attentiveCutMix(x, [0, 1], fixedExtractor(flat), { numClasses: 2, grid: 2, topN: 2, partner: 'flip', labelMode: 'attention' });
      expect((await read<number[][]>(result.cells))[0]).toEqual([2, 1]); // ranked by the cells' means
      expect((await read<number[][]>(result.labels))[0]![1]).toBeCloseTo(3 / 3.5, 6);
      tf.dispose([x, result]);
    });

    it('falls back to the area share when the partner has no attention at all', async () => {
      const x = indexedImages([2, 6, 6, 1]);
      const zeros = [0, 1].map(() => [[0, 0, 0], [0, 0, 0], [0, 0, 0]]);
      const result = attentiveCutMix(x, [0, 1], fixedExtractor(zeros), { numClasses: 2, grid: 3, topN: 3, partner: 'flip', labelMode: 'attention' });
      const labels = await read<number[][]>(result.labels);
      expect(labels[0]![1]).toBeCloseTo(3 / 9, 6);
      tf.dispose([x, result]);
    });
  });

  describe('extractors', () => {
    it('disposes what the extractor creates, and never a map it had before the call', async () => {
      const cached = tf.randomUniform([3, 7, 7]) as tf.Tensor3D;
      const x = tf.randomUniform([3, 14, 14, 3]) as tf.Tensor4D;
      expectNoLeak(() => attentiveCutMix(x, [0, 1, 2], { extract: () => cached }, { numClasses: 3, seed: 0 }));
      expect(cached.isDisposed).toBe(false);
      expectNoLeak(() => attentiveCutMix(x, [0, 1, 2], { extract: (im) => tf.mean(tf.mul(im, 2), 3) as tf.Tensor3D }, { numClasses: 3, seed: 0, grid: 2, topN: 1 }));
      tf.dispose([cached, x]);
    });

    it('gives the extractor the batch’s labels before mixing, float32 [B, K], unsmoothed', async () => {
      const x = tf.randomUniform([3, 8, 8, 1]) as tf.Tensor4D;
      const seen: { shape: number[]; dtype: string; values: number[][] }[] = [];
      const extractor: AttentionExtractor = {
        extract(images, labels) {
          if (labels) seen.push({ shape: labels.shape, dtype: labels.dtype, values: labels.arraySync() as number[][] });
          return tf.ones([images.shape[0], 2, 2]) as tf.Tensor3D;
        },
      };
      tf.dispose(attentiveCutMix(x, [2, 0, 1], extractor, { numClasses: 3, grid: 2, topN: 1, labelSmoothing: 0.3, seed: 0 }));
      tf.dispose(attentiveCutMix(x, [[0.5, 0.5, 0], [0, 1, 0], [0, 0, 1]], extractor, { grid: 2, topN: 1, seed: 0 }));
      expect(seen).toEqual([
        { shape: [3, 3], dtype: 'float32', values: [[0, 0, 1], [1, 0, 0], [0, 1, 0]] },
        { shape: [3, 3], dtype: 'float32', values: [[0.5, 0.5, 0], [0, 1, 0], [0, 0, 1]] },
      ]);
      x.dispose();
    });

    it('gives a clear error for an extractor that misbehaves, naming its output, and leaks nothing', () => {
      const x = tf.randomUniform([2, 8, 8, 3]) as tf.Tensor4D;
      const [wrongBatch, wrongRank, ints] = [tf.zeros([3, 4, 4]), tf.zeros([2, 16]), tf.zeros([2, 4, 4], 'int32')];
      const run = (extract: () => unknown) => () => attentiveCutMix(x, [0, 1], { extract } as AttentionExtractor, { numClasses: 2, grid: 2, topN: 1 });
      expectThrowsCleanly(run(() => wrongBatch), /extractor passed to 'attentiveCutMix' must return a float32 attention map \[2, h, w\].*float32 tensor of shape \[3, 4, 4\]/);
      expectThrowsCleanly(run(() => wrongRank), /shape \[2, 16\]/);
      expectThrowsCleanly(run(() => ints), /int32 tensor of shape \[2, 4, 4\]/);
      expectThrowsCleanly(run(() => Promise.resolve(wrongBatch)), /a Promise \(extract must be synchronous\)/);
      expectThrowsCleanly(run(() => { tf.ones([5]); throw new Error('boom'); }), /extractor passed to 'attentiveCutMix' threw .*\[2, 8, 8, 3\]: boom/);
      expectThrowsCleanly(() => attentiveCutMix(x, [0, 1], {} as AttentionExtractor, { numClasses: 2 }), /Argument 'attention' passed to 'attentiveCutMix' must be an AttentionExtractor .* or attention maps .*but got an object with keys \[\]/);
      tf.dispose([x, wrongBatch, wrongRank, ints]);
    });
  });

  it('checks topN, grid and labelMode, naming them', () => {
    const x = tf.zeros([2, 6, 5, 1]) as tf.Tensor4D;
    const arg = (a: string) => new RegExp(`Argument '${a}' passed to 'attentiveCutMix'`);
    const call = (options: object) => () => attentiveCutMix(x, [0, 1], undefined, { numClasses: 2, ...options });
    expectThrowsCleanly(call({ grid: 3, topN: 10 }), arg('options.topN'), /integer in \[0, 9\], but got 10/);
    expectThrowsCleanly(call({ topN: 2.5, grid: 2 }), arg('options.topN'), /integer/);
    expectThrowsCleanly(call({ grid: 0 }), arg('options.grid'), /integer >= 1, but got 0/);
    expectThrowsCleanly(call({ grid: 6, topN: 1 }), arg('options.grid'), /at most the image size 6×5.*but got 6/);
    expectThrowsCleanly(call({ labelMode: 'mass' }), arg('options.labelMode'), /'area', 'attention'/);
    expectThrowsCleanly(call({ grid: 2 }), arg('options.topN'), /given when the grid has fewer than the default 6 cells \(grid = 2\)/);
    expectThrowsCleanly(call({ alpha: 0.5 }), /Unknown option 'alpha' passed to 'attentiveCutMix'/);
    expectThrowsCleanly(call({ grid: 2, topN: { alpha: 0 } }), arg('options.topN'), /an integer >= 0, or \{ alpha \} with alpha > 0, but got an object with keys \[alpha\]/);
    expectThrowsCleanly(call({ grid: 2, topN: { alpha: 1, beta: 1 } }), arg('options.topN'));
    expectThrowsCleanly(call({ grid: 1, topN: { alpha: 1 } }), arg('options.grid'), /at least 2 with options.topN \{ alpha \}, which draws from 1 to grid² − 1 cells, but got 1/);
    x.dispose();
  });

  describe('topN { alpha }: the number of cells drawn, as OpenMixup draws it', () => {
    const [B, H, W, grid] = [40, 12, 12, 4];
    const extractor = fixedExtractor(Array.from({ length: B }, (_, b) => Array.from({ length: grid }, (_, r) => Array.from({ length: grid }, (_, c) => ((r * grid + c) * 5 + b) % 16))));
    const gridMap = (b: number) => Array.from({ length: 16 }, (_, j) => (j * 5 + b) % 16);

    it('pastes each sample’s drawn number of its partner’s top cells, listed in grid² columns, with the exact lambda', async () => {
      const [x, y] = [indexedImages([B, H, W, 1]), tf.tensor2d(oneHotRows(B, B))];
      const result = attentiveCutMix(x, y, extractor, { grid, topN: { alpha: 1 }, mode: 'elem', seed: 4 });
      expect(result.cells.shape).toEqual([B, 16]);
      const [cells, lambda, partners, labels] = [await read<number[][]>(result.cells), await read<number[]>(result.lambda), await read<number[]>(result.partners), await read<number[][]>(result.labels)];
      const counts = cells.map((row) => row.filter((c) => c >= 0).length);
      for (let i = 0; i < B; i++) {
        const n = counts[i]!;
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(15);
        expect(cells[i]).toEqual([...topCells(gridMap(partners[i]!), n), ...new Array<number>(16 - n).fill(-1)]);
        expect(lambda[i]).toBe(Math.fround(1 - (n * 9) / (H * W))); // 3 × 3 pixel cells
        expect(labels[i]![partners[i]!]).toBeCloseTo(1 - lambda[i]!, 5);
      }
      // Beta(1, 1) is uniform: N = round((1 − λ)·16) clipped to [1, 15] averages 8.
      const mean = counts.reduce((a, b) => a + b, 0) / B;
      expect(Math.abs(mean - 8)).toBeLessThan(5 * Math.sqrt(21 / B)); // the variance of N is about 21
      expect(new Set(counts).size).toBeGreaterThan(5);
      tf.dispose([x, y, result]);
    });

    it('draws one number for the whole batch in batch mode', async () => {
      const [x, y] = [indexedImages([B, H, W, 1]), tf.tensor2d(oneHotRows(B, B))];
      for (const seed of [1, 2, 3]) {
        const result = attentiveCutMix(x, y, extractor, { grid, topN: { alpha: 0.5 }, seed });
        expect(new Set((await read<number[][]>(result.cells)).map((row) => row.filter((c) => c >= 0).length)).size).toBe(1);
        tf.dispose(result);
      }
      tf.dispose([x, y]);
    });
  });
});
