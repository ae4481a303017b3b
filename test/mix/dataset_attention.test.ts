// mixDataset over batches that bring their attention maps with them ({ xs, ys, attention }):
// 'attentive' and 'saliencyMix' mix with the maps as with the extractor that made them and run no extractor;
// the other methods ignore them; a mixer function gets them.
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, type BatchMixer, type DatasetBatch, type MixDatasetOptions, type MixMethod, cutMix, mixDataset, precomputeAttention } from '../../src/index.js';
import { poolToGrid } from '../../src/cells/pool_to_grid.js';
import { createRng } from '../../src/sampling/rng.js';

const [BATCHES, B, H, W, C, K] = [3, 6, 8, 8, 3, 4];

function seeded(shape: number[], seed: string): tf.Tensor {
  const rng = createRng(seed);
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform()), shape);
}

/** A per-image extractor: a 5 × 5 non-negative map of each image, counting its calls. */
function extractor(): AttentionExtractor & { calls: number } {
  const e = {
    calls: 0,
    extract(images: tf.Tensor4D) {
      e.calls++;
      return tf.tidy(() => tf.relu(tf.sub(tf.mean(tf.image.resizeBilinear(images, [5, 5]), 3), 0.4))) as tf.Tensor3D;
    },
  };
  return e;
}

type Raw = { xs: tf.Tensor4D; ys: tf.Tensor1D; maps: tf.Tensor3D };

/** BATCHES batches of seeded images and class ids, with their extractor maps (full size or pooled to the grid). */
function rawBatches(pool?: number): Raw[] {
  const e = extractor();
  return Array.from({ length: BATCHES }, (_, n) => {
    const xs = seeded([B, H, W, C], `batch-${n}`) as tf.Tensor4D;
    const map = e.extract(xs) as tf.Tensor3D;
    const maps = pool === undefined ? map : tf.tidy(() => poolToGrid(map, pool));
    if (maps !== map) map.dispose();
    return { xs, ys: tf.tensor1d(Array.from({ length: B }, (_, b) => (b + n) % K), 'int32'), maps };
  });
}

/** A tf.data dataset of the batches, with or without their maps (copies: tf.data disposes what a map does not pass on). */
const dataset = (raw: Raw[], withMaps: boolean) =>
  tfd.array(raw.map(({ xs, ys, maps }) => (withMaps ? { xs: xs.clone(), ys: ys.clone(), attention: maps.clone() } : { xs: xs.clone(), ys: ys.clone() })));

/** Every element's xs and ys as bytes. */
async function collect(ds: { iterator(): Promise<{ next(): Promise<IteratorResult<tf.TensorContainer>> }> }): Promise<Uint8Array[][]> {
  const out: Uint8Array[][] = [];
  const it = await ds.iterator();
  for (let item = await it.next(); !item.done; item = await it.next()) {
    const { xs, ys } = item.value as { xs: tf.Tensor; ys: tf.Tensor };
    out.push([new Uint8Array((await xs.data()).buffer), new Uint8Array((await ys.data()).buffer)]);
    tf.dispose([xs, ys]);
  }
  return out;
}

describe('mixDataset over batches with attention', () => {
  it.each([
    ['full-size maps', undefined, { grid: 4, topN: 5 }],
    ["maps pooled to the grid, labelMode 'attention'", 4, { grid: 4, topN: 3, labelMode: 'attention', mode: 'elem' }],
    ['maps pooled to a grid that does not divide the images', 3, { grid: 3, topN: 2, prob: 0.8 }],
  ] as const)("'attentive' mixes with them exactly as with the extractor, over two epochs, running no extractor: %s", async (_, pool, options) => {
    const raw = rawBatches(pool);
    const [counting, real] = [extractor(), extractor()];
    const opts: MixDatasetOptions = { numClasses: K, ...options };
    const [withMaps, without] = [dataset(raw, true), dataset(raw, false)];
    const before = tf.memory().numTensors;
    const viaMaps = mixDataset(withMaps, 'attentive', { ...opts, extractor: counting, seed: 3 });
    const viaExtractor = mixDataset(without, 'attentive', { ...opts, extractor: real, seed: 3 });
    const [a, b] = [[await collect(viaMaps), await collect(viaMaps)], [await collect(viaExtractor), await collect(viaExtractor)]];
    expect(tf.memory().numTensors).toBe(before); // the maps were disposed with the batches
    expect(counting.calls).toBe(0);
    expect(real.calls).toBe(2 * BATCHES);
    expect(a).toEqual(b);
    expect(a[1]).not.toEqual(a[0]); // each epoch draws anew: the comparison is not of two constant streams
    tf.dispose(raw);
  });

  it('gives the same mix from maps precomputed over the whole set, zipped in, shuffled and batched', async () => {
    const N = 24;
    const images = seeded([N, H, W, C], 'set') as tf.Tensor4D;
    const ids = tf.tensor1d(Array.from({ length: N }, (_, i) => i % K), 'int32');
    const maps = await precomputeAttention(images, extractor(), { grid: 4, batchSize: 10 });
    const pipeline = (withMaps: boolean) => {
      const columns = { xs: tfd.array(tf.unstack(images)), ys: tfd.array(tf.unstack(ids)) };
      return tfd.zip(withMaps ? { ...columns, attention: tfd.array(tf.unstack(maps)) } : columns).shuffle(N, 'order').batch(8);
    };
    const counting = extractor();
    const options = { numClasses: K, grid: 4, topN: 4, seed: 'mix' } as const;
    const a = await collect(mixDataset(pipeline(true), 'attentive', { ...options, extractor: counting }));
    const b = await collect(mixDataset(pipeline(false), 'attentive', { ...options, extractor: extractor() }));
    expect(a).toHaveLength(3);
    expect(a).toEqual(b);
    expect(counting.calls).toBe(0);
    tf.dispose([images, ids, maps]);
  });

  it('saliencyMix mixes with them exactly as with the extractor, over two epochs, running no extractor', async () => {
    const raw = rawBatches();
    const [counting, real] = [extractor(), extractor()];
    const opts: MixDatasetOptions = { numClasses: K, mode: 'elem', alpha: 0.5 };
    const viaMaps = mixDataset(dataset(raw, true), 'saliencyMix', { ...opts, extractor: counting, seed: 4 });
    const viaExtractor = mixDataset(dataset(raw, false), 'saliencyMix', { ...opts, extractor: real, seed: 4 });
    const [a, b] = [[await collect(viaMaps), await collect(viaMaps)], [await collect(viaExtractor), await collect(viaExtractor)]];
    expect([counting.calls, real.calls]).toEqual([0, 2 * BATCHES]);
    expect(a).toEqual(b);
    expect(a[1]).not.toEqual(a[0]);
    tf.dispose(raw);
  });

  it.each(['cutmix', 'mixup', 'none', 'resizeMix', 'fmix'] as const)("'%s' ignores them: the same batches as without", async (method: MixMethod) => {
    const raw = rawBatches(4);
    const options = method === 'none' ? { numClasses: K } : { numClasses: K, seed: 5 };
    const a = await collect(mixDataset(dataset(raw, true), method, options));
    const b = await collect(mixDataset(dataset(raw, false), method, options));
    expect(a).toEqual(b);
    tf.dispose(raw);
  });

  it('gives a mixer function the batch’s attention as its fourth argument', async () => {
    const raw = rawBatches(4);
    const seen: (number[] | undefined)[] = [];
    const mixer: BatchMixer = (images, labels, rng, attention) => {
      seen.push(attention?.shape);
      return cutMix(images, labels, { numClasses: K, seed: rng });
    };
    await collect(mixDataset(dataset(raw, true), mixer));
    await collect(mixDataset(dataset(raw.slice(0, 1), false), mixer));
    expect(seen).toEqual([[B, 4, 4], [B, 4, 4], [B, 4, 4], undefined]);
    tf.dispose(raw);
  });

  it('names the batch when its maps do not fit it, and refuses attention that is not a tensor', async () => {
    const ds = tfd.array([{ xs: seeded([B, H, W, C], 'x'), ys: tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32'), attention: tf.zeros([B - 1, 4, 4]) }]);
    await expect(collect(mixDataset(ds, 'attentive', { numClasses: K, grid: 4, topN: 2 }))).rejects.toThrow(
      /^'mixDataset' could not mix a batch \(xs: a float32 tensor of shape \[6, 8, 8, 3\], ys: a int32 tensor of shape \[6\], attention: a float32 tensor of shape \[5, 4, 4\]\) with 'attentive': Argument 'attention' passed to 'attentiveCutMix' must be attention maps for the batch of 6: a float32 tensor \[6, h, w\] with h, w ≥ 1, but got a float32 tensor of shape \[5, 4, 4\]\.$/,
    );
    const ints = tfd.array([{ xs: seeded([B, H, W, C], 'x'), ys: tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32'), attention: tf.zeros([B, 4, 4], 'int32') }]);
    await expect(collect(mixDataset(ints, 'attentive', { numClasses: K, grid: 4, topN: 2 }))).rejects.toThrow(/attention: a int32 tensor of shape \[6, 4, 4\]\) with 'attentive': .*but got a int32 tensor/);
    const batch: DatasetBatch = { xs: seeded([B, H, W, C], 'x') as tf.Tensor4D, ys: tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32') };
    const plain = { map: (f: (b: tf.TensorContainer) => unknown) => [f({ ...batch, attention: [[[1]]] } as never)] };
    expect(() => mixDataset(plain, 'attentive', { numClasses: K, grid: 4, topN: 2 })).toThrow(
      /^Argument 'dataset' passed to 'mixDataset' must be a dataset of \{ xs, ys \} or \{ xs, ys, attention \} batches of tensors, but got an element \{ xs: a float32 tensor of shape \[6, 8, 8, 3\], ys: a int32 tensor of shape \[6\], attention: an array of length 1 \}\.$/,
    );
    tf.dispose(batch);
  });
});
