// A model as the model-based extractors see it, whatever its format: the outputs that can give a
// feature map, a way to run up to them, and what the model does to its input by itself.
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';

import { argumentError } from '../validation.js';
import { type ModelOutput, findOutput, listed, shortName } from './feature_names.js';
import type { AnyGraphModel, LayersModelLike, ModelFormat } from './model_types.js';

/** The affine map `scale·x + offset` a model applies to its input before its first other op (means over channels). */
export interface InputScaling {
  readonly scale: number;
  readonly offset: number;
  /** The ops or layers that do it, for messages: `'Mul, Sub'`. */
  readonly by: string;
}

export interface FeatureModel {
  readonly format: ModelFormat;
  /** Where the model came from, for messages. */
  readonly location: string;
  /** `'node'` for a graph model, `'layer'` for a layers model. */
  readonly what: 'node' | 'layer';
  /** The declared input shape `[B, H, W, C]`, unknown sizes as −1 or null. */
  readonly inputShape: readonly (number | null)[];
  /** The model object itself (the user's, or the one loaded). */
  readonly model: AnyGraphModel | LayersModelLike;
  /** Every output that depends on the input, in order, with its shape for one blank image of `inputSize`. */
  outputs(inputSize: readonly [number, number]): ModelOutput[];
  /** Runs the model in inference mode and returns the named outputs. */
  run(x: Tensor4D, names: readonly string[]): Tensor[];
  /** The scaling the model applies to its input itself, or undefined when it applies none. */
  inputScaling(): InputScaling | undefined;
  /** Releases the model, where the loader loaded it (a model the user passed stays theirs). */
  dispose(): void;
}

/** True for an output `[1, h, w, C]` with h, w > 1: a spatial map. */
export function isSpatial(output: ModelOutput): boolean {
  const { shape } = output;
  return shape.length === 4 && shape[0] === 1 && shape[1]! > 1 && shape[2]! > 1;
}

/** The number of channels the model takes (3 when its input shape does not say). */
export function inputChannels(model: FeatureModel): number {
  const c = model.inputShape[3];
  return typeof c === 'number' && c > 0 ? c : 3;
}

/** The model's fixed input size `[H, W]`, or undefined when it takes any size. */
export function fixedInputSize(model: FeatureModel): [number, number] | undefined {
  const [, h, w] = model.inputShape;
  return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? [h, w] : undefined;
}

/** The input size to run the model at: as given, which must be the model's where it fixes one. */
export function modelInputSize(op: string, model: FeatureModel, given: readonly [number, number] | undefined): [number, number] {
  const fixed = fixedInputSize(model);
  const shape = `[${model.inputShape.map((d) => d ?? 'null').join(', ')}]`;
  // The model runs once on a blank image of this size to find its feature maps: a size from an
  // untrusted model.json must not allocate gigabytes. No image classifier takes more.
  const size = given ?? fixed;
  if (size && Math.max(...size) > MAX_INPUT_SIDE) {
    throw argumentError(op, 'options.inputSize', `at most ${MAX_INPUT_SIDE} pixels a side (the input shape of ${model.location} is ${shape})`, `[${size.join(', ')}]`);
  }
  if (given === undefined) {
    if (fixed) return fixed;
    throw argumentError(op, 'options.inputSize', `given: the input shape of ${model.location} is ${shape}, with no fixed size`, 'undefined');
  }
  if (fixed && (fixed[0] !== given[0] || fixed[1] !== given[1])) {
    throw argumentError(op, 'options.inputSize', `the input size of ${model.location}, [${fixed.join(', ')}] (its input shape is ${shape}), or left out`, `[${given.join(', ')}]`);
  }
  return [given[0], given[1]];
}

/** The largest input side an extractor runs a model at. */
const MAX_INPUT_SIDE = 4096;

/** The output the feature map is taken from, of the model's `outputs` at `inputSize`: named (exactly, or by its end) or the last spatial one. */
export function featureOutput(op: string, model: FeatureModel, outputs: readonly ModelOutput[], inputSize: readonly [number, number], name: string | undefined, arg = 'options.featureNode'): ModelOutput {
  const spatial = outputs.filter(isSpatial);
  const last = spatial.at(-1);
  if (name === undefined) {
    if (last) return last;
    throw new Error(`The model ${model.location} has no ${model.what} with a spatial output [B, h, w, C] (h, w > 1) for ${inputSize.join('×')} inputs, so it cannot give attention maps.`);
  }
  const found = findOutput(op, arg, name, outputs, model.what, model.location);
  if (!isSpatial(found)) {
    const hint = last ? `; the last spatial ${model.what} is ${listed([last], outputs.map((o) => o.name))}` : '';
    throw argumentError(op, arg, `a ${model.what} whose output is a spatial map [B, h, w, C] (h, w > 1)`, `'${shortName(found.name, outputs.map((o) => o.name))}', whose output is [${found.shape.join(', ')}] for one ${inputSize.join('×')} image${hint}`);
  }
  return found;
}
