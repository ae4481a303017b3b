// A layers model (tfjs-layers, Keras format) as a FeatureModel: its layers, run with
// model.execute, which runs in inference mode and shares the model's weights.
import { type Tensor4D, tidy, zeros } from '@tensorflow/tfjs-core';

import { errorMessage } from '../validation.js';
import { type FeatureModel, type InputScaling, inputChannels } from './feature_model.js';
import type { LayerLike, LayersModelLike } from './model_types.js';

/** The name of a layer's one output tensor, or undefined for a layer with several (or a shared one). */
function outputName(layer: LayerLike): string | undefined {
  try {
    const { output } = layer;
    return Array.isArray(output) ? undefined : (output as { name: string }).name;
  } catch {
    return undefined;
  }
}

/**
 * @param owned - Whether `dispose` releases the model (true where the loader loaded it).
 */
export function layersFeatureModel(model: LayersModelLike, location: string, owned: boolean): FeatureModel {
  if (model.inputs.length !== 1) {
    throw new Error(`The layers model ${location} has ${model.inputs.length} inputs; an attention extractor needs a model with one image input.`);
  }
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer' && outputName(l) !== undefined);
  const tensorOf = new Map(layers.map((l) => [l.name, outputName(l)!]));
  const inputShape = model.inputs[0]!.shape;
  const feature: FeatureModel = {
    format: 'layers-model',
    location,
    what: 'layer',
    inputShape,
    model,
    outputs(inputSize) {
      const input: [number, number, number, number] = [1, inputSize[0], inputSize[1], inputChannels(feature)];
      const shapes = tidy(() => {
        try {
          return feature.run(zeros(input) as Tensor4D, layers.map((l) => l.name)).map((t) => t.shape);
        } catch (e) {
          throw new Error(`The layers model ${location} cannot run on a [${input.join(', ')}] input (its input shape is [${inputShape.map((d) => d ?? 'null').join(', ')}]): ${errorMessage(e)}`, { cause: e });
        }
      });
      return layers.map((l, i) => ({ name: l.name, op: l.getClassName(), shape: shapes[i]! }));
    },
    run(x, names) {
      const out = model.execute(x, names.map((n) => tensorOf.get(n)!));
      return Array.isArray(out) ? out : [out];
    },
    inputScaling: () => layersInputScaling(layers),
    dispose: () => {
      if (owned) model.dispose();
    },
  };
  return feature;
}

/** Keras `Rescaling` layers at the start of the model (`x·scale + offset`), composed; undefined when there are none. */
function layersInputScaling(layers: readonly LayerLike[]): InputScaling | undefined {
  let scale = 1;
  let offset = 0;
  const by: string[] = [];
  for (const layer of layers) {
    if (layer.getClassName() !== 'Rescaling') break;
    const config = layer.getConfig() as { scale?: unknown; offset?: unknown };
    const s = typeof config.scale === 'number' ? config.scale : 1;
    const o = typeof config.offset === 'number' ? config.offset : 0;
    [scale, offset] = [scale * s, offset * s + o];
    by.push(`Rescaling '${layer.name}'`);
  }
  return by.length === 0 ? undefined : { scale, offset, by: by.join(', ') };
}
