// The training-step rows of the benchmark: what one `trainOnBatch` of the small CNN costs on a
// backend, with the gradients of attentive-cutmix/training where they apply, and with a batch
// mixed by cutMix first (what mixing adds to a step).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { cutMix } from '../src/index.js';
import { registerFastBatchNormGradient, registerWasmConvGradients } from '../src/training.js';
import { type BenchRow, smallCnn } from './core.js';

/** A row of the benchmark's table, its times per training step (`await model.trainOnBatch`). */
export type TrainingRow = Pick<BenchRow, 'backend' | 'shape' | 'name' | 'medianMs' | 'q1Ms' | 'q3Ms' | 'imagesPerSecond'>;

interface TrainingCase {
  name: string;
  batchNorm: boolean;
  /** tfjs-core's own gradient of batch normalisation, or attentive-cutmix/training's. */
  fastBatchNorm: boolean;
  mix: boolean;
}

const CASES: TrainingCase[] = [
  { name: 'training step, small CNN (12-24-48 filters)', batchNorm: false, fastBatchNorm: false, mix: false },
  { name: 'training step, small CNN, batch mixed by cutMix first', batchNorm: false, fastBatchNorm: false, mix: true },
  { name: "training step, small CNN with batch norm, tfjs' BN gradient", batchNorm: true, fastBatchNorm: false, mix: false },
  { name: 'training step, small CNN with batch norm, registerFastBatchNormGradient', batchNorm: true, fastBatchNorm: true, mix: false },
];

/** The names of the training cases, for --cases. */
export const TRAINING_CASE_NAMES = CASES.map((c) => c.name);

/**
 * Times a training step of the small CNN on the current backend for each case whose name
 * `chosen` accepts; on wasm with registerWasmConvGradients (without it a conv net cannot train
 * there). The cases take turns, step by step, so that a machine's changing load falls on all of
 * them alike. Leaves tfjs-core's own batch-norm gradient registered, as it found it.
 */
export async function benchTraining(shape: [number, number, number, number], runs: number, chosen: (name: string) => boolean, log: (line: string) => void): Promise<TrainingRow[]> {
  const backend = tf.getBackend();
  if (backend === 'wasm') registerWasmConvGradients();
  const tfjsBatchNorm = tf.getGradient('FusedBatchNorm');
  registerFastBatchNormGradient();
  const fastBatchNorm = tf.getGradient('FusedBatchNorm');
  const x = tf.randomUniform(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
  const classes = tf.tensor1d(Array.from({ length: shape[0] }, (_, i) => i % 10), 'int32');
  const y = tf.oneHot(classes, 10);
  const cases = CASES.filter((c) => chosen(c.name)).map((c) => {
    const model = smallCnn(shape[1], { batchNorm: c.batchNorm });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    return { ...c, model, times: [] as number[] };
  });
  try {
    for (let i = 0; i < runs + 1; i++) {
      for (const c of cases) {
        tf.registerGradient(c.fastBatchNorm ? fastBatchNorm : tfjsBatchNorm);
        const ms = await timeStep(c.model, c.mix ? () => cutMix(x, classes, { numClasses: 10, seed: i, mode: 'elem' }) : undefined, x, y);
        if (i >= 1) c.times.push(ms); // one warm-up step, which makes the optimizer's state
      }
    }
  } finally {
    tf.registerGradient(tfjsBatchNorm);
    for (const c of cases) c.model.dispose();
    tf.dispose([x, classes, y]);
  }
  return cases.map(({ name, times }) => {
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!;
    log(`${backend} [${shape.join(',')}] ${name}: ${q(0.5).toFixed(1)} ms`);
    return { backend, shape, name, medianMs: q(0.5), q1Ms: q(0.25), q3Ms: q(0.75), imagesPerSecond: (shape[0] * 1000) / q(0.5) };
  });
}

/** ms of one training step, mixing the batch first where `mix` is given. */
async function timeStep(model: tfl.LayersModel, mix: (() => { images: tf.Tensor; labels: tf.Tensor }) | undefined, x: tf.Tensor, y: tf.Tensor): Promise<number> {
  const start = performance.now();
  const mixed = mix?.();
  await model.trainOnBatch(mixed?.images ?? x, mixed?.labels ?? y);
  const ms = performance.now() - start;
  tf.dispose(mixed);
  return ms;
}
