// Helpers for tensor tests: images whose every value tells where it came from, and leak checks.
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * `[B, H, W, C]` images whose value at (b, y, x, c) is its own flat index, so every output
 * value names the sample and the place it came from (exact in float32 below 2^24).
 */
export function indexedImages(shape: [number, number, number, number], dtype: 'float32' | 'int32' = 'float32'): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Array.from({ length: size }, (_, i) => i), shape, dtype);
}

/** One-hot labels `[B, K]` as nested arrays, class of sample b = b mod K. */
export function oneHotRows(batchSize: number, numClasses: number): number[][] {
  return Array.from({ length: batchSize }, (_, b) => Array.from({ length: numClasses }, (_, k) => (k === b % numClasses ? 1 : 0)));
}

/** Runs `fn`, disposes what it returns, and checks that no tensor was left behind. */
export function expectNoLeak(fn: () => tf.TensorContainer): void {
  const before = tf.memory().numTensors;
  tf.dispose(fn());
  expect(tf.memory().numTensors).toBe(before);
}

/** Checks that `fn` throws an Error matching every pattern, and leaks nothing while doing so. */
export function expectThrowsCleanly(fn: () => unknown, ...patterns: RegExp[]): void {
  const before = tf.memory().numTensors;
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected the call to throw').toBeInstanceOf(Error);
  for (const pattern of patterns) expect((error as Error).message).toMatch(pattern);
  expect(tf.memory().numTensors).toBe(before);
}

/** Plain nested arrays of a result, read after the op has returned. */
export async function read<T = number[]>(t: tf.Tensor): Promise<T> {
  return (await t.array()) as T;
}

/**
 * The row-major cell index of pixel (y, x) under the documented partition, written apart from the
 * library's: the last k with ⌊k·size/grid⌋ ≤ position, on each axis.
 */
export const cellOf = (y: number, x: number, H: number, W: number, grid: number): number => {
  const last = (position: number, size: number) => {
    let k = 0;
    while (k + 1 < grid && Math.floor(((k + 1) * size) / grid) <= position) k++;
    return k;
  };
  return last(y, H) * grid + last(x, W);
};

/**
 * Bilinear scaling of a whole image into an h × w box, written from the documented formula in
 * doubles (half-pixel centres; the last row or column read twice at the edge).
 */
export function referenceBilinear(image: number[][][], h: number, w: number): number[][][] {
  const [H, W] = [image.length, image[0]!.length];
  const taps = (i: number, n: number, size: number) => {
    const s = Math.min(size - 1, Math.max(0, ((i + 0.5) * size) / n - 0.5));
    const t = Math.floor(s);
    return [t, Math.min(size - 1, t + 1), s - t] as const;
  };
  return Array.from({ length: h }, (_, i) => {
    const [r0, r1, fy] = taps(i, h, H);
    return Array.from({ length: w }, (_, j) => {
      const [c0, c1, fx] = taps(j, w, W);
      return image[0]![0]!.map((_, c) => {
        const at = (r: number, col: number) => image[r]![col]![c]!;
        return (1 - fx) * ((1 - fy) * at(r0, c0) + fy * at(r1, c0)) + fx * ((1 - fy) * at(r0, c1) + fy * at(r1, c1));
      });
    });
  });
}
