import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, attentiveCutMix, precomputeAttention } from '../../src/index.js';
import { poolToGrid } from '../../src/cells/pool_to_grid.js';
import { createRng } from '../../src/sampling/rng.js';

/** Seeded images in [0, 1), the same bytes on every backend. */
function seededImages(shape: [number, number, number, number], seed: string): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform()), shape);
}

type Call = { shape: number[]; tensors: number; labels?: number[][] };

/** A per-image feature map [b, H, W, C] (reduced by its channel mean, as any extractor's), recording each call. */
function featureExtractor(calls: Call[] = []): AttentionExtractor {
  return {
    extract(images, labels) {
      calls.push({ shape: images.shape, tensors: tf.memory().numTensors, ...(labels ? { labels: labels.arraySync() } : {}) });
      return tf.relu(tf.sub(images, 0.3)) as tf.Tensor4D;
    },
  };
}

/** What attentiveCutMix makes of that extractor's output on the whole set at once. */
const pooledAtOnce = (x: tf.Tensor4D, grid: number) => tf.tidy(() => poolToGrid(tf.mean(tf.relu(tf.sub(x, 0.3)), 3) as tf.Tensor3D, grid));

const bits = async (t: tf.Tensor) => new Uint8Array((await t.data()).buffer);

/** Awaits `fn`, expects it to reject with an Error matching every pattern, and to leave no tensor behind. */
async function expectRejectsCleanly(fn: () => Promise<unknown>, ...patterns: RegExp[]) {
  const before = tf.memory().numTensors;
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to reject').toBeInstanceOf(Error);
  for (const pattern of patterns) expect((error as Error).message).toMatch(pattern);
  expect(tf.memory().numTensors).toBe(before);
}

describe('precomputeAttention', () => {
  it.each([
    ['batches of 4 of 10 images, grid 4 not dividing 13 × 11', [10, 13, 11, 3], 4, 4],
    ['one batch larger than the set, the default grid 7', [5, 14, 14, 1], 32, undefined],
    ['batches of 1', [3, 9, 9, 2], 1, 3],
  ] as const)('pools exactly as attentiveCutMix pools the whole set: %s', async (_, shape, batchSize, grid) => {
    const x = seededImages([...shape], `set-${shape.join('x')}`);
    const calls: Call[] = [];
    const before = tf.memory().numTensors;
    const maps = await precomputeAttention(x, featureExtractor(calls), { batchSize, grid });
    expect(tf.memory().numTensors).toBe(before + 1); // the result, nothing else
    const expected = pooledAtOnce(x, grid ?? 7);
    expect(maps.shape).toEqual([shape[0], grid ?? 7, grid ?? 7]);
    expect(maps.dtype).toBe('float32');
    expect(await bits(maps)).toEqual(await bits(expected));
    // The extractor saw the set in order, at most batchSize images at a time, the last batch smaller.
    const sizes = Array.from({ length: Math.ceil(shape[0] / batchSize) }, (_, i) => Math.min(batchSize, shape[0] - i * batchSize));
    expect(calls.map((c) => c.shape)).toEqual(sizes.map((b) => [b, ...shape.slice(1)]));
    // Bounded memory: when a batch starts, only the pooled maps of the batches before it remain.
    expect(calls.map((c) => c.tensors - calls[0]!.tensors)).toEqual(sizes.map((_, i) => i));
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, maps, expected]);
  });

  it('gives attentiveCutMix, from a slice of the maps, the same mix as the extractor bit for bit', async () => {
    const x = seededImages([12, 16, 13, 3], 'mix');
    const extractor = featureExtractor();
    const maps = await precomputeAttention(x, extractor, { grid: 4, batchSize: 5 });
    const [batch, batchMaps] = [tf.slice(x, 6, 6), tf.slice(maps, 6, 6)];
    for (const labelMode of ['area', 'attention'] as const) {
      const options = { numClasses: 3, grid: 4, topN: 5, mode: 'elem', seed: 11, labelMode } as const;
      const ids = [0, 1, 2, 0, 1, 2];
      const [a, b] = [attentiveCutMix(batch, ids, extractor, options), attentiveCutMix(batch, ids, batchMaps, options)];
      for (const key of ['images', 'labels', 'lambda', 'partners', 'cells'] as const) expect(await bits(b[key]), `${labelMode} ${key}`).toEqual(await bits(a[key]));
      tf.dispose([a, b]);
    }
    tf.dispose([x, maps, batch, batchMaps]);
  });

  it('reports progress after each batch as (images done, total)', async () => {
    const x = seededImages([10, 8, 8, 1], 'progress');
    const progress: [number, number][] = [];
    const maps = await precomputeAttention(x, featureExtractor(), { grid: 2, batchSize: 4, onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([[4, 10], [8, 10], [10, 10]]);
    tf.dispose([x, maps]);
  });

  it("passes each batch its own rows of the labels, float32 [b, K], from class ids or soft labels, and leaves the caller's labels alone", async () => {
    const x = seededImages([5, 8, 8, 1], 'labels');
    const ids = tf.tensor1d([2, 0, 1, 1, 2], 'int32');
    const calls: Call[] = [];
    tf.dispose(await precomputeAttention(x, featureExtractor(calls), { grid: 2, batchSize: 2, labels: ids, numClasses: 3 }));
    expect(calls.map((c) => c.labels)).toEqual([[[0, 0, 1], [1, 0, 0]], [[0, 1, 0], [0, 1, 0]], [[0, 0, 1]]]);
    const soft = tf.tensor2d([[0.5, 0.5], [1, 0], [0, 1], [0.25, 0.75], [1, 0]]);
    calls.length = 0;
    tf.dispose(await precomputeAttention(x, featureExtractor(calls), { grid: 2, batchSize: 3, labels: soft }));
    expect(calls.map((c) => c.labels)).toEqual([[[0.5, 0.5], [1, 0], [0, 1]], [[0.25, 0.75], [1, 0]]]);
    calls.length = 0;
    tf.dispose(await precomputeAttention(x, featureExtractor(calls), { grid: 2, batchSize: 3 }));
    expect(calls.every((c) => c.labels === undefined)).toBe(true); // none given, none passed
    expect([ids.isDisposed, soft.isDisposed, x.isDisposed]).toEqual([false, false, false]);
    tf.dispose([x, ids, soft]);
  });

  it('lets timers run before it starts and between batches', async () => {
    const x = seededImages([6, 8, 8, 1], 'yield');
    const events: string[] = [];
    const extractor = featureExtractor();
    const counting: AttentionExtractor = {
      extract(images) {
        events.push('extract');
        if (events.filter((e) => e === 'extract').length === 1) setTimeout(() => events.push('timer set in batch 1'), 0);
        return extractor.extract(images);
      },
    };
    setTimeout(() => events.push('timer set before'), 0);
    const pending = precomputeAttention(x, counting, { grid: 2, batchSize: 2 });
    events.push('returned');
    tf.dispose(await pending);
    expect(events).toEqual(['returned', 'timer set before', 'extract', 'timer set in batch 1', 'extract', 'extract']);
    x.dispose();
  });

  it('takes images as nested arrays, with the same maps as from a tensor', async () => {
    const x = seededImages([3, 8, 8, 2], 'arrays');
    const [fromTensor, fromArrays] = [await precomputeAttention(x, featureExtractor(), { grid: 4, batchSize: 2 }), await precomputeAttention(x.arraySync(), featureExtractor(), { grid: 4, batchSize: 2 })];
    expect(await bits(fromArrays)).toEqual(await bits(fromTensor));
    tf.dispose([x, fromTensor, fromArrays]);
  });

  it('keeps a map the extractor caches, even one that passes through unpooled', async () => {
    const cache = tf.randomUniform([2, 3, 3]) as tf.Tensor3D;
    const x = seededImages([4, 6, 6, 1], 'cache');
    const maps = await precomputeAttention(x, { extract: () => cache }, { grid: 3, batchSize: 2 });
    expect(cache.isDisposed).toBe(false);
    expect(await maps.array()).toEqual([...(await cache.array()), ...(await cache.array())]);
    const single = await precomputeAttention(tf.slice(x, 0, 2), { extract: () => cache }, { grid: 3 });
    single.dispose();
    expect(cache.isDisposed).toBe(false);
    tf.dispose([cache, x, maps]);
  });

  it('disposes the maps made so far when a batch fails, naming the batch', async () => {
    const x = seededImages([10, 8, 8, 1], 'fail');
    const failOn = (batch: number, result: () => unknown): AttentionExtractor => {
      let calls = 0;
      return {
        extract: (images) => {
          tf.ones([3]); // an intermediate the extractor leaves to the op's tidy
          return (++calls === batch ? result() : tf.mean(images, 3)) as tf.Tensor3D;
        },
      };
    };
    const boom = () => {
      throw new Error('boom');
    };
    await expectRejectsCleanly(() => precomputeAttention(x, failOn(2, boom), { grid: 2, batchSize: 4 }), /'precomputeAttention' could not compute the attention of images 4 to 7 \(of 10\): The extractor passed to 'precomputeAttention' threw .*\[4, 8, 8, 1\]: boom/);
    await expectRejectsCleanly(() => precomputeAttention(x, failOn(3, () => tf.zeros([2, 4, 4], 'int32')), { grid: 2, batchSize: 4 }), /images 8 to 9 \(of 10\): The extractor .* must return a float32 attention map \[2, h, w\].*but returned a int32 tensor of shape \[2, 4, 4\]/);
    const onProgress = (done: number) => {
      if (done === 8) throw new Error('stop');
    };
    await expectRejectsCleanly(() => precomputeAttention(x, failOn(0, boom), { grid: 2, batchSize: 4, onProgress }), /The onProgress callback passed to 'precomputeAttention' threw after 8 of 10 images: stop/);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('says so when the caller disposes its images before the maps are done, and leaks nothing', async () => {
    const x = seededImages([6, 8, 8, 1], 'disposed');
    const before = tf.memory().numTensors;
    const early = precomputeAttention(x, featureExtractor(), { grid: 2, batchSize: 4 });
    x.dispose();
    await expect(early).rejects.toThrow(/^Argument 'images' passed to 'precomputeAttention' must be a tensor that is kept until the returned promise settles, but got one disposed before images 0 to 3 were done\.$/);
    const y = seededImages([6, 8, 8, 1], 'disposed');
    const late = precomputeAttention(y, featureExtractor(), { grid: 2, batchSize: 4, onProgress: () => y.dispose() });
    await expect(late).rejects.toThrow(/disposed before images 4 to 5 were done\.$/);
    expect(tf.memory().numTensors).toBe(before - 1);
  });

  it('checks every argument before running the extractor, naming it', async () => {
    const x = seededImages([4, 6, 5, 1], 'args');
    let calls = 0;
    const extractor: AttentionExtractor = { extract: (images) => (calls++, tf.mean(images, 3) as tf.Tensor3D) };
    const arg = (name: string) => new RegExp(`^Argument '${name}' passed to 'precomputeAttention' must be `);
    const [small, rank3, soft] = [tf.zeros([4, 2, 2, 1]), tf.zeros([4, 6, 5]), tf.zeros([4, 3])];
    const run = (options: unknown, images: unknown = x, ex: unknown = extractor) => () => precomputeAttention(images as tf.Tensor4D, ex as AttentionExtractor, options as object);
    await expectRejectsCleanly(run(3), arg('options'), /an object, but got 3\./);
    await expectRejectsCleanly(run({ grid: 2, batch: 2 }), /^Unknown option 'batch' passed to 'precomputeAttention'; the options are: grid, batchSize, onProgress, labels, numClasses\./);
    await expectRejectsCleanly(run({ batchSize: 0 }), arg('options.batchSize'), /an integer >= 1, but got 0\.$/);
    await expectRejectsCleanly(run({ batchSize: 2.5 }), arg('options.batchSize'), /but got 2\.5\.$/);
    await expectRejectsCleanly(run({ batchSize: '4' }), arg('options.batchSize'), /but got '4'\.$/);
    await expectRejectsCleanly(run({ grid: 0 }), arg('options.grid'), /an integer >= 1, but got 0\.$/);
    await expectRejectsCleanly(run({ grid: 6 }), arg('options.grid'), /at most the image size 6×5, so that every cell holds pixels, but got 6\.$/);
    await expectRejectsCleanly(run({}, small), arg('options.grid'), /image size 2×2.*but got 7\.$/);
    await expectRejectsCleanly(run({ onProgress: 'log' }), arg('options.onProgress'), /a function \(done, total\) => void, but got 'log'\.$/);
    await expectRejectsCleanly(run({ numClasses: 3 }), arg('options.numClasses'), /given only with options.labels, but got 3\.$/);
    await expectRejectsCleanly(run({ numClasses: 0, labels: [0, 1, 0, 1] }), arg('options.numClasses'), /an integer in \[1, 16777216\], but got 0\.$/);
    await expectRejectsCleanly(run({ grid: 2, labels: [0, 1, 0, 1] }), arg('options.numClasses'), /given when labels are class ids/);
    await expectRejectsCleanly(run({ grid: 2, labels: [0, 1, 0], numClasses: 2 }), arg('options.labels'), /a batch of 4 labels, as many as images, but got 3/);
    await expectRejectsCleanly(run({ grid: 2, labels: [0, 1, 2, 1], numClasses: 2 }), arg('options.labels'), /class ids that are integers in \[0, 2\).*but got 2 at index 2/);
    await expectRejectsCleanly(run({ grid: 2, labels: soft, numClasses: 2 }), arg('options.numClasses'), /equal to the labels' K = 3/);
    await expectRejectsCleanly(run({ grid: 2 }, rank3), arg('images'), /rank 4/);
    await expectRejectsCleanly(run({ grid: 2 }, 'images'), arg('images'), /a Tensor or TensorLike, but got 'images'\.$/);
    await expectRejectsCleanly(run({ grid: 2 }, x, {}), arg('extractor'), /an AttentionExtractor.*but got an object with keys \[\]\.$/);
    expect(calls).toBe(0);
    expect([x, small, rank3, soft].every((t) => !t.isDisposed)).toBe(true);
    tf.dispose([x, small, rank3, soft]);
  });
});
