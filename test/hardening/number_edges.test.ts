// Numbers at the edges of every sampling option and of the Rng contracts (fast-check): alpha from
// the smallest subnormal to the largest double, custom Rngs whose uniform() returns anything, saved
// RngStates of any content, oneOf weights of any magnitude. Each either gives parameters that keep
// every documented invariant or is refused with an error naming what was wrong; none hangs. The
// file picks its backends itself (host project): cpu, and wasm too for the property of every option.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';

import { type Rng, attentiveCutMix, createMixer, createRng, cutMix, fmix, mixup, precomputeAttention, resizeMix, saliencyExtractor, saliencyMix, sampleCutMixParams, sampleMixupParams } from '../../src/index.js';
import { drawCellCount } from '../../src/sampling/cell_count.js';
import { runChild } from '../support/child.js';

const SEED = 20_251_206;
const runs = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

beforeAll(async () => {
  tf.env().set('PROD', true);
  expect(await tf.setBackend('cpu')).toBe(true);
});

/** Every positive double: subnormals, tiny, ordinary and huge values, each often. */
const positiveArb = fc.oneof(
  fc.constantFrom(Number.MIN_VALUE, 1e-323, 1e-310, 2.2e-308, 1e-300, 1e-30, 1e-5, 0.2, 1, 4, 1e5, 1e30, 1e300, Number.MAX_VALUE),
  fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }),
);

/** Checks the invariants of sampled parameters for a batch of B (images H × W). */
function expectValidParams(p: { partners: readonly number[]; lambda: readonly number[]; boxes?: readonly (readonly number[])[] }, B: number, H = 0, W = 0): void {
  expect(p.partners).toHaveLength(B);
  for (const [i, partner] of p.partners.entries()) {
    expect(Number.isInteger(partner) && partner >= 0 && partner < B, `partner ${partner} of sample ${i}`).toBe(true);
    if (B > 1) expect(partner).not.toBe(i); // 'shuffle', the default, pairs no sample with itself
  }
  for (const l of p.lambda) expect(l >= 0 && l <= 1, `lambda ${l}`).toBe(true);
  for (const [y0, x0, y1, x1] of p.boxes ?? []) expect(0 <= y0! && y0! <= y1! && y1! <= H && 0 <= x0! && x0! <= x1! && x1! <= W).toBe(true);
}

describe('alpha, from the smallest subnormal to the largest double', () => {
  it('gives finite lambdas in [0, 1] and boxes inside the image, in both modes', () => {
    fc.assert(
      fc.property(positiveArb, fc.constantFrom('batch' as const, 'elem' as const), fc.integer(), (alpha, mode, seed) => {
        expectValidParams(sampleMixupParams(6, { alpha, mode, seed }), 6);
        expectValidParams(sampleCutMixParams([6, 9, 7], { alpha, mode, seed }), 6, 9, 7);
      }),
      runs(400),
    );
  });

  it('draws a cell count in [1, grid² − 1] for topN { alpha } (never none, never all)', () => {
    fc.assert(
      fc.property(positiveArb, fc.integer({ min: 4, max: 100 }), fc.integer(), (alpha, cells, seed) => {
        const rng = createRng(seed);
        for (let k = 0; k < 5; k++) {
          const n = drawCellCount(rng, { alpha }, cells);
          expect(Number.isInteger(n) && n >= 1 && n <= cells - 1, `count ${n} of ${cells} for alpha ${alpha}`).toBe(true);
        }
      }),
      runs(300),
    );
  });

  it('is Beta(α, α) in the limit: a subnormal alpha puts lambda at 0 or 1, half the time each', () => {
    const { lambda } = sampleMixupParams(2000, { alpha: 1e-310, mode: 'elem', seed: 'subnormal' });
    expect(lambda.every((l) => l === 0 || l === 1)).toBe(true);
    const ones = lambda.filter((l) => l === 1).length / lambda.length;
    expect(Math.abs(ones - 0.5)).toBeLessThan(0.05);
  });

  it('mixes images and labels without NaN, and pastes at least one cell, for a subnormal alpha', async () => {
    const x = tf.randomUniform([6, 9, 9, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
    const maps = tf.randomUniform([6, 3, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
    const m = mixup(x, [0, 1, 2, 0, 1, 2], { alpha: 1e-310, numClasses: 3, mode: 'elem', seed: 3 });
    const a = attentiveCutMix(x, [0, 1, 2, 0, 1, 2], maps, { topN: { alpha: 1e-310 }, grid: 3, numClasses: 3, mode: 'elem', seed: 4 });
    for (const t of [m.images, m.labels, m.lambda, a.images, a.labels, a.lambda]) expect((await t.data()).every(Number.isFinite)).toBe(true);
    for (const row of (await a.cells.array()) as number[][]) expect(row.filter((c) => c >= 0).length).toBeGreaterThanOrEqual(1);
    tf.dispose([x, maps, m, a]);
  });
});

describe('every numeric option at its edges, together', () => {
  /** A number in [0, 1] at an edge: 0, 1, subnormals, the doubles next to them, or any. */
  const unitEdge = fc.oneof(fc.constantFrom(0, Number.MIN_VALUE, 1e-310, 1e-300, 0.5, 1 - 2 ** -53, 1), fc.double({ min: 0, max: 1, noNaN: true }));
  const minMaxArb = fc.tuple(fc.oneof(fc.constantFrom(Number.MIN_VALUE, 1e-310, 1), fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true })), unitEdge).map(([a, b]) => {
    const [lo, hi] = [Math.min(a, Math.max(b, Number.MIN_VALUE)), Math.max(a, b)];
    return [lo, hi] as [number, number];
  });

  it('gives finite images and labels, lambda in [0, 1] and label rows summing to 1, for mixup, cutMix and attentiveCutMix', async () => {
    await fc.assert(
      fc.asyncProperty(positiveArb, unitEdge, unitEdge, fc.option(minMaxArb, { nil: undefined }), fc.constantFrom('batch' as const, 'elem' as const), fc.integer(), async (alpha, prob, labelSmoothing, minMax, mode, seed) => {
        const x = tf.randomUniform([4, 6, 6, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
        const maps = tf.randomUniform([4, 3, 3], 0, 1, 'float32', 6) as tf.Tensor3D;
        const common = { numClasses: 3, labelSmoothing, prob, mode, seed };
        const results = [
          mixup(x, [0, 1, 2, 0], { ...common, alpha }),
          cutMix(x, [0, 1, 2, 0], { ...common, alpha, minMax }),
          attentiveCutMix(x, [0, 1, 2, 0], maps, { ...common, grid: 3, topN: { alpha } }),
        ];
        for (const r of results) {
          expect((await r.images.data()).every(Number.isFinite)).toBe(true);
          expect((await r.lambda.data()).every((l) => l >= 0 && l <= 1)).toBe(true);
          for (const row of (await r.labels.array()) as number[][]) {
            expect(row.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
            expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
          }
        }
        tf.dispose([x, maps, ...results]);
      }),
      runs(150),
    );
  });
});

describe('every numeric option given any number', () => {
  /** Any double, the edges often: NaN, infinities, zeros, subnormals, around 1, integers around the float16 and int32 limits, huge. */
  const anyNumber = fc.oneof(
    fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, 1e-310, 0.5, 1 - 2 ** -53, 1, 1 + 2 ** -52, 2, 3, 4, 7, 8, 9, 45, 46, 2048, 2049, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e300, Number.MAX_VALUE, -1, -0.5),
    fc.double(),
    fc.integer({ min: -3, max: 70 }),
  );
  type Result = Record<string, tf.Tensor>;
  type Call = (v: number, x: tf.Tensor4D, maps: tf.Tensor3D) => Result | Promise<Result>;
  const ids = [0, 1, 0, 1];
  /**
   * Each numeric option of each op (numClasses aside: its labels [B, numClasses] are as large as
   * asked, up to 2^24 classes; its bound has a test of its own below), the op and argument its errors name, and a call with the option set to v on a batch
   * of 4 images of 8 × 8 (with 4 × 4 maps).
   */
  const OPTIONS: [option: string, op: string, arg: string, call: Call][] = [
    ['alpha', 'mixup', 'options.alpha', (v, x) => mixup(x, ids, { numClasses: 2, alpha: v })],
    ['prob', 'mixup', 'options.prob', (v, x) => mixup(x, ids, { numClasses: 2, prob: v, mode: 'elem' })],
    ['labelSmoothing', 'mixup', 'options.labelSmoothing', (v, x) => mixup(x, ids, { numClasses: 2, labelSmoothing: v })],
    ['seed', 'mixup', 'options.seed', (v, x) => mixup(x, ids, { numClasses: 2, seed: v })],
    ['minMax[0]', 'cutMix', 'options.minMax', (v, x) => cutMix(x, ids, { numClasses: 2, minMax: [v, 1] })],
    ['minMax[1]', 'cutMix', 'options.minMax', (v, x) => cutMix(x, ids, { numClasses: 2, minMax: [Number.MIN_VALUE, v] })],
    ['scale[0]', 'resizeMix', 'options.scale', (v, x) => resizeMix(x, ids, { numClasses: 2, scale: [v, 1], mode: 'elem' })],
    ['scale[1]', 'resizeMix', 'options.scale', (v, x) => resizeMix(x, ids, { numClasses: 2, scale: [Number.MIN_VALUE, v] })],
    ['alpha', 'saliencyMix', 'options.alpha', (v, x, maps) => saliencyMix(x, ids, maps, { numClasses: 2, alpha: v, mode: 'elem' })],
    ['alpha', 'fmix', 'options.alpha', (v, x) => fmix(x, ids, { numClasses: 2, alpha: v, mode: 'elem' })],
    ['decay', 'fmix', 'options.decay', (v, x) => fmix(x, ids, { numClasses: 2, decay: v })],
    ['grid', 'attentiveCutMix', 'options.grid', (v, x, maps) => attentiveCutMix(x, ids, maps, { numClasses: 2, grid: v, topN: 1 })],
    ['topN', 'attentiveCutMix', 'options.topN', (v, x, maps) => attentiveCutMix(x, ids, maps, { numClasses: 2, grid: 4, topN: v })],
    ['topN.alpha', 'attentiveCutMix', 'options.topN', (v, x, maps) => attentiveCutMix(x, ids, maps, { numClasses: 2, grid: 4, topN: { alpha: v }, mode: 'elem' })],
    ['weights[0]', 'createMixer', 'config.weights', (v, x) => createMixer({ oneOf: [{ method: 'mixup' }, { method: 'cutMix' }], weights: [v, 1], numClasses: 2, mode: 'elem' }).mix(x, ids)],
    ['workingSize', 'saliencyExtractor', 'options.workingSize', (v, x) => attentiveCutMix(x, ids, saliencyExtractor({ workingSize: v }), { numClasses: 2, grid: 4, topN: 3 })],
    ['batchSize', 'precomputeAttention', 'options.batchSize', async (v, x) => ({ maps: await precomputeAttention(x, undefined, { grid: 2, batchSize: v }) })],
    ['grid', 'precomputeAttention', 'options.grid', async (v, x) => ({ maps: await precomputeAttention(x, undefined, { grid: v }) })],
  ];

  /** Checks what every result promises: finite values, partners in the batch, lambda in [0, 1], label rows of non-negative weights summing to 1, at least one cell and no cell twice. */
  async function expectValidResult(r: Result): Promise<void> {
    for (const [key, t] of Object.entries(r)) expect((await t.data()).every(Number.isFinite), `${key} finite`).toBe(true);
    if (r.partners) expect(Array.from(await r.partners.data()).every((p) => Number.isInteger(p) && p >= 0 && p < 4)).toBe(true);
    if (r.lambda) expect(Array.from(await r.lambda.data()).every((l) => l >= 0 && l <= 1)).toBe(true);
    for (const row of r.labels ? ((await r.labels.array()) as number[][]) : []) {
      expect(row.every((v) => v >= 0)).toBe(true);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
    }
    for (const row of r.cells ? ((await r.cells.array()) as number[][]) : []) {
      const listed = row.filter((c) => c >= 0);
      expect(new Set(listed).size).toBe(listed.length);
    }
  }

  it.each(['cpu', 'wasm'])('is used, keeping every promise of the result, or refused with an Error naming the option, what it must be and what it was; nothing left behind (%s)', async (backend) => {
    expect(await tf.setBackend(backend)).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...OPTIONS), anyNumber, async ([, op, arg, call], v) => {
        const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 21) as tf.Tensor4D;
        const maps = tf.randomUniform([4, 4, 4], 0, 1, 'float32', 22) as tf.Tensor3D;
        const before = tf.memory().numTensors;
        let result: Result | undefined;
        let error: unknown;
        try {
          result = await call(v, x, maps);
        } catch (e) {
          error = e;
        }
        if (result) {
          await expectValidResult(result);
          tf.dispose(result);
        } else {
          expect(error).toBeInstanceOf(Error);
          expect((error as Error).message).toMatch(new RegExp(`^Argument '${arg.replace('.', '\\.')}' passed to '${op}' must be .+, but got .+`));
        }
        expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
        tf.dispose([x, maps]);
      }),
      runs(400),
    );
    expect(await tf.setBackend('cpu')).toBe(true);
  }, 120_000);
});

describe('numClasses past 2^24', () => {
  it('is refused, naming the bound, before any label tensor as large as asked is made (1e9 classes ran out of memory; 1e20 failed inside tfjs)', () => {
    const x = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    for (const numClasses of [2 ** 24 + 1, 1e9, 1e20, 2 ** 53]) {
      expect(() => mixup(x, [0, 1], { numClasses }), String(numClasses)).toThrow(
        new RegExp(`^Argument 'options\\.numClasses' passed to 'mixup' must be an integer in \\[1, 16777216\\], but got ${String(numClasses).replace('+', '\\+')}`),
      );
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
  });
});

describe('a custom Rng whose uniform() returns anything', () => {
  /** A stream cycling through `values`, recording what it handed out. */
  const cycling = (values: number[]) => {
    const drawn: number[] = [];
    let k = 0;
    const rng: Rng = { uniform: () => (drawn.push(values[k++ % values.length]!), drawn.at(-1)!) };
    return { rng, drawn };
  };
  const inContract = (u: number) => u >= 0 && u < 1;
  const valueArb = fc.oneof(
    { weight: 4, arbitrary: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(Number.NaN, -0.5, -Number.MIN_VALUE, 1, 1.5, 42, 2 ** 32 - 1, Infinity, -Infinity) },
    { weight: 1, arbitrary: fc.double() },
  );

  it('is used while it keeps its contract, and refused at the first value outside [0, 1), naming it', () => {
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 12 }), fc.constantFrom('mixup', 'cutMix'), (values, op) => {
        const { rng, drawn } = cycling(values);
        let params: ReturnType<typeof sampleCutMixParams> | ReturnType<typeof sampleMixupParams> | undefined;
        let error: unknown;
        try {
          params = op === 'mixup' ? sampleMixupParams(5, { seed: rng, mode: 'elem', alpha: 0.5 }) : sampleCutMixParams([5, 8, 6], { seed: rng, mode: 'elem' });
        } catch (e) {
          error = e;
        }
        if (drawn.every(inContract)) {
          expect(error).toBeUndefined();
          expectValidParams(params!, 5, 8, 6);
        } else {
          expect(error).toBeInstanceOf(Error);
          const bad = drawn.at(-1)!; // refused at once: nothing is drawn after it
          expect(inContract(bad)).toBe(false);
          expect(drawn.slice(0, -1).every(inContract)).toBe(true);
          expect((error as Error).message).toContain(`The Rng passed as seed returned ${String(bad)} from uniform(), which must return a number in [0, 1)`);
        }
      }),
      runs(500),
    );
  });

  it('says what to do with raw integers, and wraps what uniform() throws', () => {
    expect(() => sampleMixupParams(4, { seed: { uniform: () => 123456 } })).toThrow(/returned 123456 .*divide/);
    const thrown = new Error('entropy exhausted');
    let error: unknown;
    try {
      sampleMixupParams(4, { seed: { uniform: () => { throw thrown; } } });
    } catch (e) {
      error = e;
    }
    expect((error as Error).message).toBe('The Rng passed as seed threw from uniform(): entropy exhausted');
    expect((error as Error).cause).toBe(thrown);
  });

  it('leaves the library’s own Rng as it is: the same stream as before', () => {
    const [a, b] = [createRng(5), createRng(5)];
    const viaOp = sampleMixupParams(8, { seed: a, mode: 'elem' });
    expect(sampleMixupParams(8, { seed: b, mode: 'elem' })).toEqual(viaOp);
    expect(a.state()).toEqual(b.state());
  });
});

describe('a saved RngState of any content', () => {
  const identity = Array.from({ length: 256 }, (_, k) => k);

  it.each([
    ['an all-zero permutation table', { i: 0, j: 0, S: new Array<number>(256).fill(0) }, /S is not a permutation of 0…255: 0 appears 256 times/],
    ['a table with a repeated byte', { i: 0, j: 0, S: [...identity.slice(0, 255), 0] }, /S is not a permutation of 0…255: 0 appears 2 times/],
    ['an index i out of range', { i: 256, j: 0, S: identity }, /i must be an integer in \[0, 255\], but is 256/],
    ['a negative index j', { i: 0, j: -1, S: identity }, /j must be an integer in \[0, 255\], but is -1/],
  ])('refuses %s, naming the argument and the fault', (_, state, fault) => {
    expect(() => createRng({ algorithm: 'arc4', ...state })).toThrow(/Argument 'seed' passed to 'createRng' must be .*a state saved by rng\.state\(\)/);
    expect(() => createRng({ algorithm: 'arc4', ...state })).toThrow(fault);
  });

  it('is never refused when rng.state() saved it: saved at any point, from any seed, it resumes the same stream, after a JSON round trip too', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()), fc.nat(3000), (seed, skipped) => {
        const rng = createRng(seed);
        for (let k = 0; k < skipped; k++) rng.uniform();
        const saved = rng.state();
        const [resumed, fromJson] = [createRng(saved), createRng(JSON.parse(JSON.stringify(saved)) as typeof saved)];
        const next = Array.from({ length: 20 }, () => rng.uniform());
        expect(Array.from({ length: 20 }, () => resumed.uniform())).toEqual(next);
        expect(Array.from({ length: 20 }, () => fromJson.uniform())).toEqual(next);
      }),
      runs(200),
    );
  });

  it('is refused or draws, never hangs: any table and indices (in a child process with a time limit)', () => {
    // A state that hangs the first draw would hang this test: the property runs in a process of
    // its own, killed after the time limit.
    const result = runChild(
      `
      import fc from 'fast-check';
      import { createRng } from 'SRC';
      const byte = fc.integer({ min: 0, max: 255 });
      const permutation = fc.shuffledSubarray(Array.from({ length: 256 }, (_, k) => k), { minLength: 256, maxLength: 256 });
      const index = fc.oneof({ weight: 4, arbitrary: byte }, { weight: 1, arbitrary: fc.integer({ min: -300, max: 600 }) });
      const table = fc.oneof(
        permutation,
        fc.array(byte, { minLength: 256, maxLength: 256 }),
        fc.tuple(permutation, byte, byte).map(([s, a, b]) => s.map((v) => (v === a ? b : v))),
        fc.constant(new Array(256).fill(0)),
      );
      // Finney states (j = i + 1, S[j] = 1), ARC4's short cycles, among the valid ones.
      const finney = fc.tuple(permutation, byte).map(([s, i]) => {
        const j = (i + 1) % 256;
        const at = s.indexOf(1);
        [s[at], s[j]] = [s[j], s[at]];
        return { i, j, S: s };
      });
      let accepted = 0;
      fc.assert(
        fc.property(fc.oneof(fc.record({ i: index, j: index, S: table }), finney), (state) => {
          let rng;
          try {
            rng = createRng({ algorithm: 'arc4', ...state });
          } catch (e) {
            if (!/Argument 'seed' passed to 'createRng'/.test(e.message)) throw e;
            return;
          }
          accepted++;
          for (let k = 0; k < 2000; k++) {
            const u = rng.uniform();
            if (!(u >= 0 && u < 1)) throw new Error('draw ' + u);
          }
        }),
        { seed: ${SEED}, numRuns: 400 },
      );
      console.log('accepted ' + accepted);
      `,
      60_000,
    );
    expect(result.timedOut, 'a state hung the first draw').toBe(false);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Number(/accepted (\d+)/.exec(result.stdout)?.[1])).toBeGreaterThan(50);
  }, 90_000);
});

describe('oneOf weights of any magnitude', () => {
  const methodsOf = (weights: number[], seed: number) => {
    const mixer = createMixer({ oneOf: weights.map((_, k) => (k % 2 === 0 ? { method: 'mixup' as const } : { method: 'cutMix' as const })), weights, mode: 'elem', numClasses: 2 });
    const x = tf.zeros([12, 2, 2, 1]);
    const result = mixer.mix(x, Array.from({ length: 12 }, (_, i) => i % 2), { seed });
    const methods = Array.from(result.methods.dataSync());
    tf.dispose([x, result]);
    return methods;
  };

  it('draws the same methods when every weight is scaled by the same power of two, even where their sum overflows', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 2 ** -20, max: 2 ** 20, noNaN: true }), { minLength: 2, maxLength: 4 }), fc.integer({ min: -1000, max: 1003 }), fc.nat(), (weights, k, seed) => {
        const top = 1023 - Math.ceil(Math.log2(Math.max(...weights))); // the largest weight just under 2^1023: the sum overflows
        const expected = methodsOf(weights, seed);
        const times = (w: number, scale: number) => w * 2 ** Math.floor(scale / 2) * 2 ** Math.ceil(scale / 2); // 2 ** 1024 alone is Infinity
        for (const scale of [k, top]) expect(methodsOf(weights.map((w) => times(w, scale)), seed)).toEqual(expected);
      }),
      runs(150),
    );
  });

  it('draws both of two equal weights near the largest double about half the time each', () => {
    const mixer = createMixer({ oneOf: [{ method: 'mixup' }, { method: 'cutMix' }], weights: [Number.MAX_VALUE, Number.MAX_VALUE], mode: 'elem', numClasses: 2 });
    const x = tf.zeros([400, 2, 2, 1]);
    const result = mixer.mix(x, Array.from({ length: 400 }, (_, i) => i % 2), { seed: 'huge' });
    const first = Array.from(result.methods.dataSync()).filter((m) => m === 0).length;
    expect(Math.abs(first - 200)).toBeLessThan(5 * Math.sqrt(400 * 0.25));
    expect(mixer.options.weights).toEqual([Number.MAX_VALUE, Number.MAX_VALUE]); // reported as given
    tf.dispose([x, result]);
  });
});
