// Soak: each op 2,000 times on a small batch, as a training loop would call it. Whatever a call
// allocates must be released when its result is disposed: tf.memory() (tensors and bytes) comes
// back to where it started, and the JavaScript heap stays flat.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { attentiveCutMix, createRng, cutMix, fmix, mixup, resizeMix, saliencyExtractor, saliencyMix } from '../../src/index.js';

const ITERATIONS = 2000;
const WARM_UP = 100;
/**
 * The bound on heap growth over the 2,000 calls, measured after a full garbage collection: 20 MB.
 * A leak of one small object per call (a retained tensor handle, a closure over a result) grows
 * the heap by far less than that, so the tensor counts above catch those; this bound catches a
 * leak of anything like a buffer per call (2,000 × 12 KB, one batch of [4, 16, 16, 3] float32,
 * is 24 MB) and any leak of a few KB per call that tfjs does not count.
 */
const HEAP_BOUND = 20 * 1024 * 1024;

/**
 * A full garbage collection: `global.gc` when Node runs with --expose-gc, else the same function
 * obtained by turning the flag on at run time (a fresh context then sees `gc`).
 */
const collect: () => void = (() => {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function heapAfterGc(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

const rng = createRng('soak'); // one stream for the whole loop, as in training
const extractor = saliencyExtractor();
const maps = tf.randomUniform([4, 5, 5], 0, 1, 'float32', 2) as tf.Tensor3D; // kept for the whole file, like the stream

type Call = (images: tf.Tensor4D, labels: tf.Tensor1D) => tf.TensorContainer;

describe.each([
  ['mixup', ((x, y) => mixup(x, y, { numClasses: 5, seed: rng })) as Call],
  ['cutMix', ((x, y) => cutMix(x, y, { numClasses: 5, seed: rng, mode: 'elem' })) as Call],
  ['attentiveCutMix with saliencyExtractor', ((x, y) => attentiveCutMix(x, y, extractor, { numClasses: 5, seed: rng, grid: 4, topN: 5, mode: 'elem' })) as Call],
  ['resizeMix', ((x, y) => resizeMix(x, y, { numClasses: 5, seed: rng, mode: 'elem' })) as Call],
  ['saliencyMix with precomputed maps', ((x, y) => saliencyMix(x, y, maps, { numClasses: 5, seed: rng, mode: 'elem' })) as Call],
  ['fmix', ((x, y) => fmix(x, y, { numClasses: 5, seed: rng, mode: 'elem' })) as Call],
])('%s, 2,000 calls', (_, call) => {
  it('returns tf.memory() to its starting tensors and bytes, and keeps the heap flat', () => {
    const images = tf.randomUniform([4, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
    for (let i = 0; i < WARM_UP; i++) tf.dispose(call(images, labels));
    const start = tf.memory();
    const heapStart = heapAfterGc();
    for (let i = 0; i < ITERATIONS; i++) {
      tf.dispose(call(images, labels));
      if (i % 500 === 499) {
        // Checked along the way too, so a slow leak is seen where it starts.
        expect(tf.memory().numTensors, `tensors after ${i + 1} calls`).toBe(start.numTensors);
      }
    }
    const end = tf.memory();
    expect(end.numTensors).toBe(start.numTensors);
    expect(end.numBytes).toBe(start.numBytes);
    expect(end.numDataBuffers).toBe(start.numDataBuffers);
    const growth = heapAfterGc() - heapStart;
    expect(growth, `heap grew by ${growth} bytes over ${ITERATIONS} calls`).toBeLessThan(HEAP_BOUND);
    tf.dispose([images, labels]);
  }, 120_000); // 2,100 calls: a few seconds on a quiet machine, half a minute and more on a busy one
});
