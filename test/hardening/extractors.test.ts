// Extractors that misbehave, beyond the cases of test/mix/attentive_cutmix.test.ts: every one is
// a clear Error naming what the extractor returned (its shape, for a tensor), and leaks nothing;
// an extractor that hands back a map it keeps (a cache) keeps it usable.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';

import { type AttentionExtractor, attentiveCutMix, createMixer, precomputeAttention } from '../../src/index.js';
import { runChild } from '../support/child.js';
import { expectNoLeak, expectThrowsCleanly } from '../support/tensors.js';

const OPTIONS = { numClasses: 2, grid: 2, topN: 1, seed: 0 } as const;
const PREFIX = /The extractor passed to 'attentiveCutMix' must return a float32 attention map \[2, h, w\] or feature map \[2, h, w, C\], but returned /;

/** Runs attentiveCutMix on a [2, 8, 8, 3] batch with an extractor whose extract is `extract`. */
function withExtractor(extract: (images: tf.Tensor4D) => unknown) {
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const call = () => attentiveCutMix(x, [0, 1], { extract } as AttentionExtractor, OPTIONS);
  return { x, call };
}

describe('an extractor that returns the wrong thing', () => {
  it.each([
    ['a tensor of rank 5', () => tf.zeros([2, 4, 4, 1, 1]), /a float32 tensor of shape \[2, 4, 4, 1, 1\]\./],
    ['a tensor of rank 1', () => tf.zeros([2]), /a float32 tensor of shape \[2\]\./],
    ['a scalar', () => tf.scalar(1), /a float32 tensor of shape \[\]\./],
    ['a map with a zero-sized height', () => tf.zeros([2, 0, 4]), /a float32 tensor of shape \[2, 0, 4\]\./],
    ['a map with a zero-sized width', () => tf.zeros([2, 4, 0]), /a float32 tensor of shape \[2, 4, 0\]\./],
    ['a feature map with no channels', () => tf.zeros([2, 4, 4, 0]), /a float32 tensor of shape \[2, 4, 4, 0\]\./],
    ['an empty batch', () => tf.zeros([0, 4, 4]), /a float32 tensor of shape \[0, 4, 4\]\./],
    ['a bool map', () => tf.zeros([2, 4, 4], 'bool'), /a bool tensor of shape \[2, 4, 4\]\./],
    ['a string', () => 'attention', /'attention'\./],
    ['undefined', () => undefined, /undefined\./],
    ['null', () => null, /null\./],
    ['a number', () => 42, /42\./],
    ['nested arrays instead of a tensor', () => [[[1]], [[2]]], /an array of length 2\./],
    ['a typed array', () => new Float32Array(32), /a Float32Array of length 32\./],
    ['a plain object', () => ({ shape: [2, 4, 4] }), /an object with keys \[shape\]\./],
  ])('refuses %s, naming it, and leaks what extract created', (_, make, got) => {
    const { x, call } = withExtractor(() => {
      tf.ones([3, 3]); // an intermediate the extractor forgot to dispose
      return make();
    });
    expectThrowsCleanly(call, PREFIX, got);
    x.dispose();
  });

  it('refuses a disposed tensor, and the same map once the extractor has disposed its cache', () => {
    const cache = tf.randomUniform([2, 4, 4]) as tf.Tensor3D;
    const { x, call } = withExtractor(() => cache);
    expectNoLeak(call); // usable while the cache lives
    cache.dispose();
    expectThrowsCleanly(call, PREFIX, /a disposed tensor\./);
    const { x: x2, call: disposedFresh } = withExtractor(() => {
      const t = tf.zeros([2, 4, 4]);
      t.dispose();
      return t;
    });
    expectThrowsCleanly(disposedFresh, PREFIX, /a disposed tensor\./);
    tf.dispose([x, x2]);
  });
});

describe('an extractor that throws', () => {
  it.each([
    ['a string', 'out of memory', /: out of memory$/],
    ['a number', 42, /: 42$/],
    ['undefined', undefined, /: undefined$/],
    ['null', null, /: null$/],
    ['a plain object', { code: 'E_MODEL' }, /E_MODEL/],
    ['an Error subclass', new RangeError('index 9 out of range'), /: index 9 out of range$/],
  ])('that throws %s gives an Error naming the images and what was thrown, and leaks nothing', (_, thrown, detail) => {
    const { x, call } = withExtractor(() => {
      tf.ones([5]);
      throw thrown;
    });
    expectThrowsCleanly(call, /The extractor passed to 'attentiveCutMix' threw while extracting attention from images of shape \[2, 8, 8, 3\]/, detail);
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect((error as Error).cause).toBe(thrown);
    x.dispose();
  });
});

describe('extractors that behave', () => {
  it('keeps a cached map (or feature map) usable and unchanged across calls, with the same results for the same seed', async () => {
    for (const cached of [tf.randomUniform([3, 7, 7], 0, 1, 'float32', 2), tf.randomUniform([3, 5, 6, 4], 0, 1, 'float32', 3)]) {
      const values = await cached.data();
      const x = tf.randomUniform([3, 14, 14, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      const extractor = { extract: vi.fn(() => cached as tf.Tensor3D), dispose: vi.fn() };
      const cells: unknown[] = [];
      for (let call = 0; call < 3; call++) {
        const before = tf.memory().numTensors;
        const result = attentiveCutMix(x, [0, 1, 2], extractor, { numClasses: 3, seed: 5, grid: 3, topN: 2, labelMode: call === 2 ? 'attention' : 'area' });
        cells.push(await result.cells.array());
        tf.dispose(result);
        expect(tf.memory().numTensors).toBe(before);
        expect(cached.isDisposed).toBe(false);
      }
      expect(cells[1]).toEqual(cells[0]);
      expect(cells[2]).toEqual(cells[0]);
      expect(await cached.data()).toEqual(values);
      expect(extractor.extract).toHaveBeenCalledTimes(3);
      expect(extractor.dispose).not.toHaveBeenCalled(); // the op never releases the caller's extractor
      tf.dispose([cached, x]);
    }
  });

  it('may return the images themselves as a feature map, which stay the caller’s', () => {
    const x = tf.randomUniform([2, 6, 6, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    expectNoLeak(() => attentiveCutMix(x, [0, 1], { extract: (images) => images }, { numClasses: 2, grid: 3, topN: 2 }));
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('is called as a method, so a class-based extractor can use its own state', async () => {
    class Scaled implements AttentionExtractor {
      constructor(private readonly factor: number) {}
      extract(images: tf.Tensor4D): tf.Tensor3D {
        return tf.mul(tf.mean(images, 3), this.factor) as tf.Tensor3D;
      }
    }
    const x = tf.randomUniform([2, 6, 6, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    expectNoLeak(() => attentiveCutMix(x, [0, 1], new Scaled(2), { numClasses: 2, grid: 3, topN: 2 }));
    x.dispose();
  });
});

describe('an async extractor whose promise rejects', () => {
  // The rejection of a promise nobody awaits ends Node (and on wasm, whose Emscripten runtime
  // listens for unhandled rejections, even a process with a handler of its own): run it in a
  // process of its own, on this project's backend.
  it.each([false, true])('is refused with a clear error, and the process lives on (a handler of its own: %s)', (listen) => {
    const result = runChild(
      `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import '@tensorflow/tfjs-backend-wasm';
      import { attentiveCutMix, createMixer, precomputeAttention } from 'SRC';
      tf.env().set('PROD', true);
      if (!(await tf.setBackend(${JSON.stringify(tf.getBackend())}))) throw new Error('no backend');
      const unhandled = [];
      if (${listen}) process.on('unhandledRejection', (reason) => unhandled.push(String(reason)));
      const extractor = { extract: async () => { throw new Error('model not loaded'); } };
      const thenable = { extract: () => ({ then: (_, reject) => reject(new Error('thenable rejected')) }) };
      const x = tf.zeros([2, 8, 8, 3]);
      const attempts = [
        () => attentiveCutMix(x, [0, 1], extractor, { numClasses: 2, grid: 2, topN: 1 }),
        () => attentiveCutMix(x, [0, 1], thenable, { numClasses: 2, grid: 2, topN: 1 }),
        () => createMixer({ oneOf: [{ method: 'mixup' }, { method: 'attentiveCutMix', extractor, grid: 2, topN: 1 }], numClasses: 2 }).mix(x, [0, 1]),
        () => precomputeAttention(x, extractor, { grid: 2 }),
      ];
      for (const attempt of attempts) {
        try {
          await attempt();
          console.log('no error');
        } catch (e) {
          console.log('caught: ' + e.message);
        }
      }
      await new Promise((done) => setTimeout(done, 300));
      console.log('alive; tensors ' + tf.memory().numTensors + '; unhandled ' + unhandled.length);
      `,
      60_000,
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      expect.stringMatching(/^caught: The extractor passed to 'attentiveCutMix' must return .* but returned a Promise \(extract must be synchronous\)/),
      expect.stringMatching(/^caught: The extractor passed to 'attentiveCutMix' must return .* but returned a Promise \(extract must be synchronous\)/),
      expect.stringMatching(/^caught: The extractor passed to 'oneOf mixer' must return .* but returned a Promise/),
      expect.stringMatching(/^caught: 'precomputeAttention' could not compute the attention of images 0 to 1 .* returned a Promise/),
    ]);
    expect(lines[4]).toBe('alive; tensors 1; unhandled 0');
  }, 90_000);
});

describe('an extractor that disposes what it is given', () => {
  const disposing = (what: 'images' | 'labels'): AttentionExtractor => ({
    extract(images, labels) {
      const map = tf.mean(images, 3) as tf.Tensor3D;
      (what === 'images' ? images : labels!).dispose();
      return map;
    },
  });

  it.each(['images', 'labels'] as const)('that disposes the %s is refused with a clear error, and the caller’s tensors stay usable', async (what) => {
    const x = tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 8) as tf.Tensor4D;
    const y = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    const [xValues, yValues] = [await x.data(), await y.data()];
    const refusal = new RegExp(`The extractor passed to 'attentiveCutMix' disposed the ${what} it was given; an extractor must leave its inputs alone`);
    expectThrowsCleanly(() => attentiveCutMix(x, y, disposing(what), { grid: 3, topN: 2, seed: 1 }), refusal);
    const mixer = createMixer({ oneOf: [{ method: 'attentiveCutMix', grid: 3, topN: 2, extractor: disposing(what) }] });
    expectThrowsCleanly(() => mixer.mix(x, y), new RegExp(`The extractor passed to 'oneOf mixer' disposed the ${what}`));
    expect([x.isDisposed, y.isDisposed]).toEqual([false, false]);
    expect(await x.data()).toEqual(xValues);
    expect(await y.data()).toEqual(yValues);
    expectNoLeak(() => attentiveCutMix(x, y, { extract: (images) => tf.mean(images, 3) as tf.Tensor3D }, { grid: 3, topN: 2, seed: 1 })); // still usable
    tf.dispose([x, y]);
  });

  it('is refused by precomputeAttention too, naming the batch, and leaves the images usable', async () => {
    const x = tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    await expect(precomputeAttention(x, disposing('images'), { grid: 2, batchSize: 4 })).rejects.toThrow(
      /'precomputeAttention' could not compute the attention of images 0 to 3 \(of 4\): The extractor passed to 'precomputeAttention' disposed the images it was given/,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    expect((await x.data()).length).toBe(144);
    x.dispose();
  });
});

describe('precomputeAttention refusing images given as arrays', () => {
  it.each([
    ['of rank 3', [[[0.1, 0.2]], [[0.3, 0.4]]], /rank 4/],
    ['of strings', [[[['a']]]], /float32 or int32/],
    ['with a zero-sized dimension', [[[]]].map(() => [[[]]]), /no zero-sized dimension|rank 4/],
  ])('leaks nothing for an array %s', async (_, images, message) => {
    const before = tf.memory().numTensors;
    await expect(precomputeAttention(images as unknown as number[][][][], undefined, { grid: 1 })).rejects.toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('extractors that misbehave in any way (fuzzed)', () => {
  // Each extractor makes tensors it forgets, may dispose what it is given, and then returns a map,
  // a wrong thing, a Promise (resolving or rejecting), or throws; through each op that calls one.
  const OUTCOMES = ['map', 'feature map', 'wrong batch', 'nested arrays', 'disposed map', 'resolving Promise', 'rejecting Promise', 'rejecting thenable', 'throws'] as const;
  type Outcome = (typeof OUTCOMES)[number];
  const behaviourArb = fc.record({
    forgotten: fc.nat(3),
    disposes: fc.constantFrom('nothing', 'images', 'labels', 'both'),
    outcome: fc.constantFrom(...OUTCOMES),
    thrown: fc.constantFrom<unknown>(new Error('model not loaded'), 'a string', undefined, null, 42, { code: 'E_MODEL' }),
    via: fc.constantFrom('attentiveCutMix', 'oneOf mixer', 'precomputeAttention'),
  });

  function misbehaving({ forgotten, disposes, outcome, thrown }: { forgotten: number; disposes: string; outcome: Outcome; thrown: unknown }): AttentionExtractor {
    return {
      extract(images, labels) {
        for (let k = 0; k < forgotten; k++) tf.ones([2, 3]);
        const map = outcome === 'feature map' ? tf.relu(images) : tf.mean(images, 3);
        if (disposes === 'images' || disposes === 'both') images.dispose();
        if (disposes === 'labels' || disposes === 'both') labels?.dispose();
        const give = (value: unknown) => value as tf.Tensor3D;
        switch (outcome) {
          case 'map':
          case 'feature map':
            return give(map);
          case 'wrong batch':
            return give(tf.zeros([images.shape[0] + 1, 2, 2]));
          case 'nested arrays':
            return give([[[1]]]);
          case 'disposed map':
            map.dispose();
            return give(map);
          case 'resolving Promise':
            return give(Promise.resolve(map));
          case 'rejecting Promise':
            return give(Promise.reject(thrown));
          case 'rejecting thenable':
            return give({ then: (_: unknown, reject: (e: unknown) => void) => reject(thrown) });
          case 'throws':
            throw thrown;
        }
      },
    };
  }

  it('either mixes, or refuses with an Error naming the extractor; never leaks, never touches the caller’s tensors, leaves no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const x = tf.randomUniform([3, 6, 6, 2], 0, 1, 'float32', 11) as tf.Tensor4D;
    const y = tf.tensor2d([[1, 0], [0, 1], [0.5, 0.5]]);
    const [xValues, yValues] = [await x.data(), await y.data()];
    try {
      await fc.assert(
        fc.asyncProperty(behaviourArb, async (behaviour) => {
          const extractor = misbehaving(behaviour);
          const before = tf.memory().numTensors;
          let error: unknown;
          try {
            const result =
              behaviour.via === 'attentiveCutMix'
                ? attentiveCutMix(x, y, extractor, { grid: 3, topN: 2, seed: 1 })
                : behaviour.via === 'oneOf mixer'
                  ? createMixer({ oneOf: [{ method: 'attentiveCutMix', grid: 3, topN: 2, extractor }], seed: 1 }).mix(x, y)
                  : await precomputeAttention(x, extractor, { grid: 3, batchSize: 2, labels: y });
            tf.dispose(result);
          } catch (e) {
            error = e;
          }
          const behaves = (behaviour.outcome === 'map' || behaviour.outcome === 'feature map') && behaviour.disposes === 'nothing';
          if (behaves) expect(error).toBeUndefined();
          else {
            expect(error).toBeInstanceOf(Error);
            expect((error as Error).message).toMatch(new RegExp(`The extractor passed to '${behaviour.via}' (threw|must return|disposed the)`));
            expect((error as Error).message).not.toMatch(/Cannot read propert|undefined \(reading|is not a function/);
          }
          expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
          expect([x.isDisposed, y.isDisposed]).toEqual([false, false]);
        }),
        { seed: 20_251_207, numRuns: 150 },
      );
      await new Promise((done) => setTimeout(done, 50)); // a rejection left unhandled is reported after a turn
      expect(unhandled, 'unhandled rejections').toEqual([]);
      expect(await x.data()).toEqual(xValues);
      expect(await y.data()).toEqual(yValues);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      tf.dispose([x, y]);
    }
  }, 60_000);
});
