// attentiveCutMix given attention maps in place of an extractor: the same mix bit for bit as the
// extractor that made them, clear errors for maps that do not fit the batch, and the caller's
// maps left alone.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, type AttentiveCutMixOptions, attentiveCutMix } from '../../src/index.js';
import { poolToGrid } from '../../src/cells/pool_to_grid.js';
import { createRng } from '../../src/sampling/rng.js';
import { expectNoLeak, expectThrowsCleanly, indexedImages } from '../support/tensors.js';

const KEYS = ['images', 'labels', 'lambda', 'partners', 'cells'] as const;

/** Seeded values in [lo, hi), the same bytes on every backend. */
function seededMaps(shape: [number, number, number], seed: string, lo = 0, hi = 1): tf.Tensor3D {
  const rng = createRng(seed);
  return tf.tensor3d(Array.from({ length: shape[0] * shape[1] * shape[2] }, () => lo + (hi - lo) * rng.uniform()), shape);
}

/** An extractor that returns a copy of `maps` on every call, as a real extractor returns a fresh map. */
const extractorOf = (maps: tf.Tensor): AttentionExtractor => ({ extract: () => tf.clone(maps) as tf.Tensor3D });

/** Checks that every output of the two calls is the same, bit for bit. */
async function expectSameMix(a: Record<(typeof KEYS)[number], tf.Tensor>, b: Record<(typeof KEYS)[number], tf.Tensor>) {
  for (const key of KEYS) {
    expect(b[key].shape, key).toEqual(a[key].shape);
    expect(b[key].dtype, key).toBe(a[key].dtype);
    expect(new Uint8Array((await b[key].data()).buffer), key).toEqual(new Uint8Array((await a[key].data()).buffer));
  }
}

const cases: [string, [number, number, number, number], [number, number], AttentiveCutMixOptions, number][] = [
  ['a grid-sized map', [5, 14, 14, 3], [7, 7], { seed: 1, partner: 'roll' }, 0],
  ['a map larger than the grid', [6, 21, 21, 1], [14, 14], { seed: 2, mode: 'elem', prob: 0.7 }, 0],
  ['a grid that does not divide the map (10 × 9, grid 4), non-square images', [5, 13, 9, 2], [10, 9], { seed: 3, grid: 4, topN: 5, partner: 'flip' }, 0],
  ["labelMode 'attention' on a signed map larger than the grid", [6, 24, 20, 3], [11, 7], { seed: 4, grid: 4, topN: 3, labelMode: 'attention', mode: 'elem' }, -1],
  ["labelMode 'attention', labelSmoothing, a map smaller than the grid", [4, 16, 16, 1], [3, 3], { seed: 5, grid: 5, topN: 4, labelMode: 'attention', labelSmoothing: 0.1 }, 0],
];

describe('attentiveCutMix with attention maps in place of an extractor', () => {
  it.each(cases)('gives the extractor’s mix bit for bit: %s', async (_, shape, [h, w], options, lo) => {
    const B = shape[0];
    const x = indexedImages(shape);
    const maps = seededMaps([B, h, w], `maps-${h}-${w}`, lo);
    const labels = tf.tensor1d(Array.from({ length: B }, (_, i) => (i * 3) % 4), 'int32');
    const opts = { numClasses: 4, ...options };
    const viaExtractor = attentiveCutMix(x, labels, extractorOf(maps), opts);
    const viaMaps = attentiveCutMix(x, labels, maps, opts);
    await expectSameMix(viaExtractor, viaMaps);
    expect(await viaMaps.images.data()).not.toEqual(await x.data()); // something was pasted
    tf.dispose([x, maps, labels, viaExtractor, viaMaps]);
  });

  it.each(cases)('gives it too from the maps pooled to the grid beforehand, signed maps included: %s', async (_, shape, [h, w], options, lo) => {
    const B = shape[0];
    const x = indexedImages(shape);
    const maps = seededMaps([B, h, w], `pooled-${h}-${w}`, lo);
    const pooled = poolToGrid(maps, options.grid ?? 7);
    const opts = { numClasses: 4, ...options };
    const ids = Array.from({ length: B }, (_, i) => i % 4);
    const viaExtractor = attentiveCutMix(x, ids, extractorOf(maps), opts);
    const viaPooled = attentiveCutMix(x, ids, pooled, opts);
    await expectSameMix(viaExtractor, viaPooled);
    tf.dispose([x, maps, pooled, viaExtractor, viaPooled]);
  });

  it('leaks nothing and leaves the caller’s maps usable, also when they pass through unpooled', () => {
    const x = tf.randomUniform([3, 14, 14, 3]) as tf.Tensor4D;
    for (const [h, w] of [[7, 7], [14, 10]] as const) {
      const maps = seededMaps([3, h, w], 'kept');
      expectNoLeak(() => attentiveCutMix(x, [0, 1, 2], maps, { numClasses: 3, seed: 0 }));
      expectNoLeak(() => attentiveCutMix(x, [0, 1, 2], maps, { numClasses: 3, seed: 0, labelMode: 'attention' }));
      expect(maps.isDisposed).toBe(false);
      expect(maps.shape).toEqual([3, h, w]);
      maps.dispose();
    }
    x.dispose();
  });

  it('refuses maps that do not fit the batch, naming the argument and the shape given, and leaks nothing', () => {
    const x = tf.randomUniform([2, 8, 8, 3]) as tf.Tensor4D;
    const run = (maps: unknown) => () => attentiveCutMix(x, [0, 1], maps as tf.Tensor3D, { numClasses: 2, grid: 2, topN: 1 });
    const prefix = /Argument 'attention' passed to 'attentiveCutMix' must be attention maps for the batch of 2: a float32 tensor \[2, h, w\] with h, w ≥ 1, but got /;
    const bad = [tf.zeros([2, 4, 4, 1]), tf.zeros([2, 16]), tf.zeros([2, 4, 4], 'int32'), tf.zeros([3, 4, 4]), tf.zeros([2, 0, 4]), tf.zeros([2, 4, 0])];
    const got = ['a float32 tensor of shape [2, 4, 4, 1]', 'a float32 tensor of shape [2, 16]', 'a int32 tensor of shape [2, 4, 4]', 'a float32 tensor of shape [3, 4, 4]', 'a float32 tensor of shape [2, 0, 4]', 'a float32 tensor of shape [2, 4, 0]'];
    bad.forEach((maps, i) => expectThrowsCleanly(run(maps), prefix, new RegExp(`but got ${got[i]!.replace(/[[\]]/g, '\\$&')}\\.$`)));
    const disposed = tf.zeros([2, 4, 4]);
    disposed.dispose();
    expectThrowsCleanly(run(disposed), /Argument 'attention' passed to 'attentiveCutMix' must be attention maps that are not disposed, but got a disposed tensor\./);
    expectThrowsCleanly(run([[[1]], [[2]]]), /Argument 'attention' .* or attention maps \(a float32 Tensor3D \[B, h, w\]\), but got an array of length 2\./);
    expect(bad.every((t) => !t.isDisposed)).toBe(true);
    tf.dispose([x, bad]);
  });
});
