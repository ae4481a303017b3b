// A FeatureModel run on a batch as the model-based extractors run it: the batch brought to the
// model's input (preprocess.ts), then the model up to one output.
import type { Tensor4D } from '@tensorflow/tfjs-core';

import { errorMessage } from '../validation.js';
import { type FeatureModel, inputChannels } from '../models/feature_model.js';
import { type Scaling, preprocess } from './preprocess.js';

/**
 * Runs the model on the batch, resized to `inputSize` and scaled (as {@link preprocess} does), to
 * the output `name`; a failure names the model's input shape and the batch's. Call inside a `tidy`.
 */
export function runModel(model: FeatureModel, images: Tensor4D, inputSize: readonly [number, number], scaling: Scaling | undefined, name: string): Tensor4D {
  const channels = inputChannels(model);
  const shape = `[${model.inputShape.map((d) => d ?? 'null').join(', ')}]`;
  if (images.shape[3] !== channels) {
    throw new Error(`The model ${model.location} takes images with ${channels} channels (its input shape is ${shape}), but the batch is [${images.shape.join(', ')}].`);
  }
  const x = preprocess(images, inputSize, scaling);
  try {
    return model.run(x, [name])[0] as Tensor4D;
  } catch (e) {
    throw new Error(`The model ${model.location} (input shape ${shape}) failed on the batch [${images.shape.join(', ')}] resized to ${inputSize.join('×')}: ${errorMessage(e)}`, { cause: e });
  }
}
