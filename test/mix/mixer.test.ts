import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, type MixerConfig, type MixResult, attentiveCutMix, createMixer, createRng, cutMix, fmix, mixDataset, mixup, resizeMix, saliencyMix } from '../../src/index.js';
import { expectNoLeak, expectThrowsCleanly, indexedImages } from '../support/tensors.js';

const KEYS = ['images', 'labels', 'lambda', 'partners', 'boxes', 'cells', 'masks'] as const;

async function expectSame(a: MixResult, b: MixResult) {
  for (const key of KEYS) {
    const [x, y] = [(a as Record<string, tf.Tensor>)[key], (b as Record<string, tf.Tensor>)[key]];
    expect(x === undefined, key).toBe(y === undefined);
    if (!x || !y) continue;
    expect(y.shape, key).toEqual(x.shape);
    expect(new Uint8Array((await y.data()).buffer), key).toEqual(new Uint8Array((await x.data()).buffer));
  }
}

/** A fixed map per sample: row-major cell index times a per-sample factor, so cells rank differently. */
const fixedExtractor: AttentionExtractor = { extract: (images) => tf.tidy(() => tf.mul(tf.reshape(tf.range(0, 16), [1, 4, 4]), tf.reshape(tf.range(1, images.shape[0] + 1), [-1, 1, 1]))) as tf.Tensor3D };

const cases: [string, MixerConfig, (x: tf.Tensor4D, y: number[], seed: number | ReturnType<typeof createRng>) => MixResult][] = [
  ['mixup', { method: 'mixup', numClasses: 5, alpha: 0.4, mode: 'elem', labelSmoothing: 0.1 }, (x, y, seed) => mixup(x, y, { numClasses: 5, alpha: 0.4, mode: 'elem', labelSmoothing: 0.1, seed })],
  ['cutMix', { method: 'cutMix', numClasses: 5, prob: 0.7, mode: 'elem', partner: 'roll' }, (x, y, seed) => cutMix(x, y, { numClasses: 5, prob: 0.7, mode: 'elem', partner: 'roll', seed })],
  ['cutMix with minMax', { method: 'cutMix', numClasses: 5, minMax: [0.2, 0.5] }, (x, y, seed) => cutMix(x, y, { numClasses: 5, minMax: [0.2, 0.5], seed })],
  [
    'attentiveCutMix',
    { method: 'attentiveCutMix', numClasses: 5, grid: 4, topN: 3, labelMode: 'attention', mode: 'elem', extractor: fixedExtractor },
    (x, y, seed) => attentiveCutMix(x, y, fixedExtractor, { numClasses: 5, grid: 4, topN: 3, labelMode: 'attention', mode: 'elem', seed }),
  ],
  ['resizeMix', { method: 'resizeMix', numClasses: 5, scale: [0.2, 0.9], mode: 'elem', interpolation: 'nearest' }, (x, y, seed) => resizeMix(x, y, { numClasses: 5, scale: [0.2, 0.9], mode: 'elem', interpolation: 'nearest', seed })],
  ['saliencyMix', { method: 'saliencyMix', numClasses: 5, alpha: 0.5, prob: 0.8, mode: 'elem', extractor: fixedExtractor }, (x, y, seed) => saliencyMix(x, y, fixedExtractor, { numClasses: 5, alpha: 0.5, prob: 0.8, mode: 'elem', seed })],
  ['fmix', { method: 'fmix', numClasses: 5, decay: 2, labelSmoothing: 0.1 }, (x, y, seed) => fmix(x, y, { numClasses: 5, decay: 2, labelSmoothing: 0.1, seed })],
];

describe('createMixer', () => {
  const x = () => indexedImages([6, 8, 8, 3]);
  const ids = [0, 1, 2, 3, 4, 0];

  it.each(cases)('%s: mix equals the function with the same options and seed, bit for bit', async (_, config, direct) => {
    const images = x();
    const mixer = createMixer(config);
    for (const seed of [0, 7]) {
      const [a, b] = [mixer.mix(images, ids, { seed }), direct(images, ids, seed)];
      await expectSame(a, b);
      tf.dispose([a, b]);
    }
    // The config's own seed: a fresh stream per call, as the function's seed is.
    const seeded = createMixer({ ...config, seed: 11 });
    const [c, d, e] = [seeded.mix(images, ids), seeded.mix(images, ids), direct(images, ids, 11)];
    await expectSame(c, e);
    await expectSame(d, e);
    // An Rng is shared by consecutive calls, as by consecutive function calls.
    const [r1, r2] = [createRng(3), createRng(3)];
    const shared = createMixer({ ...config, seed: r1 });
    const [f, g] = [shared.mix(images, ids), shared.mix(images, ids)];
    const [h, i] = [direct(images, ids, r2), direct(images, ids, r2)];
    await expectSame(f, h);
    await expectSame(g, i);
    tf.dispose([images, c, d, e, f, g, h, i]);
  });

  it('reports the options as checked, with the defaults filled in', () => {
    expect(createMixer({ method: 'attentiveCutMix' }).options).toMatchObject({ topN: 6, grid: 7, labelMode: 'area', prob: 1, mode: 'batch', partner: 'shuffle', labelSmoothing: 0 });
    expect(createMixer({ method: 'mixup', alpha: 0.2 }).options).toMatchObject({ alpha: 0.2, prob: 1, mode: 'batch' });
  });

  it('checks every option when it is made, naming createMixer and the option', () => {
    const arg = (a: string) => new RegExp(`Argument '${a}' passed to 'createMixer'`);
    expect(() => createMixer({ method: 'cutmix' } as never)).toThrow(/Argument 'config.method' passed to 'createMixer' must be one of 'mixup', 'cutMix', 'attentiveCutMix', 'resizeMix', 'saliencyMix', 'fmix', but got 'cutmix'/);
    expect(() => createMixer(undefined as never)).toThrow(arg('config'));
    expect(() => createMixer({ method: 'mixup', minMax: [0.1, 0.2] } as never)).toThrow(/Unknown option 'minMax' passed to 'createMixer'; the options are: alpha, prob, mode, partner, seed, numClasses, labelSmoothing, validateLabels/);
    expect(() => createMixer({ method: 'cutMix', alpha: 0 })).toThrow(arg('options.alpha'));
    expect(() => createMixer({ method: 'attentiveCutMix', grid: 2 })).toThrow(/'options.topN' passed to 'createMixer' must be given when the grid has fewer than the default 6 cells/);
    expect(() => createMixer({ method: 'attentiveCutMix', grid: 3, topN: 10 })).toThrow(/'options.topN'.*an integer in \[0, 9\], but got 10/);
    expect(() => createMixer({ method: 'attentiveCutMix', alpha: 1 } as never)).toThrow(/Unknown option 'alpha' passed to 'createMixer'/);
    expect(() => createMixer({ method: 'attentiveCutMix', extractor: {} as never })).toThrow(/Argument 'options.extractor' passed to 'createMixer' must be an AttentionExtractor/);
    expect(() => createMixer({ method: 'mixup', seed: Number.NaN })).toThrow(arg('options.seed'));
  });

  it('mixes with precomputed maps given as extras, as with the extractor that made them', async () => {
    const images = x();
    const maps = fixedExtractor.extract(images) as tf.Tensor3D;
    const mixer = createMixer({ method: 'attentiveCutMix', numClasses: 5, grid: 4, topN: 3, extractor: fixedExtractor });
    const [a, b] = [mixer.mix(images, ids, { seed: 2 }), mixer.mix(images, ids, { seed: 2, attention: maps })];
    await expectSame(a, b);
    expect(maps.isDisposed).toBe(false);
    const cut = createMixer({ method: 'cutMix', numClasses: 5 });
    expectThrowsCleanly(() => cut.mix(images, ids, { attention: maps }), /Argument 'extras.attention' passed to 'cutMix mixer' must be given only to a mixer that can choose attentiveCutMix or saliencyMix, not a cutMix one/);
    expectThrowsCleanly(() => cut.mix(images, ids, { sed: 1 } as never), /Unknown option 'sed' passed to 'cutMix mixer' in 'extras'; the options are: seed, attention/);
    expectThrowsCleanly(() => cut.mix(images, ids, 3 as never), /Argument 'extras' passed to 'cutMix mixer' must be an object, but got 3/);
    const wrong = tf.zeros([2, 4, 4]) as tf.Tensor3D;
    expectThrowsCleanly(() => mixer.mix(images, ids, { attention: wrong }), /Argument 'attention' passed to 'attentiveCutMix' must be attention maps for the batch of 6/);
    tf.dispose([images, maps, wrong, a, b]);
  });

  it('leaks nothing, and leaves the caller’s tensors alone', () => {
    const images = x();
    for (const [, config] of cases) {
      const mixer = createMixer(config);
      expectNoLeak(() => mixer.mix(images, ids, { seed: 1 }));
    }
    expect(images.isDisposed).toBe(false);
    images.dispose();
  });

  it('drives mixDataset: the same batches as the method named with the same options, on one stream', async () => {
    const raw = Array.from({ length: 3 }, (_, n) => ({ xs: indexedImages([4, 8, 8, 3]), ys: tf.tensor1d([n % 5, 1, 2, 3], 'int32') }));
    const batches = tfd.array(raw);
    const read = async (ds: tfd.Dataset<tf.TensorContainer>) => {
      const out: number[][] = [];
      await ds.forEachAsync((b) => void out.push(Array.from((b as { ys: tf.Tensor }).ys.dataSync())));
      return out;
    };
    const options = { numClasses: 5, mode: 'elem', prob: 0.8 } as const;
    const viaName = await read(mixDataset(batches, 'cutMix', { ...options, seed: 4 }));
    const viaMixer = await read(mixDataset(batches, createMixer({ method: 'cutMix', ...options }), { seed: 4 }));
    const viaMixerSeed = await read(mixDataset(batches, createMixer({ method: 'cutMix', ...options, seed: 4 })));
    expect(viaMixer).toEqual(viaName);
    expect(viaMixerSeed).toEqual(viaName);
    expect(() => mixDataset(batches, createMixer({ method: 'cutMix' }), { numClasses: 5 })).toThrow(/Unknown option 'numClasses' passed to 'mixDataset'; the options are: seed/);
    tf.dispose(raw);
  });
});
