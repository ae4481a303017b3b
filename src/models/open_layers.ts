// Opening a layers model (Keras format) from checked artifacts with tfjs-layers, an optional peer
// dependency imported only here, so that nothing the topology declares is made unchecked and a
// failed build leaves nothing behind.
import { type NamedTensorMap, dispose, engine, io, tidy } from '@tensorflow/tfjs-core';

import { errorMessage, isMissingPackage } from '../validation.js';
import type { FeatureModel } from './feature_model.js';
import { layersFeatureModel } from './layers_features.js';
import type { LoadedArtifacts } from './model_artifacts.js';
import { type LayersModelLike, isLayersModel } from './model_types.js';

type LoadedLayersModel = LayersModelLike & { loadWeights(weights: NamedTensorMap, strict?: boolean): void };

/** The parts of tfjs-layers the loader uses (the topology typed `never`: its Keras JSON types are tfjs-layers' own). */
interface LayersModule {
  models: { modelFromJSON(config: { modelTopology: never }): Promise<LoadedLayersModel> };
  layers: { Layer: { prototype: object } };
}

/** `Layer.addWeight`, protected in tfjs-layers' types: every layer makes its weights through it. */
type AddWeight = (this: { name: string }, name: string, shape: number[], ...rest: never[]) => unknown;

const notBuilt = (location: string, e: unknown) => new Error(`The layers model ${location} could not be built by tfjs-layers: ${errorMessage(e)}`, { cause: e });

/**
 * Builds the layers, then sets their weights: in two steps, so that whatever fails leaves
 * nothing behind. (tfjs-layers given the weights too would leave their tensors, and the layers'
 * variables, behind when they do not fit the layers.)
 */
export async function openLayers({ artifacts, location }: LoadedArtifacts): Promise<FeatureModel> {
  const tfl = await importLayers(location);
  const specs = (artifacts.weightSpecs ?? []).filter((spec) => spec.group !== 'optimizer');
  const elements = specs.reduce((n, spec) => n + spec.shape.reduce((a, d) => a * d, 1), 0);
  const model = await buildLayers(tfl, artifacts.modelTopology, location, elements);
  try {
    const weights = tidy(() => io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), specs));
    try {
      model.loadWeights(weights, true);
    } finally {
      dispose(Object.values(weights));
    }
    return layersFeatureModel(model, location, true);
  } catch (e) {
    model.dispose();
    throw notBuilt(location, e);
  }
}

/**
 * The layers of `topology`, built by tfjs-layers, which makes and initialises every weight the
 * topology declares before any is compared with the manifest: so that no size in model.json is
 * allocated unchecked, a weight is refused before it is made once the layers would hold more
 * elements than the manifest declares (whose bytes the files were checked to hold). A failed
 * build leaves nothing behind: the variables of the layers built before it are released, and so
 * are tensors tfjs-layers made and lost (an initial value whose variable it then refused).
 * modelFromJSON builds the layers before its first await, so the guard, the tidy and the
 * variables counted are this build's alone.
 */
async function buildLayers(tfl: LayersModule, topology: unknown, location: string, budget: number): Promise<LoadedLayersModel> {
  const prototype = tfl.layers.Layer.prototype as { addWeight: AddWeight };
  const addWeight = prototype.addWeight;
  let left = budget;
  let refused: Error | undefined;
  prototype.addWeight = function (name, shape, ...rest) {
    const elements = shape.reduce((n, d) => n * d, 1);
    if (!(elements <= left)) {
      refused = new Error(
        `The layers model ${location} declares a weight larger than its weights manifest allows: '${this.name}/${name}' [${shape.join(', ')}] (${elements} elements), with ${left} of the manifest's ${budget} elements left; the topology belongs to another model, or model.json was altered.`,
      );
      throw refused;
    }
    left -= elements;
    return addWeight.call(this, name, shape, ...rest);
  };
  const before = new Set(Object.keys(engine().registeredVariables));
  let built!: Promise<LoadedLayersModel>;
  try {
    tidy(() => void (built = tfl.models.modelFromJSON({ modelTopology: topology as never })));
  } finally {
    prototype.addWeight = addWeight;
  }
  const made = Object.entries(engine().registeredVariables).filter(([name]) => !before.has(name));
  try {
    const model: unknown = await built;
    // A Keras config of a single layer or activation builds that, not a model.
    if (!isLayersModel(model) || typeof (model as Partial<LoadedLayersModel>).loadWeights !== 'function') {
      const kind = (model as { getClassName?: () => string } | null)?.getClassName?.() ?? typeof model;
      throw new Error(`its modelTopology describes a '${kind}', not a model (a Sequential or a functional Model)`);
    }
    return model as LoadedLayersModel;
  } catch (e) {
    for (const [, variable] of made) variable.dispose();
    throw refused ?? notBuilt(location, e);
  }
}

/** tfjs-layers, an optional peer dependency: imported only for a layers model's files. */
async function importLayers(location: string): Promise<LayersModule> {
  try {
    const tfl: LayersModule = await import('@tensorflow/tfjs-layers');
    return tfl;
  } catch (e) {
    const why = isMissingPackage(e, '@tensorflow/tfjs-layers') ? 'which is not installed' : `which could not be imported (${errorMessage(e)})`;
    throw new Error(
      `${location} is a layers model (Keras format); loading it needs @tensorflow/tfjs-layers, an optional peer dependency of attentive-cutmix, ${why}: npm install @tensorflow/tfjs-layers (it comes with @tensorflow/tfjs), or load the model yourself and pass the tf.LayersModel.`,
      { cause: e },
    );
  }
}
