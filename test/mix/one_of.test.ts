// createMixer({ oneOf }): the method drawn per batch or per sample, each sample mixed exactly as
// its method mixes, in a number of kernels that does not depend on the batch size.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { type AttentionExtractor, type OneOfConfig, createMixer, mixDataset } from '../../src/index.js';
import { expectNoLeak, indexedImages, oneHotRows, read, referenceBilinear } from '../support/tensors.js';

/** A map that ranks each sample's cells by a fixed score of its own: cell j of sample b scores (j·7 + b·3) mod 16. */
const scoredExtractor: AttentionExtractor = {
  extract: (images) => tf.tidy(() => tf.mod(tf.add(tf.mul(tf.reshape(tf.range(0, 16), [1, 4, 4]), 7), tf.mul(tf.reshape(tf.range(0, images.shape[0]), [-1, 1, 1]), 3)), 16) as tf.Tensor3D),
};
const gridScores = (b: number) => Array.from({ length: 16 }, (_, j) => (j * 7 + b * 3) % 16);
const topCells = (scores: number[], n: number) =>
  scores
    .map((v, j) => [v, j] as const)
    .sort((a, c) => c[0] - a[0] || a[1] - c[1])
    .slice(0, n)
    .map(([, j]) => j);

const THREE: OneOfConfig['oneOf'] = [{ method: 'mixup', alpha: 0.4 }, { method: 'cutMix' }, { method: 'attentiveCutMix', grid: 4, topN: 3, extractor: scoredExtractor }];

describe('createMixer({ oneOf })', () => {
  it('in elem mode mixes each sample by its own method, pixel for pixel, with its exact lambda', async () => {
    const [B, H, W, C] = [24, 8, 8, 2];
    const x = indexedImages([B, H, W, C]);
    const mixer = createMixer({ oneOf: THREE, mode: 'elem', prob: 0.9 });
    const result = mixer.mix(x, tf.tensor2d(oneHotRows(B, B)), { seed: 5 });
    const [input, out] = [await read<number[][][][]>(x), await read<number[][][][]>(result.images)];
    const methods = await read<number[]>(result.methods);
    const [partners, lambda, boxes, cells, labels] = [await read<number[]>(result.partners), await read<number[]>(result.lambda), await read<number[][]>(result.boxes!), await read<number[][]>(result.cells!), await read<number[][]>(result.labels)];
    expect(new Set(methods)).toEqual(new Set([0, 1, 2])); // every method drawn in 24 samples
    expect(result.images.dtype).toBe('float32'); // mixup can be drawn
    for (let i = 0; i < B; i++) {
      const p = partners[i]!;
      expect(p).not.toBe(i);
      let pasted = 0;
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < W; xx++) {
          for (let c = 0; c < C; c++) {
            const [own, other, got] = [input[i]![y]![xx]![c]!, input[p]![y]![xx]![c]!, out[i]![y]![xx]![c]!];
            if (methods[i] === 0) {
              expect(got).toBeCloseTo(lambda[i]! * own + (1 - lambda[i]!) * other, 2);
              continue;
            }
            const [y0, x0, y1, x1] = boxes[i]!;
            const inBox = y >= y0! && y < y1! && xx >= x0! && xx < x1!;
            const inCell = cells[i]!.includes(Math.floor(y / 2) * 4 + Math.floor(xx / 2));
            const fromPartner = methods[i] === 1 ? inBox : inCell;
            expect(got).toBe(fromPartner ? other : own);
            if (fromPartner && c === 0) pasted++;
          }
        }
      }
      if (methods[i] === 0) {
        expect(boxes[i]).toEqual([0, 0, 0, 0]);
        expect(cells[i]).toEqual([-1, -1, -1]);
      } else {
        expect(lambda[i]).toBe(Math.fround(1 - pasted / (H * W)));
        if (methods[i] === 1) expect(cells[i]).toEqual([-1, -1, -1]);
        else {
          expect(boxes[i]).toEqual([0, 0, 0, 0]);
          if (lambda[i] !== 1) expect(cells[i]).toEqual(topCells(gridScores(p), 3));
        }
      }
      // Labels follow lambda: the sample's own class and its partner's.
      expect(labels[i]![i]).toBeCloseTo(lambda[i]!, 5);
      expect(labels[i]![p]).toBeCloseTo(1 - lambda[i]!, 5);
    }
    tf.dispose([x, result]);
  });

  it('runs as many kernels for a batch of 32 as for one of 4', async () => {
    const mixer = createMixer({ oneOf: THREE, mode: 'elem', numClasses: 10 });
    const kernels = async (b: number) => {
      const x = tf.randomUniform([b, 16, 16, 3]) as tf.Tensor4D;
      const ids = Array.from({ length: b }, (_, i) => i % 10);
      const profile = await tf.profile(() => mixer.mix(x, ids, { seed: 1 }) as unknown as tf.Tensor[]);
      x.dispose();
      return profile.kernels.map((k) => k.name);
    };
    const small = await kernels(4);
    expect(small.length).toBeGreaterThan(0);
    expect(await kernels(32)).toEqual(small);
  });

  it('in batch mode draws one method for the whole batch, and each in turn over batches', async () => {
    const mixer = createMixer({ oneOf: [{ method: 'mixup' }, { method: 'cutMix' }], mode: 'batch', numClasses: 4 });
    const x = tf.randomUniform([6, 8, 8, 1]) as tf.Tensor4D;
    const seen = new Set<number>();
    for (let seed = 0; seed < 12; seed++) {
      const r = mixer.mix(x, [0, 1, 2, 3, 0, 1], { seed });
      const methods = await read<number[]>(r.methods);
      expect(new Set(methods).size).toBe(1);
      seen.add(methods[0]!);
      if (methods[0] === 1) expect(new Set((await read<number[][]>(r.boxes!)).map((b) => b.join()))).toHaveProperty('size', 1); // one box for all
      tf.dispose(r);
    }
    expect(seen).toEqual(new Set([0, 1]));
    x.dispose();
  });

  it('draws the methods as often as their weights say', async () => {
    const mixer = createMixer({ oneOf: [{ method: 'mixup' }, { method: 'cutMix' }], weights: [3, 1], mode: 'elem', numClasses: 2 });
    const x = tf.zeros([400, 4, 4, 1]) as tf.Tensor4D;
    const r = mixer.mix(x, Array.from({ length: 400 }, (_, i) => i % 2), { seed: 'weights' });
    const cut = (await read<number[]>(r.methods)).filter((m) => m === 1).length;
    expect(Math.abs(cut - 100)).toBeLessThan(5 * Math.sqrt(400 * 0.25 * 0.75)); // binomial(400, 1/4)
    tf.dispose([x, r]);
  });

  it('is reproduced bit for bit by its seed, leaks nothing, and leaves int32 images int32 when no mixup can be drawn', async () => {
    const mixer = createMixer({ oneOf: [{ method: 'cutMix' }, { method: 'attentiveCutMix', grid: 2, topN: 1, extractor: scoredExtractor }], mode: 'elem', numClasses: 3 });
    const x = indexedImages([5, 6, 6, 1], 'int32');
    const [a, b] = [mixer.mix(x, [0, 1, 2, 0, 1], { seed: 9 }), mixer.mix(x, [0, 1, 2, 0, 1], { seed: 9 })];
    expect(a.images.dtype).toBe('int32');
    for (const key of ['images', 'labels', 'lambda', 'partners', 'methods', 'boxes', 'cells'] as const) expect(await read(b[key]!), key).toEqual(await read(a[key]!));
    tf.dispose([a, b]);
    expectNoLeak(() => mixer.mix(x, [0, 1, 2, 0, 1], { seed: 1 }));
    expectNoLeak(() => createMixer({ oneOf: THREE, mode: 'elem', numClasses: 3 }).mix(x, [0, 1, 2, 0, 1]));
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('drives mixDataset', async () => {
    const mixer = createMixer({ oneOf: [{ method: 'mixup' }, { method: 'cutMix' }], mode: 'elem', numClasses: 3 });
    const batches = { map: (f: (b: tf.TensorContainer) => unknown) => [f({ xs: tf.ones([3, 4, 4, 1]), ys: tf.tensor1d([0, 1, 2], 'int32') })] };
    const [out] = mixDataset(batches, mixer, { seed: 2 }) as unknown as { xs: tf.Tensor; ys: tf.Tensor }[];
    expect(out!.ys.shape).toEqual([3, 3]);
    tf.dispose(out);
  });

  it('checks its config when it is made, naming the method and option', () => {
    const make = (config: object) => () => createMixer(config as OneOfConfig);
    expect(make({ oneOf: [] })).toThrow(/Argument 'config.oneOf' passed to 'createMixer' must be a non-empty list of \{ method, …its options \}, but got an array of length 0/);
    expect(make({ oneOf: [{ method: 'snapmix' }] })).toThrow(/Argument 'config.oneOf\[0\].method' passed to 'createMixer' must be one of 'mixup', 'cutMix', 'attentiveCutMix', 'resizeMix', 'saliencyMix', 'fmix', but got 'snapmix'/);
    expect(make({ oneOf: [{ method: 'mixup' }, { method: 'cutMix', prob: 0.5 }] })).toThrow(/Argument 'config.oneOf\[1\].prob' passed to 'createMixer' must be given at the top of the config, where it applies to every method, but got 0.5/);
    expect(make({ oneOf: [{ method: 'mixup', minMax: [0.1, 0.2] }] })).toThrow(/Unknown option 'minMax' passed to 'createMixer' in 'config.oneOf\[0\]'; the options are: alpha/);
    expect(make({ oneOf: [{ method: 'mixup', alpha: -1 }] })).toThrow(/Argument 'config.oneOf\[0\].alpha' passed to 'createMixer' must be a number > 0, but got -1/);
    expect(make({ oneOf: [{ method: 'attentiveCutMix', grid: 2, topN: 5 }] })).toThrow(/Argument 'config.oneOf\[0\].topN' .* an integer in \[0, 4\], but got 5/);
    expect(make({ oneOf: [{ method: 'attentiveCutMix' }, { method: 'attentiveCutMix', grid: 4, topN: 2 }] })).toThrow(/must be a list with at most one attentiveCutMix/);
    expect(make({ oneOf: [{ method: 'mixup' }, { method: 'cutMix' }], weights: [1] })).toThrow(/Argument 'config.weights' passed to 'createMixer' must be one weight per method of config.oneOf \(2\), but got 1/);
    expect(make({ oneOf: [{ method: 'mixup' }], weights: [0] })).toThrow(/Argument 'config.weights' .* a list of positive numbers, but got \[0\]\./);
    expect(make({ oneOf: [{ method: 'mixup' }], alpha: 1 })).toThrow(/Unknown option 'alpha' passed to 'createMixer'/);
  });
});

describe('createMixer({ oneOf }) with resizeMix, saliencyMix and fmix', () => {
  /** A map per sample with one peak, at cell (b mod 3, (2b) mod 3) of a 3 × 3 map. */
  const peakExtractor: AttentionExtractor = {
    extract: (images) => tf.tidy(() => tf.cast(tf.reshape(tf.oneHot(tf.tensor1d(Array.from({ length: images.shape[0] }, (_, b) => (b % 3) * 3 + ((2 * b) % 3)), 'int32'), 9), [images.shape[0], 3, 3]), 'float32')) as tf.Tensor3D,
  };
  const NEW: OneOfConfig['oneOf'] = [{ method: 'resizeMix', scale: [0.3, 0.7] }, { method: 'saliencyMix', extractor: peakExtractor }, { method: 'fmix', decay: 2 }, { method: 'cutMix' }];

  it('in elem mode mixes each sample by its own method, pixel for pixel, with its exact lambda, boxes and masks', async () => {
    const [B, H, W, C] = [24, 12, 12, 2];
    const x = indexedImages([B, H, W, C]);
    const result = createMixer({ oneOf: NEW, mode: 'elem', numClasses: B }).mix(x, Array.from({ length: B }, (_, i) => i), { seed: 11 });
    const [input, out] = [await read<number[][][][]>(x), await read<number[][][][]>(result.images)];
    const [methods, partners, lambda] = [await read<number[]>(result.methods), await read<number[]>(result.partners), await read<number[]>(result.lambda)];
    const [boxes, masks, labels] = [await read<number[][]>(result.boxes!), await read<number[][][]>(result.masks!), await read<number[][]>(result.labels)];
    expect(new Set(methods)).toEqual(new Set([0, 1, 2, 3]));
    expect(result.cells).toBeUndefined();
    for (let i = 0; i < B; i++) {
      const p = partners[i]!;
      const [y0, x0, y1, x1] = boxes[i]!;
      const scaled = methods[i] === 0 && y1! > y0! ? referenceBilinear(input[p]!, y1! - y0!, x1! - x0!) : [];
      let changed = 0;
      for (let y = 0; y < H; y++) {
        for (let xx = 0; xx < W; xx++) {
          const inBox = y >= y0! && y < y1! && xx >= x0! && xx < x1!;
          const fromPartner = methods[i] === 2 ? masks[i]![y]![xx] === 1 : inBox;
          for (let c = 0; c < C; c++) {
            const got = out[i]![y]![xx]![c]!;
            if (!fromPartner) expect(got).toBe(input[i]![y]![xx]![c]);
            else if (methods[i] === 0) expect(Math.abs(got - scaled[y - y0!]![xx - x0!]![c]!)).toBeLessThanOrEqual(1e-6 * got);
            else expect(got).toBe(input[p]![y]![xx]![c]);
          }
          if (out[i]![y]![xx]![0] !== input[i]![y]![xx]![0]) changed++;
        }
      }
      expect(lambda[i]).toBe(Math.fround(1 - changed / (H * W)));
      if (methods[i] !== 2) expect(masks[i]!.flat().every((m) => m === 0)).toBe(true);
      if (methods[i] === 2) expect(boxes[i]).toEqual([0, 0, 0, 0]);
      if (methods[i] === 1 && lambda[i]! < 1) {
        // The box is centred on the partner's peak: map cell (r, c) of 3 × 3 on 12 px has centre 4r + 2.
        const [cy, cx] = [4 * (p % 3) + 2, 4 * ((2 * p) % 3) + 2];
        expect(cy >= y0! && cy < y1! && cx >= x0! && cx < x1!).toBe(true);
      }
      expect(labels[i]![i]).toBeCloseTo(lambda[i]!, 5);
      expect(labels[i]![p]).toBeCloseTo(1 - lambda[i]!, 5);
    }
    tf.dispose([x, result]);
  });

  it('runs as many kernels for a batch of 32 as for one of 4, with all six methods', async () => {
    const mixer = createMixer({ oneOf: [...THREE, ...NEW.slice(0, 3)], mode: 'elem', numClasses: 10 });
    const kernels = async (b: number) => {
      const x = tf.randomUniform([b, 16, 16, 3]) as tf.Tensor4D;
      const profile = await tf.profile(() => mixer.mix(x, Array.from({ length: b }, (_, i) => i % 10), { seed: 1 }) as unknown as tf.Tensor[]);
      x.dispose();
      return profile.kernels.map((k) => k.name);
    };
    const small = await kernels(4);
    expect(await kernels(32)).toEqual(small);
  });

  it('runs an extractor that attentiveCutMix and saliencyMix share once, none with extras.attention, and checks the new choices', async () => {
    let calls = 0;
    const counting: AttentionExtractor = { extract: (images) => (calls++, peakExtractor.extract(images)) };
    const x = indexedImages([6, 12, 12, 1]);
    const both = createMixer({ oneOf: [{ method: 'attentiveCutMix', grid: 3, topN: 2, extractor: counting }, { method: 'saliencyMix', extractor: counting }], mode: 'elem', numClasses: 6 });
    tf.dispose(both.mix(x, [0, 1, 2, 3, 4, 5], { seed: 2 }));
    expect(calls).toBe(1);
    const maps = peakExtractor.extract(x) as tf.Tensor3D;
    expectNoLeak(() => both.mix(x, [0, 1, 2, 3, 4, 5], { seed: 2, attention: maps }));
    expect(calls).toBe(1);
    const make = (config: object) => () => createMixer(config as OneOfConfig);
    expect(make({ oneOf: [{ method: 'resizeMix' }, { method: 'resizeMix', scale: [0.2, 0.3] }] })).toThrow(/must be a list with at most one resizeMix, but got 2 of them/);
    expect(make({ oneOf: [{ method: 'saliencyMix' }, { method: 'saliencyMix' }] })).toThrow(/at most one saliencyMix/);
    expect(make({ oneOf: [{ method: 'fmix', decay: 0 }] })).toThrow(/Argument 'config.oneOf\[0\].decay' passed to 'createMixer' must be a number > 0, but got 0/);
    expect(make({ oneOf: [{ method: 'resizeMix', alpha: 1 }] })).toThrow(/Unknown option 'alpha' passed to 'createMixer' in 'config.oneOf\[0\]'; the options are: scale, interpolation/);
    tf.dispose([x, maps]);
  });
});
