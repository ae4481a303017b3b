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
