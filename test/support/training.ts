// What the gradient tests share: deterministic values, a batch a small CNN can learn, and a few
// SGD steps from fixed weights, so that two runs (two backends, two gradients) can be compared
// step by step.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';

/** Deterministic values in [−1, 1). */
export const values = (size: number, seed: number): number[] => Array.from({ length: size }, (_, i) => (((i * 7919 + seed * 104729) % 2000) - 1000) / 1000);

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Fixed start weights for a model: `rule(value, shape)` of deterministic values, one seed per weight. */
export function startWeights(shapes: readonly number[][], rule: (v: number, shape: readonly number[]) => number): number[][] {
  return shapes.map((shape, i) => values(sizeOf(shape), 10 + i).map((v) => rule(v, shape)));
}

/** Images `[B, side, side, 3]` whose class shows as a colour (red, green, blue, then grey) under noise, and their one-hot labels. */
function colourBatch(classes: readonly number[], side: number, numClasses: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const colours = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5]];
  const pixels = side * side * 3;
  const noise = values(classes.length * pixels, 5);
  const xs = tf.tensor4d(noise.map((v, i) => 0.3 * v + colours[classes[Math.floor(i / pixels)]!]![i % 3]!), [classes.length, side, side, 3]);
  return { xs, ys: tf.oneHot(classes as number[], numClasses) as tf.Tensor2D };
}

/**
 * Trains `model` (input `[side, side, 3]`, `numClasses` softmax outputs) with SGD from `start`
 * on one colour batch for `steps` steps on the current backend: the losses and the final
 * weights. Disposes the model and all it made.
 */
export async function trainSteps(model: tfl.LayersModel, start: number[][], { steps, learningRate, classes, numClasses }: { steps: number; learningRate: number; classes: number[]; numClasses: number }): Promise<{ losses: number[]; weights: number[][] }> {
  const given = start.map((w, i) => tf.tensor(w, model.getWeights()[i]!.shape));
  model.setWeights(given);
  tf.dispose(given);
  const optimizer = tf.train.sgd(learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const { xs, ys } = colourBatch(classes, model.inputs[0]!.shape[1]!, numClasses);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) losses.push((await model.trainOnBatch(xs, ys)) as number);
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  tf.dispose([xs, ys]);
  model.dispose();
  optimizer.dispose(); // given to compile, so not the model's to dispose
  return { losses, weights };
}

/** The weight shapes of a model, made and disposed. */
export function weightShapes(makeModel: () => tfl.LayersModel): number[][] {
  const model = makeModel();
  const shapes = model.getWeights().map((w) => w.shape);
  model.dispose();
  return shapes;
}

/** Expects every value within `tolerance` of the reference, relative to the reference's largest magnitude (at least 1). */
export function expectCloseTo(actual: readonly number[], expected: readonly number[], tolerance: number, what: string): void {
  expect(actual, what).toHaveLength(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  const worst = Math.max(0, ...expected.map((v, i) => Math.abs(actual[i]! - v) / scale));
  expect(worst, what).toBeLessThan(tolerance);
}
