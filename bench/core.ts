// The benchmark cases and the timing loop, shared by the Node driver and the browser page.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { type AttentionExtractor, attentiveCutMix, camExtractor, cutMix, fmix, mixup, resizeMix, saliencyExtractor, saliencyMix } from '../src/index.js';
import { setFusedKernelsEnabled } from '../src/kernels/fused.js';

export interface BenchRow {
  backend: string;
  shape: number[];
  name: string;
  /** Median and quartiles of ms per call, waiting on the result with `await data()`. */
  medianMs: number;
  q1Ms: number;
  q3Ms: number;
  imagesPerSecond: number;
  kernels: number;
  /** Peak bytes allocated during a call, as a multiple of the batch's bytes. */
  peakVsBatch: number;
  /** Median time over the median time of `tf.mul(x, scalar)` on the same backend and shape. */
  vsFloor: number;
}

type Op = (x: tf.Tensor4D, y: tf.Tensor2D) => tf.Tensor | Record<string, tf.Tensor>;
export interface BenchCase {
  name: string;
  op: Op;
  dispose?: () => void;
  /** Timed calls for a slow case (a real model), instead of the shape's default. */
  runs?: number;
}

/** An extractor that costs nothing: a map made once, so the op's own cost shows. */
function cachedExtractor(batchSize: number): AttentionExtractor & { dispose(): void } {
  const map = tf.tidy(() => tf.reshape(tf.range(0, batchSize * 49), [batchSize, 7, 7]) as tf.Tensor3D);
  return { extract: () => map, dispose: () => map.dispose() };
}

/**
 * A CNN of the size the training example trains (three conv stages, global pooling, a Dense
 * classifier), for the cost of its class activation maps (one inference pass per batch) and of
 * a training step; with `batchNorm`, each convolution is followed by batch normalisation.
 */
export function smallCnn(size: number, { batchNorm = false } = {}): tfl.LayersModel {
  const conv = (name: string, filters: number) =>
    batchNorm
      ? [tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false }), tfl.layers.batchNormalization(), tfl.layers.activation({ name, activation: 'relu' })]
      : [tfl.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu' })];
  return tfl.sequential({
    layers: [
      tfl.layers.inputLayer({ inputShape: [size, size, 3] }),
      ...conv('conv1', 12),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      ...conv('conv2', 24),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      ...conv('features', 48),
      tfl.layers.globalAveragePooling2d({}),
      tfl.layers.dense({ name: 'logits', units: 10, activation: 'softmax' }),
    ],
  });
}

function cases([batchSize, size]: [number, number, number, number], withCam: boolean): BenchCase[] {
  const trivial = cachedExtractor(batchSize);
  const saliency = saliencyExtractor();
  const maps = tf.tidy(() => tf.randomUniform([batchSize, 7, 7], 0, 1, 'float32', 3) as tf.Tensor3D);
  // Maps at image resolution, pooled by the call; and a 32 × 32 grid, whose composite ranking compared every pair of 1,024 cells.
  const fullMaps = tf.tidy(() => tf.randomUniform([batchSize, size, size], 0, 1, 'float32', 4) as tf.Tensor3D);
  const fineMaps = tf.tidy(() => tf.randomUniform([batchSize, 32, 32], 0, 1, 'float32', 5) as tf.Tensor3D);
  const saliencyMaps = tf.tidy(() => tf.randomUniform([batchSize, 7, 7], 0, 1, 'float32', 6) as tf.Tensor3D);
  const list: BenchCase[] = [
    { name: 'floor: tf.mul(x, scalar)', op: (x) => tf.mul(x, 0.3) },
    { name: 'mixup, batch', op: (x, y) => mixup(x, y, { seed: 1 }) },
    { name: 'mixup, elem', op: (x, y) => mixup(x, y, { seed: 1, mode: 'elem' }) },
    { name: 'cutMix, batch', op: (x, y) => cutMix(x, y, { seed: 1 }) },
    { name: 'cutMix, elem', op: (x, y) => cutMix(x, y, { seed: 1, mode: 'elem' }) },
    { name: 'attentiveCutMix, trivial extractor, batch', op: (x, y) => attentiveCutMix(x, y, trivial, { seed: 1 }) },
    { name: 'attentiveCutMix, trivial extractor, elem', op: (x, y) => attentiveCutMix(x, y, trivial, { seed: 1, mode: 'elem' }), dispose: () => trivial.dispose() },
    { name: 'attentiveCutMix, precomputed maps [B, 7, 7], elem', op: (x, y) => attentiveCutMix(x, y, maps, { seed: 1, mode: 'elem' }), dispose: () => maps.dispose() },
    { name: 'attentiveCutMix, precomputed maps [B, H, W] pooled to 7 × 7, elem', op: (x, y) => attentiveCutMix(x, y, fullMaps, { seed: 1, mode: 'elem' }), dispose: () => fullMaps.dispose() },
    { name: 'attentiveCutMix, precomputed maps [B, 32, 32], grid 32, topN 256, elem', op: (x, y) => attentiveCutMix(x, y, fineMaps, { seed: 1, mode: 'elem', grid: 32, topN: 256 }), dispose: () => fineMaps.dispose() },
    { name: 'attentiveCutMix, saliency extractor', op: (x, y) => attentiveCutMix(x, y, saliency, { seed: 1, mode: 'elem' }) },
    { name: 'resizeMix, batch', op: (x, y) => resizeMix(x, y, { seed: 1 }) },
    { name: 'resizeMix, elem', op: (x, y) => resizeMix(x, y, { seed: 1, mode: 'elem' }) },
    { name: 'saliencyMix, precomputed maps [B, 7, 7], elem', op: (x, y) => saliencyMix(x, y, saliencyMaps, { seed: 1, mode: 'elem' }), dispose: () => saliencyMaps.dispose() },
    { name: 'saliencyMix, saliency extractor, elem', op: (x, y) => saliencyMix(x, y, saliency, { seed: 1, mode: 'elem' }) },
    { name: 'fmix, batch', op: (x, y) => fmix(x, y, { seed: 1 }) },
    { name: 'fmix, elem', op: (x, y) => fmix(x, y, { seed: 1, mode: 'elem' }) },
  ];
  if (withCam) {
    const model = smallCnn(size);
    const cam = camExtractor(model, { featureLayer: 'features', classifierLayer: 'logits' });
    list.push(
      { name: 'camExtractor alone, small CNN (12-24-48 filters)', op: (x, y) => cam.extract(x, y) },
      { name: 'attentiveCutMix, CAM of that CNN, elem', op: (x, y) => attentiveCutMix(x, y, cam, { seed: 1, mode: 'elem' }), dispose: () => model.dispose() },
    );
  }
  return list;
}

const imagesOf = (out: tf.Tensor | Record<string, tf.Tensor>) => (out instanceof tf.Tensor ? out : out.images!);

/** How long one call takes, waiting on its images. */
async function timeCall(c: BenchCase, x: tf.Tensor4D, y: tf.Tensor2D): Promise<number> {
  const start = performance.now();
  const out = c.op(x, y);
  await imagesOf(out).data();
  const ms = performance.now() - start;
  tf.dispose(out);
  return ms;
}

/** One case's times against a reference case's, timed in alternation: see {@link pairedRatios}. */
export interface PairedRatio {
  backend: string;
  shape: number[];
  name: string;
  /** The median over the rounds of this case's time over the reference's in the same round. */
  vsReference: number;
  /** The same against the floor, `tf.mul(x, scalar)`. */
  vsFloor: number;
  rounds: number;
}

/** A case name with this suffix is that case run without the library's fused kernels: the composite path of standard tfjs ops. */
export const COMPOSITE = ' (composite path)';

/** `c` run with the fused kernels off, as any backend without them runs it. */
function composite(c: BenchCase): BenchCase {
  return {
    name: `${c.name}${COMPOSITE}`,
    op: (x, y) => {
      setFusedKernelsEnabled(false);
      try {
        return c.op(x, y);
      } finally {
        setFusedKernelsEnabled(true);
      }
    },
  };
}

/**
 * The cases `names` timed in alternation with `reference` and the floor, one call of each per
 * round (in an order rotated from round to round) after two warm-up rounds, on the current backend: each case's median over the rounds of
 * its time over the reference's in the same round. On a shared machine whose load drifts over
 * minutes this moves far less than a ratio of two medians taken minutes apart. A name ending in
 * {@link COMPOSITE} times its case's composite path, to say whether a fused kernel earns its place.
 */
export async function pairedRatios(shape: [number, number, number, number], rounds: number, reference: string, names: string[]): Promise<PairedRatio[]> {
  const backend = tf.getBackend();
  const x = tf.randomUniform(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: shape[0] }, (_, i) => i % 10), 'int32'), 10), 'float32')) as tf.Tensor2D;
  const all = cases(shape, false);
  const byName = (name: string): BenchCase => {
    const base = name.endsWith(COMPOSITE) ? name.slice(0, -COMPOSITE.length) : name;
    const found = all.find((c) => c.name === base);
    if (!found) throw new Error(`No benchmark case '${base}'.`);
    return base === name ? found : composite(found);
  };
  const timed = [byName('floor: tf.mul(x, scalar)'), byName(reference), ...names.map(byName)];
  const times = timed.map(() => [] as number[]);
  for (let round = 0; round < rounds + 2; round++) {
    // Each round starts one case later, so that no case always follows the same one (on cpu, a call after one that left much garbage pays for its collection).
    for (let i = 0; i < timed.length; i++) {
      const k = (i + round) % timed.length;
      const ms = await timeCall(timed[k]!, x, y);
      if (round >= 2) times[k]!.push(ms);
    }
  }
  for (const c of all) c.dispose?.();
  tf.dispose([x, y]);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const [floor, against] = [times[0]!, times[1]!];
  return names.map((name, j) => {
    const own = times[j + 2]!;
    return { backend, shape, name, vsReference: median(own.map((t, r) => t / against[r]!)), vsFloor: median(own.map((t, r) => t / floor[r]!)), rounds };
  });
}

/** Which cases {@link benchShape} runs. */
export interface BenchSelection {
  /** The CAM of a small CNN (a conv net at 224 px takes tens of seconds on the cpu backend). Default true. */
  withCam?: boolean;
  /** Cases after the built-in ones (real models). */
  extra?: BenchCase[];
  /** Only the cases whose name contains one of these (the floor always runs: the ratios need it). */
  only?: string[];
}

/**
 * Times the cases on the current backend for one batch shape (see {@link BenchSelection}).
 */
export async function benchShape(shape: [number, number, number, number], runs: number, log: (line: string) => void = () => {}, selection: BenchSelection = {}): Promise<BenchRow[]> {
  const { withCam = true, extra = [], only } = selection;
  const backend = tf.getBackend();
  const x = tf.randomUniform(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: shape[0] }, (_, i) => i % 10), 'int32'), 10), 'float32')) as tf.Tensor2D;
  const batchBytes = x.size * 4;
  const rows: BenchRow[] = [];
  let floorMs = Number.NaN;
  const all = [...cases(shape, withCam), ...extra];
  const chosen = all.filter((c, i) => i === 0 || !only || only.some((o) => c.name.includes(o)));
  for (const c of all) if (!chosen.includes(c)) c.dispose?.();
  for (const c of chosen) {
    const times: number[] = [];
    for (let i = 0; i < (c.runs ?? runs) + 2; i++) {
      const ms = await timeCall(c, x, y);
      if (i >= 2) times.push(ms); // two warm-up calls
    }
    let outputs: tf.Tensor | Record<string, tf.Tensor> = [] as unknown as tf.Tensor;
    const profile = await tf.profile(() => {
      outputs = c.op(x, y);
      return outputs instanceof tf.Tensor ? outputs : Object.values(outputs);
    });
    tf.dispose(outputs);
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    const medianMs = q(0.5);
    if (Number.isNaN(floorMs)) floorMs = medianMs;
    const row: BenchRow = {
      backend,
      shape,
      name: c.name,
      medianMs,
      q1Ms: q(0.25),
      q3Ms: q(0.75),
      imagesPerSecond: (shape[0] * 1000) / medianMs,
      kernels: profile.kernels.length,
      peakVsBatch: profile.peakBytes / batchBytes,
      vsFloor: medianMs / floorMs,
    };
    rows.push(row);
    log(`${backend} [${shape.join(',')}] ${c.name}: ${medianMs.toFixed(1)} ms (×${row.vsFloor.toFixed(2)} floor), ${row.kernels} kernels, peak ${row.peakVsBatch.toFixed(2)}× batch`);
    c.dispose?.();
  }
  tf.dispose([x, y]);
  return rows;
}
