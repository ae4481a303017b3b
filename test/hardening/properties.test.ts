// Property-based tests (fast-check) of the ops over random shapes, dtypes, label forms and
// options: where every output pixel comes from, that lambda is the exact pasted share, that the
// labels are the stated blend, reproducibility by seed, cpu/wasm agreement, no leaks, and clear
// errors for invalid combinations. Pixel values are their own flat index (exact below 2^24), so
// every output value names its source. The file switches backends itself (host project).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type AttentionExtractor, attentiveCutMix, createRng, cutMix, fmix, mixup, resizeMix, saliencyExtractor, saliencyMix } from '../../src/index.js';
import { referenceBilinear } from '../support/tensors.js';

/** One fixed seed for every property, so a failure is reproduced by running the file again. */
const SEED = 20_250_607;
const runs = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

beforeAll(async () => {
  tf.env().set('PROD', true);
  expect(await tf.setBackend('cpu')).toBe(true);
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

// ---------------------------------------------------------------------------------------------
// Cases

type Dtype = 'float32' | 'int32';
type LabelCase = { kind: 'ids'; ids: number[]; numClasses: number; asTensor: boolean } | { kind: 'soft'; rows: number[][]; asTensor: boolean; passNumClasses: boolean };
type MapKind = 'grid' | 'other' | 'saliency';

interface Case {
  shape: [number, number, number, number];
  dtype: Dtype;
  labels: LabelCase;
  mode?: 'batch' | 'elem';
  partner?: 'shuffle' | 'flip' | 'roll';
  prob?: number;
  labelSmoothing?: number;
  seed: number | string;
}

interface MixupCase extends Case {
  alpha?: number;
}

interface CutMixCase extends MixupCase {
  minMax?: [number, number];
}

interface AttentiveCase extends Case {
  grid?: number;
  topN?: number;
  labelMode?: 'area' | 'attention';
  mapKind: MapKind;
  /** The extractor's maps `[B, h, w]`, for 'grid' (h = w = grid) and 'other' maps. */
  maps: number[][][];
}

const PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
const side = fc.oneof(fc.constantFrom(1, ...PRIMES), fc.integer({ min: 1, max: 40 }));
const shapeArb = fc.tuple(fc.integer({ min: 1, max: 9 }), side, side, fc.integer({ min: 1, max: 4 }));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
/** A number in [0, 1]: mostly `usual`, often one of the edges, sometimes any double (tiny ones included). */
const unit = (usual: number, edges: number[]) =>
  fc.oneof({ weight: 2, arbitrary: fc.constant(usual) }, { weight: 1, arbitrary: fc.constantFrom(...edges) }, { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) });

/**
 * Labels for a batch of B: class ids with numClasses, or float rows [B, K] (one-hot or soft,
 * summing to 1). Class ids with numClasses 1 have their own test below.
 */
const labelsArb = (batch: number): fc.Arbitrary<LabelCase> =>
  fc.integer({ min: 1, max: 5 }).chain((numClasses) =>
    fc.oneof(
      fc.record({
        kind: fc.constant('ids' as const),
        ids: fc.array(fc.nat(Math.max(numClasses, 2) - 1), { minLength: batch, maxLength: batch }),
        numClasses: fc.constant(Math.max(numClasses, 2)),
        asTensor: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('soft' as const),
        rows: fc.array(
          fc.oneof(
            fc.nat(numClasses - 1).map((k) => Array.from({ length: numClasses }, (_, j) => (j === k ? 1 : 0))),
            fc.array(fc.integer({ min: 1, max: 9 }), { minLength: numClasses, maxLength: numClasses }).map((w) => w.map((v) => v / w.reduce((a, b) => a + b, 0))),
          ),
          { minLength: batch, maxLength: batch },
        ),
        asTensor: fc.boolean(),
        passNumClasses: fc.boolean(),
      }),
    ),
  );

const commonArb = (shape: [number, number, number, number]) =>
  fc.record({
    shape: fc.constant(shape),
    dtype: fc.constantFrom<Dtype>('float32', 'int32'),
    labels: labelsArb(shape[0]),
    mode: optional(fc.constantFrom('batch' as const, 'elem' as const)),
    partner: optional(fc.constantFrom('shuffle' as const, 'flip' as const, 'roll' as const)),
    prob: optional(unit(1, [0, 0.5])),
    labelSmoothing: optional(unit(0, [0.1, 1])),
    seed: fc.oneof(fc.integer(), fc.string({ maxLength: 6 })),
  });

const alphaArb = optional(fc.oneof(fc.constantFrom(0.2, 1, 4), fc.double({ min: 0.05, max: 5, noNaN: true })));

const mixupArb: fc.Arbitrary<MixupCase> = shapeArb.chain((shape) => fc.tuple(commonArb(shape), alphaArb).map(([c, alpha]) => ({ ...c, alpha })));

const cutMixArb: fc.Arbitrary<CutMixCase> = shapeArb.chain((shape) =>
  fc
    .tuple(commonArb(shape), alphaArb, optional(fc.tuple(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: 0.01, max: 1, noNaN: true }))))
    .map(([c, alpha, pair]) => ({ ...c, alpha, minMax: pair && ([Math.min(...pair), Math.max(...pair)] as [number, number]) })),
);

/** Attention values with many ties (and negatives, which carry no mass). */
const ATTENTION = [-1, 0, 0.25, 0.5, 1, 2, 3];

const attentiveArb = (kinds: MapKind[]): fc.Arbitrary<AttentiveCase> =>
  shapeArb.chain((shape) => {
    const [B, H, W] = shape;
    const maxGrid = Math.min(H, W, 6);
    return fc.integer({ min: 1, max: maxGrid }).chain((grid) =>
      fc
        .record({
          common: commonArb(shape),
          topN: fc.integer({ min: 0, max: grid * grid }),
          defaults: fc.boolean(), // grid 7 and topN 6, where the image allows it
          labelMode: optional(fc.constantFrom('area' as const, 'attention' as const)),
          mapKind: fc.constantFrom(...kinds),
          mapSize: fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 })),
          values: fc.array(fc.constantFrom(...ATTENTION), { minLength: B * 144, maxLength: B * 144 }),
        })
        .map(({ common, topN, defaults, labelMode, mapKind, mapSize, values }) => {
          const useDefaults = defaults && H >= 7 && W >= 7;
          const g = useDefaults ? 7 : grid;
          const [h, w] = mapKind === 'grid' ? [g, g] : mapSize;
          const maps = Array.from({ length: B }, (_, b) => Array.from({ length: h }, (_, r) => values.slice(b * 144 + r * w, b * 144 + (r + 1) * w)));
          return { ...common, grid: useDefaults ? undefined : grid, topN: useDefaults ? undefined : topN, labelMode, mapKind, maps };
        }),
    );
  });

interface ResizeCase extends Case {
  scale?: [number, number];
  interpolation?: 'bilinear' | 'nearest';
}

interface FMixCase extends MixupCase {
  decay?: number;
}

interface SaliencyCase extends MixupCase {
  /** The maps `[B, h, w]` given in place of an extractor (values with many ties). */
  maps: number[][][];
}

const resizeArb: fc.Arbitrary<ResizeCase> = shapeArb.chain((shape) =>
  fc
    .tuple(commonArb(shape), optional(fc.tuple(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: 0.01, max: 1, noNaN: true }))), optional(fc.constantFrom('bilinear' as const, 'nearest' as const)))
    .map(([c, pair, interpolation]) => ({ ...c, interpolation, scale: pair && ([Math.min(...pair), Math.max(...pair)] as [number, number]) })),
);

const fmixArb: fc.Arbitrary<FMixCase> = shapeArb.chain((shape) =>
  fc.tuple(commonArb(shape), alphaArb, optional(fc.oneof(fc.constantFrom(1, 3), fc.double({ min: 0.5, max: 5, noNaN: true })))).map(([c, alpha, decay]) => ({ ...c, alpha, decay })),
);

const saliencyArb: fc.Arbitrary<SaliencyCase> = shapeArb.chain((shape) =>
  fc
    .tuple(commonArb(shape), alphaArb, fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })), fc.array(fc.constantFrom(...ATTENTION, Number.NaN), { minLength: shape[0] * 81, maxLength: shape[0] * 81 }))
    .map(([c, alpha, [h, w], values]) => ({ ...c, alpha, maps: Array.from({ length: shape[0] }, (_, b) => Array.from({ length: h }, (_, r) => values.slice(b * 81 + r * w, b * 81 + (r + 1) * w))) })),
);

// ---------------------------------------------------------------------------------------------
// Inputs and options

interface Inputs {
  images: tf.Tensor4D;
  labels: tf.Tensor | number[] | number[][];
  /** The labels as float rows [B, K], before smoothing. */
  rows: number[][];
  numClasses: number;
}

function makeInputs(c: Case): Inputs {
  const size = c.shape.reduce((a, b) => a * b, 1);
  const images = tf.tensor4d(Array.from({ length: size }, (_, i) => i), c.shape, c.dtype);
  if (c.labels.kind === 'ids') {
    const { ids, numClasses, asTensor } = c.labels;
    return { images, labels: asTensor ? tf.tensor1d(ids, 'int32') : ids, rows: ids.map((id) => Array.from({ length: numClasses }, (_, k) => (k === id ? 1 : 0))), numClasses };
  }
  const { rows, asTensor } = c.labels;
  return { images, labels: asTensor ? tf.tensor2d(rows, undefined, 'float32') : rows, rows: rows.map((r) => r.map(Math.fround)), numClasses: rows[0]!.length };
}

const disposeInputs = (inputs: Inputs) => tf.dispose([inputs.images, ...(inputs.labels instanceof tf.Tensor ? [inputs.labels] : [])]);

/** The options of a case, without the keys left undefined (attentiveCutMix refuses alpha and minMax). */
function optionsOf(c: Case, extra: Record<string, unknown> = {}) {
  const numClasses = c.labels.kind === 'ids' || c.labels.passNumClasses ? c.labels.kind === 'ids' ? c.labels.numClasses : c.labels.rows[0]!.length : undefined;
  const all: Record<string, unknown> = { numClasses, mode: c.mode, partner: c.partner, prob: c.prob, labelSmoothing: c.labelSmoothing, seed: c.seed, ...extra };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

const extractorFor = (c: AttentiveCase): AttentionExtractor | undefined =>
  c.mapKind === 'saliency' ? saliencyExtractor() : { extract: () => tf.tensor3d(c.maps, undefined, 'float32') };

type Result = { images: tf.Tensor4D; labels: tf.Tensor2D; lambda: tf.Tensor1D; partners: tf.Tensor1D; boxes?: tf.Tensor2D; cells?: tf.Tensor2D; masks?: tf.Tensor3D };

const runMixup = (c: MixupCase, inputs: Inputs, seed: unknown = c.seed): Result => mixup(inputs.images, inputs.labels, optionsOf(c, { alpha: c.alpha, seed }));
const runCutMix = (c: CutMixCase, inputs: Inputs, seed: unknown = c.seed): Result => cutMix(inputs.images, inputs.labels, optionsOf(c, { alpha: c.alpha, minMax: c.minMax, seed }));
const runAttentive = (c: AttentiveCase, inputs: Inputs, seed: unknown = c.seed): Result =>
  attentiveCutMix(inputs.images, inputs.labels, extractorFor(c), optionsOf(c, { grid: c.grid, topN: c.topN, labelMode: c.labelMode, seed }));
const runResize = (c: ResizeCase, inputs: Inputs, seed: unknown = c.seed): Result => resizeMix(inputs.images, inputs.labels, optionsOf(c, { scale: c.scale, interpolation: c.interpolation, seed }));
const runFMix = (c: FMixCase, inputs: Inputs, seed: unknown = c.seed): Result => fmix(inputs.images, inputs.labels, optionsOf(c, { alpha: c.alpha, decay: c.decay, seed }));
const runSaliency = (c: SaliencyCase, inputs: Inputs, seed: unknown = c.seed): Result =>
  saliencyMix(inputs.images, inputs.labels, { extract: () => tf.tensor3d(c.maps, undefined, 'float32') }, optionsOf(c, { alpha: c.alpha, seed }));

/** Every tensor of a result, read back as plain arrays. */
interface Read {
  images: Float32Array | Int32Array;
  imagesDtype: string;
  labels: Float32Array;
  lambda: Float32Array;
  partners: Int32Array;
  boxes?: Int32Array;
  cells?: Int32Array;
  masks?: Uint8Array;
}

function readResult(r: Result): Read {
  return {
    images: r.images.dataSync() as Float32Array | Int32Array,
    imagesDtype: r.images.dtype,
    labels: r.labels.dataSync() as Float32Array,
    lambda: r.lambda.dataSync() as Float32Array,
    partners: r.partners.dataSync() as Int32Array,
    ...(r.boxes && { boxes: r.boxes.dataSync() as Int32Array }),
    ...(r.cells && { cells: r.cells.dataSync() as Int32Array }),
    ...(r.masks && { masks: Uint8Array.from(r.masks.dataSync()) }),
  };
}

/** Runs `op` on fresh inputs, reads its result, and checks that nothing was left behind. */
function runClean<C extends Case>(c: C, op: (c: C, inputs: Inputs) => Result): { read: Read; inputs: Omit<Inputs, 'images' | 'labels'> } {
  const inputs = makeInputs(c);
  const before = tf.memory().numTensors;
  const result = op(c, inputs);
  const read = readResult(result);
  tf.dispose(result);
  expect(tf.memory().numTensors, 'tensors left behind by the call').toBe(before);
  disposeInputs(inputs);
  return { read, inputs: { rows: inputs.rows, numClasses: inputs.numClasses } };
}

// ---------------------------------------------------------------------------------------------
// Checks

/** For each pixel of each output sample: false if it is the base's, true if the partner's (all channels alike). */
function provenance(c: Case, read: Read): boolean[][] {
  const [B, H, W, C] = c.shape;
  const pixels = H * W;
  return Array.from({ length: B }, (_, b) => {
    const p = read.partners[b]!;
    return Array.from({ length: pixels }, (_, q) => {
      let fromPartner: boolean | undefined;
      for (let ch = 0; ch < C; ch++) {
        const got = read.images[(b * pixels + q) * C + ch]!;
        const [base, partner] = [(b * pixels + q) * C + ch, (p * pixels + q) * C + ch];
        const source = got === base ? false : got === partner ? true : undefined;
        if (source === undefined) expect.fail(`output [${b}, ${Math.floor(q / W)}, ${q % W}, ${ch}] is ${got}, neither the base's ${base} nor the partner's ${partner}`);
        if (fromPartner !== undefined && p !== b && fromPartner !== source) expect.fail(`the channels of pixel [${b}, ${Math.floor(q / W)}, ${q % W}] come from different samples`);
        fromPartner = source && p !== b;
      }
      return fromPartner!;
    });
  });
}

/** Labels are `(1 − w)·y[i] + w·y[p]` after smoothing, with w the partner's weight; rows sum to 1. */
function expectLabels(c: Case, read: Read, rows: number[][], numClasses: number, partnerWeight: (b: number) => number) {
  const eps = c.labelSmoothing ?? 0;
  const smooth = rows.map((r) => r.map((v) => v * (1 - eps) + eps / numClasses));
  for (let b = 0; b < c.shape[0]; b++) {
    const w = partnerWeight(b);
    const p = read.partners[b]!;
    let sum = 0;
    for (let k = 0; k < numClasses; k++) {
      const got = read.labels[b * numClasses + k]!;
      sum += got;
      expect(Math.abs(got - ((1 - w) * smooth[b]![k]! + w * smooth[p]![k]!)), `label [${b}, ${k}] with partner weight ${w}`).toBeLessThan(1e-5);
    }
    expect(Math.abs(sum - 1), `row ${b} sums to ${sum}`).toBeLessThan(1e-5);
  }
}

/** Partners are a valid pairing; unmixed samples (prob 0, or paired with themselves) keep lambda 1. */
function expectPartners(c: Case, read: Read) {
  const B = c.shape[0];
  const partners = Array.from(read.partners);
  expect(partners.every((p) => p >= 0 && p < B)).toBe(true);
  if ((c.partner ?? 'shuffle') === 'shuffle') expect([...partners].sort((a, b) => a - b)).toEqual(Array.from({ length: B }, (_, i) => i));
  if (c.partner === 'flip') expect(partners).toEqual(Array.from({ length: B }, (_, i) => B - 1 - i));
  if (c.partner === 'roll') expect(partners).toEqual(Array.from({ length: B }, (_, i) => (i + B - 1) % B));
  partners.forEach((p, b) => (p === b || c.prob === 0) && expect(read.lambda[b], `lambda of unmixed sample ${b}`).toBe(1));
}

/** The areas of the grid cells and the cell of every pixel: rows ⌊r·H/grid⌋ ≤ y < ⌊(r+1)·H/grid⌋. */
function cellsOf(H: number, W: number, grid: number) {
  const edges = (size: number) => Array.from({ length: grid + 1 }, (_, k) => Math.floor((k * size) / grid));
  const [rows, cols] = [edges(H), edges(W)];
  const index = (e: number[], v: number) => e.findIndex((edge, k) => v >= edge && v < e[k + 1]!);
  const pixelCell = Array.from({ length: H * W }, (_, q) => index(rows, Math.floor(q / W)) * grid + index(cols, q % W));
  const area = Array.from({ length: grid * grid }, (_, j) => (rows[Math.floor(j / grid) + 1]! - rows[Math.floor(j / grid)]!) * (cols[(j % grid) + 1]! - cols[j % grid]!));
  return { pixelCell, area };
}

/** Mean of a map over each grid cell (a map smaller than the grid: the row or column a cell starts in). */
function cellMeans(map: number[][], grid: number): number[] {
  const spans = (size: number) =>
    Array.from({ length: grid }, (_, k) => {
      const start = Math.min(Math.floor((k * size) / grid), size - 1);
      return [start, Math.max(Math.floor(((k + 1) * size) / grid), start + 1)] as const;
    });
  const [rs, cs] = [spans(map.length), spans(map[0]!.length)];
  return Array.from({ length: grid * grid }, (_, j) => {
    const [[r0, r1], [c0, c1]] = [rs[Math.floor(j / grid)]!, cs[j % grid]!];
    let total = 0;
    for (let r = r0; r < r1; r++) for (let q = c0; q < c1; q++) total += map[r]![q]!;
    return total / ((r1 - r0) * (c1 - c0));
  });
}

/**
 * The map pooled to the grid as poolToGrid documents it: a grid-sized map unchanged; otherwise each
 * cell's `first + Σ(v − first) · fl(1/n)` in row-major order, every step rounded to float32, NaN
 * for a cell holding a non-finite value. Ranked below with NaN last.
 */
function pooledMap(map: number[][], grid: number): number[] {
  if (map.length === grid && map[0]!.length === grid) return map.flat();
  const spans = (size: number) =>
    Array.from({ length: grid }, (_, k) => {
      const start = Math.min(Math.floor((k * size) / grid), size - 1);
      return [start, Math.max(Math.floor(((k + 1) * size) / grid), start + 1)] as const;
    });
  const [rs, cs] = [spans(map.length), spans(map[0]!.length)];
  const f = Math.fround;
  return Array.from({ length: grid * grid }, (_, j) => {
    const [[r0, r1], [c0, c1]] = [rs[Math.floor(j / grid)]!, cs[j % grid]!];
    const first = f(map[r0]![c0]!);
    let [sum, finite] = [0, true];
    for (let r = r0; r < r1; r++) {
      for (let q = c0; q < c1; q++) {
        finite &&= Number.isFinite(map[r]![q]!);
        sum = f(sum + f(f(map[r]![q]!) - first));
      }
    }
    return finite ? f(first + f(sum * f(1 / ((r1 - r0) * (c1 - c0))))) : Number.NaN;
  });
}

/** The documented ranking: highest first, ties to the lower index, NaN and ±Infinity last. */
const ranked = (values: number[]) =>
  values
    .map((v, j) => [Number.isFinite(v) ? v : -Infinity, j] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .map(([, j]) => j);

// ---------------------------------------------------------------------------------------------
// Properties

describe('mixup, over random shapes, dtypes, labels and options', () => {
  it('blends each sample with its partner by lambda, labels alike, and leaks nothing', () => {
    fc.assert(
      fc.property(mixupArb, (c) => {
        const { read, inputs } = runClean(c, runMixup);
        const [B, H, W, C] = c.shape;
        const sample = H * W * C;
        expect(read.imagesDtype).toBe('float32');
        expectPartners(c, read);
        const lambdas = new Set<number>();
        for (let b = 0; b < B; b++) {
          const [l, p] = [read.lambda[b]!, read.partners[b]!];
          expect(l >= 0 && l <= 1 && Math.fround(l) === l, `lambda ${l}`).toBe(true);
          if (p !== b) lambdas.add(l);
          for (let k = 0; k < sample; k++) {
            const [base, partner, got] = [b * sample + k, p * sample + k, read.images[b * sample + k]!];
            const ok = l === 1 ? got === base : Math.abs(got - (l * base + (1 - l) * partner)) <= 1e-6 * Math.max(base, partner, 1);
            if (!ok) expect.fail(`output element ${b * sample + k} is ${got}: expected ${l}·${base} + ${1 - l}·${partner}`);
          }
        }
        if ((c.mode ?? 'batch') === 'batch') expect(lambdas.size, 'one lambda for the batch').toBeLessThanOrEqual(1);
        expectLabels(c, read, inputs.rows, inputs.numClasses, (b) => 1 - read.lambda[b]!);
      }),
      runs(60),
    );
  });
});

describe('cutMix, over random shapes, dtypes, labels and options', () => {
  it('pastes exactly its box from the partner, with lambda the exact kept share and labels to match', () => {
    fc.assert(
      fc.property(cutMixArb, (c) => {
        const { read, inputs } = runClean(c, runCutMix);
        const [B, H, W] = c.shape;
        expect(read.imagesDtype).toBe(c.dtype);
        expectPartners(c, read);
        const from = provenance(c, read);
        const boxes: number[][] = [];
        for (let b = 0; b < B; b++) {
          const box = Array.from(read.boxes!.slice(4 * b, 4 * b + 4));
          const [y0, x0, y1, x1] = box as [number, number, number, number];
          boxes.push(box);
          expect(0 <= y0 && y0 <= y1 && y1 <= H && 0 <= x0 && x0 <= x1 && x1 <= W, `box [${box}] inside ${H}×${W}`).toBe(true);
          const pasted = from[b]!.filter(Boolean).length;
          from[b]!.forEach((p, q) => {
            const inBox = Math.floor(q / W) >= y0 && Math.floor(q / W) < y1 && q % W >= x0 && q % W < x1;
            if (p !== inBox) expect.fail(`pixel (${Math.floor(q / W)}, ${q % W}) of sample ${b} is ${p ? '' : 'not '}the partner's, but the box is [${box}]`);
          });
          expect(pasted).toBe((y1 - y0) * (x1 - x0));
          expect(read.lambda[b]).toBe(Math.fround(1 - pasted / (H * W)));
          if (pasted === 0) expect(box, 'the box of a sample with nothing pasted').toEqual([0, 0, 0, 0]);
          if (c.minMax && pasted > 0) {
            const sideOk = (s: number, size: number) => s >= Math.max(1, Math.floor(c.minMax![0] * size)) && s <= Math.max(1, Math.floor(c.minMax![1] * size));
            expect(sideOk(y1 - y0, H) && sideOk(x1 - x0, W), `box [${box}] for minMax [${c.minMax}] on ${H}×${W}`).toBe(true);
          }
          if (c.prob === 0) expect(pasted).toBe(0);
        }
        if ((c.mode ?? 'batch') === 'batch') {
          const shared = new Set(boxes.filter((box) => box.some((v) => v !== 0)).map(String));
          expect(shared.size, 'one box for the batch').toBeLessThanOrEqual(1);
        }
        expectLabels(c, read, inputs.rows, inputs.numClasses, (b) => 1 - read.lambda[b]!);
      }),
      runs(60),
    );
  });
});

describe('attentiveCutMix, over random shapes, dtypes, labels, grids and extractors', () => {
  it('pastes exactly topN whole cells of the partner, its top-ranked ones, with lambda the exact pasted share', () => {
    fc.assert(
      fc.property(attentiveArb(['grid', 'other', 'saliency']), (c) => {
        const { read, inputs } = runClean(c, runAttentive);
        const [B, H, W] = c.shape;
        const [grid, topN] = [c.grid ?? 7, c.topN ?? 6];
        const { pixelCell, area } = cellsOf(H, W, grid);
        expect(read.imagesDtype).toBe(c.dtype);
        expectPartners(c, read);
        const from = provenance(c, read);
        const weights: number[] = [];
        for (let b = 0; b < B; b++) {
          const p = read.partners[b]!;
          const cells = Array.from(read.cells!.slice(b * topN, (b + 1) * topN));
          const mixed = topN > 0 && cells[0] !== -1;
          const pastedCells = new Set<number>();
          from[b]!.forEach((fromPartner, q) => fromPartner && pastedCells.add(pixelCell[q]!));
          const pasted = from[b]!.filter(Boolean).length;
          if (!mixed) {
            expect(cells.every((v) => v === -1)).toBe(true);
            expect(pasted).toBe(0);
          } else {
            expect(p).not.toBe(b);
            expect(new Set(cells).size, `cells ${cells} are distinct`).toBe(topN);
            expect(cells.every((j) => j >= 0 && j < grid * grid)).toBe(true);
            expect([...pastedCells].sort((x, y) => x - y)).toEqual([...cells].sort((x, y) => x - y));
            // Whole cells: every pixel of a listed cell was pasted.
            expect(pasted).toBe(cells.reduce((n, j) => n + area[j]!, 0));
            if (c.mapKind !== 'saliency') expect(cells).toEqual(ranked(pooledMap(c.maps[p]!, grid)).slice(0, topN));
          }
          if (c.prob === 0) expect(mixed).toBe(false);
          expect(read.lambda[b]).toBe(Math.fround((H * W - pasted) / (H * W)));
          // The partner's label weight: the area share, or in 'attention' mode the pasted share of its attention mass.
          let w = 1 - read.lambda[b]!;
          if (c.labelMode === 'attention' && c.mapKind !== 'saliency' && mixed) {
            // The cell's mean attention clipped at 0, times the cell's area.
            const mass = cellMeans(c.maps[p]!, grid).map((m, j) => Math.max(m, 0) * area[j]!);
            const total = mass.reduce((s, m) => s + m, 0);
            if (total > 0) w = cells.reduce((s, j) => s + mass[j]!, 0) / total;
          }
          weights.push(w);
        }
        if (c.labelMode !== 'attention' || c.mapKind !== 'saliency') expectLabels(c, read, inputs.rows, inputs.numClasses, (b) => weights[b]!);
        else for (let b = 0; b < B; b++) expect(Math.abs(read.labels.slice(b * inputs.numClasses, (b + 1) * inputs.numClasses).reduce((s, v) => s + v, 0) - 1)).toBeLessThan(1e-5);
      }),
      runs(60),
    );
  });
});

describe('resizeMix, over random shapes, dtypes, labels and options', () => {
  it('fills a box of ⌊τH⌋ × ⌊τW⌋ inside the image with the whole partner scaled down, keeps every other pixel, lambda the exact kept share', () => {
    fc.assert(
      fc.property(resizeArb, (c) => {
        const { read, inputs } = runClean(c, runResize);
        const [B, H, W, C] = c.shape;
        const nearest = (c.interpolation ?? (c.dtype === 'int32' ? 'nearest' : 'bilinear')) === 'nearest';
        expect(read.imagesDtype).toBe(nearest ? c.dtype : 'float32');
        expectPartners(c, read);
        const [lo, hi] = c.scale ?? [0.1, 0.8];
        const at = (b: number, y: number, x: number) => Array.from({ length: C }, (_, ch) => ((b * H + y) * W + x) * C + ch);
        for (let b = 0; b < B; b++) {
          const [y0, x0, y1, x1] = Array.from(read.boxes!.slice(4 * b, 4 * b + 4)) as [number, number, number, number];
          const [h, w] = [y1 - y0, x1 - x0];
          const mixed = h > 0;
          if (mixed) {
            expect(y0 >= 0 && x0 >= 0 && y1 <= H && x1 <= W, `box [${y0}, ${x0}, ${y1}, ${x1}] inside ${H}×${W}`).toBe(true);
            // One τ in [lo, hi] gives both sides: ⌊τH⌋ (at least 1) = h and ⌊τW⌋ = w.
            const range = (side: number, size: number) => (side === 1 ? [0, 2 / size] : [side / size, (side + 1) / size]);
            const [[a, bnd], [c2, d]] = [range(h, H), range(w, W)];
            expect(Math.max(a!, c2!, lo) <= Math.min(bnd!, d!, hi) + 1e-12, `sides ${h}×${w} from one τ in [${lo}, ${hi}] on ${H}×${W}`).toBe(true);
          } else expect([y0, x0, y1, x1]).toEqual([0, 0, 0, 0]);
          const p = read.partners[b]!;
          const partnerImage = Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => at(p, y, x)));
          const scaled = mixed ? (nearest ? null : referenceBilinear(partnerImage, h, w)) : null;
          for (let y = 0; y < H; y++) {
            for (let x = 0; x < W; x++) {
              const inside = y >= y0 && y < y1 && x >= x0 && x < x1;
              at(b, y, x).forEach((k, ch) => {
                const got = read.images[k]!;
                if (!inside) return void expect(got).toBe(k);
                if (nearest) return void expect(got).toBe(at(p, Math.floor(((y - y0 + 0.5) * H) / h), Math.floor(((x - x0 + 0.5) * W) / w))[ch]);
                const want = scaled![y - y0]![x - x0]![ch]!;
                expect(Math.abs(got - want), `pixel [${b}, ${y}, ${x}, ${ch}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, want));
              });
            }
          }
          expect(read.lambda[b]).toBe(Math.fround(1 - (h * w) / (H * W)));
          if (c.prob === 0) expect(mixed).toBe(false);
        }
        expectLabels(c, read, inputs.rows, inputs.numClasses, (b) => 1 - read.lambda[b]!);
      }),
      runs(60),
    );
  });
});

describe('fmix, over random shapes, dtypes, labels and options', () => {
  it('pastes the partner exactly where its mask says, ⌈(1 − λ)·H·W⌉ pixels, lambda the exact kept share, one mask per batch in batch mode', () => {
    fc.assert(
      fc.property(fmixArb, (c) => {
        const { read, inputs } = runClean(c, runFMix);
        const [B, H, W] = c.shape;
        expect(read.imagesDtype).toBe(c.dtype);
        expectPartners(c, read);
        const from = provenance(c, read);
        const masks: string[] = [];
        for (let b = 0; b < B; b++) {
          const mask = Array.from(read.masks!.slice(b * H * W, (b + 1) * H * W));
          if (read.partners[b] !== b) from[b]!.forEach((fromPartner, q) => fromPartner !== (mask[q] === 1) && expect.fail(`pixel ${q} of sample ${b}: mask ${mask[q]}, from the partner: ${fromPartner}`));
          const pasted = mask.filter((m) => m === 1).length;
          expect(read.lambda[b]).toBe(Math.fround(1 - pasted / (H * W)));
          if (c.prob === 0 || read.partners[b] === b) expect(pasted).toBe(0);
          if (pasted > 0) masks.push(mask.join());
        }
        if ((c.mode ?? 'batch') === 'batch') expect(new Set(masks).size, 'one mask for the batch').toBeLessThanOrEqual(1);
        expectLabels(c, read, inputs.rows, inputs.numClasses, (b) => 1 - read.lambda[b]!);
      }),
      runs(60),
    );
  });
});

describe('saliencyMix, over random shapes, dtypes, labels, maps and options', () => {
  it('pastes exactly its box from the partner, the box around the centre of the partner’s peak cell, lambda the exact kept share', () => {
    fc.assert(
      fc.property(saliencyArb, (c) => {
        const { read, inputs } = runClean(c, runSaliency);
        const [B, H, W] = c.shape;
        expect(read.imagesDtype).toBe(c.dtype);
        expectPartners(c, read);
        const from = provenance(c, read);
        for (let b = 0; b < B; b++) {
          const box = Array.from(read.boxes!.slice(4 * b, 4 * b + 4));
          const [y0, x0, y1, x1] = box as [number, number, number, number];
          const pasted = from[b]!.filter(Boolean).length;
          from[b]!.forEach((p, q) => {
            const inBox = Math.floor(q / W) >= y0 && Math.floor(q / W) < y1 && q % W >= x0 && q % W < x1;
            if (p !== inBox && read.partners[b] !== b) expect.fail(`pixel (${Math.floor(q / W)}, ${q % W}) of sample ${b} is ${p ? '' : 'not '}the partner's, but the box is [${box}]`);
          });
          expect(read.lambda[b]).toBe(Math.fround(1 - ((y1 - y0) * (x1 - x0)) / (H * W)));
          if (pasted === 0 && read.partners[b] !== b) expect(y1 - y0 === 0 || x1 - x0 === 0).toBe(true);
          if (y1 > y0 && x1 > x0) {
            // The peak: the first highest finite value, row-major (a map with none: index 0).
            const map = c.maps[read.partners[b]!]!;
            const [h, w] = [map.length, map[0]!.length];
            const flat = map.flat().map((v) => (Number.isFinite(v) ? v : -Infinity));
            const peak = flat.indexOf(Math.max(...flat));
            const mid = (k: number, cells: number, size: number) => Math.floor((Math.floor((k * size) / cells) + Math.floor(((k + 1) * size) / cells)) / 2);
            const [cy, cx] = [mid(Math.floor(peak / w), h, H), mid(peak % w, w, W)];
            expect(cy >= y0 && cy < y1 && cx >= x0 && cx < x1, `centre (${cy}, ${cx}) of peak ${peak} inside box [${box}]`).toBe(true);
          }
        }
        expectLabels(c, read, inputs.rows, inputs.numClasses, (b) => 1 - read.lambda[b]!);
      }),
      runs(60),
    );
  });
});

describe('reproducibility', () => {
  it('gives the same result bit for bit for the same seed (a number, a string, or a fresh Rng of it), for every op', () => {
    const anyCase = fc.oneof(
      mixupArb.map((c) => ({ c: c as Case, op: runMixup as (c: Case, i: Inputs, s?: unknown) => Result })),
      cutMixArb.map((c) => ({ c: c as Case, op: runCutMix as (c: Case, i: Inputs, s?: unknown) => Result })),
      attentiveArb(['grid', 'other', 'saliency']).map((c) => ({ c: c as Case, op: runAttentive as (c: Case, i: Inputs, s?: unknown) => Result })),
      resizeArb.map((c) => ({ c: c as Case, op: runResize as (c: Case, i: Inputs, s?: unknown) => Result })),
      fmixArb.map((c) => ({ c: c as Case, op: runFMix as (c: Case, i: Inputs, s?: unknown) => Result })),
      saliencyArb.map((c) => ({ c: c as Case, op: runSaliency as (c: Case, i: Inputs, s?: unknown) => Result })),
    );
    fc.assert(
      fc.property(anyCase, fc.boolean(), ({ c, op }, viaRng) => {
        const seed = () => (viaRng ? createRng(c.seed) : c.seed);
        const first = runClean(c, (cc, inputs) => op(cc, inputs, seed())).read;
        const second = runClean(c, (cc, inputs) => op(cc, inputs, seed())).read;
        const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
        for (const key of ['images', 'labels', 'lambda', 'partners', 'boxes', 'cells', 'masks'] as const) {
          const [a, b] = [first[key], second[key]];
          if (a === undefined || b === undefined) expect(b).toBe(a);
          else expect(bytes(a).equals(bytes(b)), `${key} differ between two calls with the same seed`).toBe(true);
        }
      }),
      runs(40),
    );
  });
});

describe('backends', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('agrees between cpu and wasm on the same inputs: integers and pasted pixels exactly, blends within float32 rounding', async () => {
    const anyCase = fc.oneof(
      mixupArb.map((c) => ({ c: c as Case, op: runMixup as (c: Case, i: Inputs) => Result, name: 'mixup' })),
      cutMixArb.map((c) => ({ c: c as Case, op: runCutMix as (c: Case, i: Inputs) => Result, name: 'cutMix' })),
      // Maps of the grid's size and of others: pooling takes the same float32 steps on both backends,
      // and ranking is by exact comparisons, so ties (there are many) break alike.
      attentiveArb(['grid', 'other']).map((c) => ({ c: c as Case, op: runAttentive as (c: Case, i: Inputs) => Result, name: 'attentiveCutMix' })),
      resizeArb.map((c) => ({ c: c as Case, op: runResize as (c: Case, i: Inputs) => Result, name: 'resizeMix' })),
      fmixArb.map((c) => ({ c: c as Case, op: runFMix as (c: Case, i: Inputs) => Result, name: 'fmix' })),
      saliencyArb.map((c) => ({ c: c as Case, op: runSaliency as (c: Case, i: Inputs) => Result, name: 'saliencyMix' })),
    );
    await fc.assert(
      fc.asyncProperty(anyCase, async ({ c, op, name }) => {
        const reads: Read[] = [];
        for (const backend of ['cpu', 'wasm']) {
          expect(await tf.setBackend(backend)).toBe(true);
          reads.push(runClean(c, op).read);
        }
        await tf.setBackend('cpu');
        const [cpu, wasm] = reads as [Read, Read];
        expect(wasm.imagesDtype).toBe(cpu.imagesDtype);
        expect(wasm.partners).toEqual(cpu.partners);
        expect(wasm.lambda).toEqual(cpu.lambda);
        if (cpu.boxes) expect(wasm.boxes).toEqual(cpu.boxes);
        if (cpu.cells) expect(wasm.cells).toEqual(cpu.cells);
        if (cpu.masks) expect(wasm.masks).toEqual(cpu.masks);
        if (name === 'mixup') {
          const far = cpu.images.findIndex((v, k) => !(Math.abs(wasm.images[k]! - v) <= 1e-6 * Math.max(Math.abs(v), 1)));
          expect(far, `mixup images differ at ${far}: cpu ${cpu.images[far]}, wasm ${wasm.images[far]}`).toBe(-1);
        } else {
          expect(wasm.images).toEqual(cpu.images);
        }
        const farLabel = cpu.labels.findIndex((v, k) => !(Math.abs(wasm.labels[k]! - v) <= 1e-6));
        expect(farLabel, `labels differ at ${farLabel}: cpu ${cpu.labels[farLabel]}, wasm ${wasm.labels[farLabel]}`).toBe(-1);
      }),
      runs(30),
    );
  });
});

describe('pooled ranking', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  // Maps larger than the grid with many exact ties: constant maps, a constant background with
  // noise in a few rectangles, and values from a small set. Cells of different sizes must not turn
  // equal cells into near-ties that each backend orders its own way.
  const mapArb = fc
    .record({ grid: fc.integer({ min: 2, max: 8 }), extra: fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 30 })), kind: fc.constantFrom('constant', 'background', 'levels'), seed: fc.nat() })
    .map(({ grid, extra, kind, seed }) => {
      const [h, w] = [grid + extra[0], grid + extra[1]];
      const rng = createRng(seed);
      const level = Math.fround(rng.uniform() * 4 - 1);
      const map = Array.from({ length: h }, () => Array.from({ length: w }, () => (kind === 'levels' ? ATTENTION[Math.floor(rng.uniform() * ATTENTION.length)]! : level)));
      if (kind === 'background') {
        for (let n = 0; n < 3; n++) {
          const [y0, x0] = [Math.floor(rng.uniform() * h), Math.floor(rng.uniform() * w)];
          const [y1, x1] = [Math.min(h, y0 + 1 + Math.floor(rng.uniform() * 8)), Math.min(w, x0 + 1 + Math.floor(rng.uniform() * 8))];
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) map[y]![x] = rng.uniform() * 4;
        }
      }
      return { grid, map, topN: Math.max(1, Math.floor(rng.uniform() * grid * grid)) };
    });

  it('ranks the cells as the documented float32 pooling does, equal cells to the lower index, alike on cpu and wasm', async () => {
    await fc.assert(
      fc.asyncProperty(mapArb, async ({ grid, map, topN }) => {
        const expected = ranked(pooledMap(map, grid)).slice(0, topN);
        for (const backend of ['cpu', 'wasm']) {
          expect(await tf.setBackend(backend)).toBe(true);
          const [h, w] = [map.length, map[0]!.length];
          const images = tf.zeros([2, h, w, 1]) as tf.Tensor4D;
          const maps = tf.tensor3d([map, map]);
          const result = attentiveCutMix(images, [0, 1], maps, { numClasses: 2, grid, topN, partner: 'flip', seed: 1 });
          const cells = Array.from(await result.cells.data());
          tf.dispose([images, maps, result]);
          expect(cells.slice(0, topN), `cells on ${backend}`).toEqual(expected);
        }
      }),
      runs(200),
    );
  });

  // A plain float32 mean of these maps picked the bottom row of 37×31 (0.7, 0.9) and [3, 1, 2, 0]
  // of 5×5 on wasm only (0.1).
  it.each([
    [37, 31, 6, 6, [0, 1, 2, 3, 4, 5]],
    [5, 5, 2, 4, [0, 1, 2, 3]],
  ])('picks the first cells of a constant %i×%i map (grid %i, topN %i) on cpu and wasm', async (h, w, grid, topN, expected) => {
    for (const [backend, value] of ['cpu', 'wasm'].flatMap((b) => [0.1, 0.7, 0.9].map((v) => [b, v] as const))) {
      expect(await tf.setBackend(backend)).toBe(true);
      const images = tf.zeros([2, h, w, 3]) as tf.Tensor4D;
      const maps = tf.fill([2, h, w], value) as tf.Tensor3D;
      const result = attentiveCutMix(images, [0, 1], maps, { numClasses: 2, grid, topN, partner: 'flip', seed: 1 });
      expect(Array.from(await result.cells.data()).slice(0, topN), `cells of ${value} on ${backend}`).toEqual(expected);
      tf.dispose([images, maps, result]);
    }
  });
});

describe('class ids with numClasses 1', () => {
  // numClasses is documented as an integer in [1, 2^24]. One class is degenerate but allowed: the result
  // must be the all-ones labels [B, 1], or else a clear Error naming the option, never an error
  // from inside tfjs (tf.oneHot refuses a depth below 2).
  it.each([
    ['mixup', (x: tf.Tensor4D) => mixup(x, [0, 0, 0], { numClasses: 1, seed: 1 })],
    ['cutMix', (x: tf.Tensor4D) => cutMix(x, [0, 0, 0], { numClasses: 1, seed: 1 })],
    ['attentiveCutMix', (x: tf.Tensor4D) => attentiveCutMix(x, [0, 0, 0], undefined, { numClasses: 1, seed: 1, grid: 2, topN: 1 })],
  ])('%s gives all-ones labels [B, 1] or a clear error naming numClasses', async (op, call) => {
    const x = tf.zeros([3, 4, 4, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    let result: Result | undefined;
    let error: unknown;
    try {
      result = call(x);
    } catch (e) {
      error = e;
    }
    if (error !== undefined) {
      expect((error as Error).message).toContain(`Argument 'options.numClasses' passed to '${op}' must be `);
    } else {
      expect(result!.labels.shape).toEqual([3, 1]);
      expect(Array.from(await result!.labels.data())).toEqual([1, 1, 1]);
      tf.dispose(result);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Invalid combinations

interface Breaker {
  name: string;
  /** The argument the error must name (in "Argument 'x' passed to 'op'"), or the unknown option. */
  arg: string;
  ops: ('mixup' | 'cutMix' | 'attentiveCutMix')[];
  /** The form of labels the breaker needs, if any. */
  needs?: LabelCase['kind'];
  /** Changes a valid call: returns the images, labels and options to pass. */
  apply(c: AttentiveCase, inputs: Inputs, options: Record<string, unknown>): { images?: unknown; labels?: unknown; options: Record<string, unknown> };
}

const BREAKERS: Breaker[] = [
  { name: 'a grid larger than the image', arg: 'options.grid', ops: ['attentiveCutMix'], apply: (c, _, o) => ({ options: { ...o, grid: Math.min(c.shape[1], c.shape[2]) + 1, topN: 1 } }) },
  { name: 'topN above grid²', arg: 'options.topN', ops: ['attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, grid: 1, topN: 2 } }) },
  { name: 'a fractional topN', arg: 'options.topN', ops: ['attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, grid: 1, topN: 0.5 } }) },
  { name: 'grid 0', arg: 'options.grid', ops: ['attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, grid: 0, topN: 0 } }) },
  { name: 'an unknown labelMode', arg: 'options.labelMode', ops: ['attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, labelMode: 'mass' } }) },
  { name: 'minMax with lo > hi', arg: 'options.minMax', ops: ['cutMix'], apply: (_, __, o) => ({ options: { ...o, minMax: [0.8, 0.3] } }) },
  { name: 'minMax with lo = 0', arg: 'options.minMax', ops: ['cutMix'], apply: (_, __, o) => ({ options: { ...o, minMax: [0, 0.5] } }) },
  { name: 'minMax with hi > 1', arg: 'options.minMax', ops: ['cutMix'], apply: (_, __, o) => ({ options: { ...o, minMax: [0.5, 1.5] } }) },
  { name: 'alpha 0', arg: 'options.alpha', ops: ['mixup', 'cutMix'], apply: (_, __, o) => ({ options: { ...o, alpha: 0 } }) },
  { name: 'alpha for attentiveCutMix', arg: 'alpha', ops: ['attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, alpha: 1 } }) },
  { name: 'prob above 1', arg: 'options.prob', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, prob: 1.5 } }) },
  { name: 'a NaN prob', arg: 'options.prob', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, prob: Number.NaN } }) },
  { name: 'labelSmoothing below 0', arg: 'options.labelSmoothing', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, labelSmoothing: -0.1 } }) },
  { name: 'an unknown mode', arg: 'options.mode', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, mode: 'pairs' } }) },
  { name: 'an unknown partner', arg: 'options.partner', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, partner: 'random' } }) },
  { name: 'an infinite seed', arg: 'options.seed', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, seed: Number.POSITIVE_INFINITY } }) },
  { name: 'a misspelt option', arg: 'aplha', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (_, __, o) => ({ options: { ...o, aplha: 0.2 } }) },
  {
    name: 'class ids without numClasses',
    arg: 'options.numClasses',
    ops: ['mixup', 'cutMix', 'attentiveCutMix'],
    needs: 'ids',
    apply: (_, __, o) => ({ options: { ...o, numClasses: undefined } }),
  },
  {
    name: 'a class id out of range',
    arg: 'labels',
    ops: ['mixup', 'cutMix', 'attentiveCutMix'],
    needs: 'ids',
    apply: (c, inputs, o) => ({ labels: (c.labels as { ids: number[] }).ids.map((id, i) => (i === 0 ? inputs.numClasses : id)), options: o }),
  },
  {
    name: 'numClasses other than K',
    arg: 'options.numClasses',
    ops: ['mixup', 'cutMix', 'attentiveCutMix'],
    needs: 'soft',
    apply: (_, inputs, o) => ({ options: { ...o, numClasses: inputs.numClasses + 1 } }),
  },
  {
    name: 'one label more than images',
    arg: 'labels',
    ops: ['mixup', 'cutMix', 'attentiveCutMix'],
    apply: (c, inputs, o) => ({ labels: c.labels.kind === 'ids' ? [...c.labels.ids, 0] : [...inputs.rows, inputs.rows[0]!], options: o }),
  },
  {
    name: 'one label fewer than images',
    arg: 'labels',
    ops: ['mixup', 'cutMix', 'attentiveCutMix'],
    apply: (c, inputs, o) => ({ labels: c.labels.kind === 'ids' ? c.labels.ids.slice(1) : inputs.rows.slice(1), options: o }), // B − 1 may be 0: an empty list
  },
  { name: 'images of rank 3', arg: 'images', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (c, inputs, o) => ({ images: tf.reshape(inputs.images, [c.shape[0], c.shape[1], c.shape[2] * c.shape[3]]), options: o }) },
  { name: 'bool images', arg: 'images', ops: ['mixup', 'cutMix', 'attentiveCutMix'], apply: (_, inputs, o) => ({ images: tf.cast(inputs.images, 'bool'), options: o }) },
];

describe('invalid combinations', () => {
  it('throw an Error naming the argument, and leak nothing', () => {
    // A valid call (shapes, labels and options as above), broken in one way, to every op it applies to.
    const callArb = fc.constantFrom(...BREAKERS).chain((breaker) =>
      fc.record({ breaker: fc.constant(breaker), c: attentiveArb(['grid']).filter((c) => breaker.needs === undefined || c.labels.kind === breaker.needs) }),
    );
    fc.assert(
      fc.property(callArb, ({ c, breaker }) => {
        for (const op of breaker.ops) {
          const inputs = makeInputs(c);
          const valid = op === 'attentiveCutMix' ? optionsOf(c, { grid: c.grid, topN: c.topN }) : optionsOf(c);
          const broken = breaker.apply(c, inputs, valid);
          const { images = inputs.images, labels = inputs.labels } = broken;
          const options = Object.fromEntries(Object.entries(broken.options).filter(([, v]) => v !== undefined));
          const calls = {
            mixup: () => mixup(images as tf.Tensor4D, labels as number[], options),
            cutMix: () => cutMix(images as tf.Tensor4D, labels as number[], options),
            attentiveCutMix: () => attentiveCutMix(images as tf.Tensor4D, labels as number[], extractorFor(c), options),
          };
          const before = tf.memory().numTensors;
          let error: unknown;
          try {
            tf.dispose(calls[op]());
          } catch (e) {
            error = e;
          }
          expect(tf.memory().numTensors, 'tensors left behind by the failed call').toBe(before);
          if (images !== inputs.images) tf.dispose(images as tf.Tensor);
          disposeInputs(inputs);
          expect(error, `${breaker.name} should make ${op} throw`).toBeInstanceOf(Error);
          const message = (error as Error).message;
          const unknownOption = breaker.arg === 'aplha' || breaker.arg === 'alpha';
          expect(message).toContain(unknownOption ? `Unknown option '${breaker.arg}' passed to '${op}'` : `Argument '${breaker.arg}' passed to '${op}' must be `);
          if (!unknownOption) expect(message).toMatch(/, but got .+\.$/);
        }
      }),
      runs(60),
    );
  });
});
