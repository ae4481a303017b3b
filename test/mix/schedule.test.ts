// Schedules: mixing turned off from an epoch or a step on, or scaled by a function of them, in a
// mixer and in mixDataset, which counts epochs as iterations of the dataset.
import * as tf from '@tensorflow/tfjs-core';
import * as tfd from '@tensorflow/tfjs-data';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { type MixProgress, createMixer, createRng, cutMix, mixBatches, mixDataset } from '../../src/index.js';
import { expectThrowsCleanly, indexedImages, read } from '../support/tensors.js';

const [BATCHES, B, H, W, K] = [3, 4, 6, 6, 4];

/** Bit patterns of every tensor of two results, for an exact comparison. */
async function bits(result: Record<string, tf.Tensor>) {
  return Object.fromEntries(await Promise.all(Object.entries(result).map(async ([k, t]) => [k, Array.from(new Uint8Array((await t.data()).buffer))])));
}

/** The raw batches, as arrays, and a tf.data dataset of them: images whose values name their place. */
function batches() {
  const raw = Array.from({ length: BATCHES }, (_, n) => {
    const x = tf.tidy(() => tf.add(indexedImages([B, H, W, 1]), n * 1000));
    const xs = x.arraySync() as number[][][][];
    x.dispose();
    return { xs, ys: Array.from({ length: B }, (_, b) => (b + n) % K) };
  });
  const dataset = tfd.array(raw.map(({ xs, ys }) => ({ xs: tf.tensor4d(xs), ys: tf.tensor1d(ys, 'int32') })));
  return { raw, dataset };
}

/** Every batch of a dataset's next iteration, read back and disposed. */
async function epoch(dataset: { iterator(): Promise<{ next(): Promise<IteratorResult<tf.TensorContainer>> }> }): Promise<{ xs: number[][][][]; ys: number[][] }[]> {
  const out: { xs: number[][][][]; ys: number[][] }[] = [];
  const it = await dataset.iterator();
  for (let item = await it.next(); !item.done; item = await it.next()) {
    const { xs, ys } = item.value as { xs: tf.Tensor; ys: tf.Tensor };
    out.push({ xs: await read(xs), ys: await read(ys) });
    tf.dispose([xs, ys]);
  }
  return out;
}

describe('a mixer with a schedule', () => {
  const x = () => indexedImages([B, H, W, 2]);
  const ids = [0, 1, 2, 3];

  it('mixes up to offEpoch and from it on gives what the function gives with prob 0, bit for bit', async () => {
    const images = x();
    const mixer = createMixer({ method: 'cutMix', numClasses: K, mode: 'elem', schedule: { offEpoch: 2 } });
    for (const e of [0, 1, 2, 5]) {
      const [a, b] = [mixer.mix(images, ids, { seed: 3, epoch: e }), cutMix(images, ids, { numClasses: K, mode: 'elem', seed: 3, prob: e < 2 ? 1 : 0 })];
      expect(await bits(a)).toEqual(await bits(b));
      if (e >= 2) expect(await read(a.images)).toEqual(await read(images));
      tf.dispose([a, b]);
    }
    images.dispose();
  });

  it('counts its own calls as steps for offStep, unless extras.step says otherwise', async () => {
    const images = x();
    const mixer = createMixer({ method: 'resizeMix', numClasses: K, schedule: { offStep: 2 } });
    const lambdas: number[][] = [];
    for (let call = 0; call < 4; call++) {
      const result = mixer.mix(images, ids, { seed: 1 });
      lambdas.push(await read(result.lambda));
      tf.dispose(result);
    }
    expect(lambdas.map((l) => l.some((v) => v < 1))).toEqual([true, true, false, false]);
    const early = mixer.mix(images, ids, { seed: 1, step: 0 });
    expect((await read<number[]>(early.lambda)).some((v) => v < 1)).toBe(true);
    tf.dispose([images, early]);
  });

  it('multiplies prob by the schedule’s prob at the batch’s epoch and step', async () => {
    const images = x();
    const seen: MixProgress[] = [];
    const mixer = createMixer({ method: 'cutMix', numClasses: K, mode: 'elem', prob: 0.8, schedule: { prob: (at) => (seen.push(at), 0.5) } });
    const [a, b] = [mixer.mix(images, ids, { seed: 9, epoch: 4, step: 17 }), cutMix(images, ids, { numClasses: K, mode: 'elem', seed: 9, prob: 0.4 })];
    expect(await bits(a)).toEqual(await bits(b));
    expect(seen).toEqual([{ epoch: 4, step: 17 }]);
    tf.dispose([images, a, b]);
  });

  it('checks the schedule when it is made, and what its prob returns at every call', () => {
    const images = x();
    expect(() => createMixer({ method: 'mixup', schedule: { offEpoch: -1 } })).toThrow(/Argument 'options.schedule.offEpoch' passed to 'createMixer' must be an integer >= 0, but got -1/);
    expect(() => createMixer({ method: 'mixup', schedule: { offStep: 1.5 } })).toThrow(/'options.schedule.offStep'.*an integer >= 0, but got 1.5/);
    expect(() => createMixer({ method: 'mixup', schedule: { offEpochs: 3 } as never })).toThrow(/Unknown option 'offEpochs' passed to 'createMixer' in 'options.schedule'; the options are: offEpoch, offStep, prob/);
    expect(() => createMixer({ method: 'mixup', schedule: { offepoch: 3 } as never })).toThrow(/Unknown option 'offepoch' passed to 'createMixer' in 'options.schedule'; did you mean 'offEpoch'\? the options are/);
    expect(() => createMixer({ method: 'mixup', schedule: 3 as never })).toThrow(/Argument 'options.schedule' passed to 'createMixer' must be an object, but got 3/);
    expect(() => createMixer({ method: 'mixup', schedule: { prob: 0.5 as never } })).toThrow(/'options.schedule.prob'.*a function \(\{ epoch, step \}\) => a number in \[0, 1\]/);
    const byEpoch = createMixer({ method: 'mixup', numClasses: K, schedule: { offEpoch: 1 } });
    expectThrowsCleanly(() => byEpoch.mix(images, ids), /Argument 'extras.epoch' passed to 'mixup mixer' must be the 0-based epoch of the batch.*but got undefined/);
    const bad = createMixer({ method: 'mixup', numClasses: K, schedule: { prob: ({ epoch }) => epoch * 2 } });
    expectThrowsCleanly(() => bad.mix(images, ids, { epoch: 1 }), /Argument 'options.schedule.prob' passed to 'mixup mixer' must be a function returning a number in \[0, 1\], but got 2 at epoch 1, step 0/);
    const throwing = createMixer({ method: 'mixup', numClasses: K, schedule: { prob: () => { throw new Error('no'); } } });
    expectThrowsCleanly(() => throwing.mix(images, ids, { epoch: 0 }), /The function 'options.schedule.prob' passed to 'mixup mixer' threw at epoch 0, step 0: no/);
    expectThrowsCleanly(() => byEpoch.mix(images, ids, { epoch: -2 }), /'extras.epoch'.*an integer >= 0, but got -2/);
    images.dispose();
  });
});

describe('mixDataset with a schedule', () => {
  it('counts an epoch per iteration of the dataset: mixed before offEpoch, unmixed from it on, the stream going on', async () => {
    const { raw, dataset } = batches();
    const mixed = mixDataset(dataset, 'cutMix', { numClasses: K, mode: 'elem', seed: 5, schedule: { offEpoch: 1 } });
    const epochs = [await epoch(mixed), await epoch(mixed), await epoch(mixed)];
    const rng = createRng(5); // the draws go on while mixing is off
    for (const [e, batchesOf] of epochs.entries()) {
      for (const [n, got] of batchesOf.entries()) {
        const expected = cutMix(raw[n]!.xs, raw[n]!.ys, { numClasses: K, mode: 'elem', seed: rng, prob: e < 1 ? 1 : 0 });
        expect(got.xs).toEqual(await read(expected.images));
        expect(got.ys).toEqual(await read(expected.labels));
        if (e >= 1) expect(got.xs).toEqual(raw[n]!.xs);
        tf.dispose(expected);
      }
    }
    expect(JSON.stringify(epochs[0]!.map((b) => b.xs))).not.toBe(JSON.stringify(raw.map((b) => b.xs)));
  });

  it('gives the schedule each batch’s epoch and step, from initialEpoch and initialStep; an iterator never read is no epoch', async () => {
    const seen: MixProgress[] = [];
    const { dataset } = batches();
    const mixed = mixDataset(dataset, 'resizeMix', { numClasses: K, seed: 1, schedule: { prob: (at) => (seen.push(at), 1) }, initialEpoch: 5, initialStep: 100 });
    await mixed.iterator(); // made and dropped, as model.fitDataset does before its first epoch
    await epoch(mixed);
    await epoch(mixed);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5].map((k) => ({ epoch: 5 + Math.floor(k / 3), step: 100 + k })));
  });

  it('follows model.fitDataset’s epochs', async () => {
    const seen: number[] = [];
    const epochsBegun: number[] = [];
    const { dataset } = batches();
    const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [H, W, 1] }), tfl.layers.dense({ units: K, activation: 'softmax' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const mixer = createMixer({ method: 'fmix', numClasses: K, schedule: { prob: ({ epoch: e }) => (seen.push(e), 1) } });
    await model.fitDataset(mixDataset(dataset, mixer, { seed: 2 }), { epochs: 3, verbose: 0, callbacks: { onEpochBegin: async (e) => void epochsBegun.push(e) } });
    expect(epochsBegun).toEqual([0, 1, 2]);
    expect(seen).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2]);
    model.dispose();
  });

  it('mixBatches takes a schedule by step, and refuses one by epoch, which it cannot count', async () => {
    const { dataset } = batches();
    const byStep = dataset.map(mixBatches('cutMix', { numClasses: K, seed: 4, schedule: { offStep: 2 } }));
    const [first, second] = [await epoch(byStep), await epoch(byStep)];
    const { raw } = batches();
    expect([...first, ...second].map((b, k) => JSON.stringify(b.xs) === JSON.stringify(raw[k % BATCHES]!.xs))).toEqual([false, false, true, true, true, true]);
    expectThrowsCleanly(() => mixBatches('cutMix', { numClasses: K, schedule: { offEpoch: 3 } }), /Argument 'options.schedule' passed to 'mixBatches' must be a schedule by step only \(offStep\) with mixBatches, which cannot see where an epoch starts/);
    const mixer = createMixer({ method: 'cutMix', numClasses: K, schedule: { prob: () => 1 } });
    expectThrowsCleanly(() => mixBatches(mixer), /'options.schedule' passed to 'mixBatches'/);
    expectThrowsCleanly(() => mixBatches('cutMix', { numClasses: K, initialEpoch: 2 }), /Unknown option 'initialEpoch' passed to 'mixBatches'/);
    expectThrowsCleanly(() => mixDataset(dataset, 'none', { schedule: { offEpoch: 1 } }), /Unknown option 'schedule' passed to 'mixDataset'/);
    expectThrowsCleanly(() => mixDataset(dataset, 'cutMix', { initialEpoch: -1 }), /'options.initialEpoch'.*an integer >= 0, but got -1/);
  });
});
