// From whatever the user has (files, an IOHandler, a GraphModel, a LayersModel) to a FeatureModel.
import { type GraphModel, loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { type NamedTensorMap, dispose, engine, io, tidy } from '@tensorflow/tfjs-core';

import { argumentError, describe, errorMessage, isMissingPackage } from '../validation.js';
import type { FeatureModel } from './feature_model.js';
import { type AnyGraphModel, type GraphNodeDef, graphFeatureModel } from './graph_features.js';
import { type LayersModelLike, isLayersModel, layersFeatureModel } from './layers_features.js';
import { type LoadedArtifacts, type ModelSource, loadModelArtifacts } from './model_files.js';

/**
 * What a model-based extractor can be made from: a converted model's files (a path or URL of
 * its model.json, or a `tf.io.IOHandler`), a `GraphModel` you loaded, or a `tf.LayersModel`.
 * @public
 */
export type ExtractorSource = ModelSource | AnyGraphModel | LayersModelLike;

/** Opens `source` as a FeatureModel, loading it where it is files. */
export async function openFeatureModel(op: string, source: ExtractorSource): Promise<FeatureModel> {
  if (isLayersModel(source)) return layersFeatureModel(source, `'${source.name}' (the LayersModel passed as source)`, false);
  if (isGraphModel(source)) {
    const location = 'the GraphModel passed as source';
    return graphFeatureModel(source, await graphNodesOf(location, source), location, false);
  }
  const isHandler = typeof source === 'object' && source !== null && typeof (source as io.IOHandler).load === 'function';
  if (!(typeof source === 'string' && source.length > 0) && !isHandler) {
    throw argumentError(op, 'source', 'a model.json URL or path, a tf.io.IOHandler, a GraphModel or a tf.LayersModel', describe(source));
  }
  const loaded = await loadModelArtifacts(source);
  return loaded.format === 'graph-model' ? openGraph(loaded) : openLayers(loaded);
}

function isGraphModel(value: unknown): value is AnyGraphModel {
  const m = value as Partial<AnyGraphModel> | null;
  return typeof m === 'object' && m !== null && typeof m.execute === 'function' && Array.isArray(m.inputNodes) && typeof m.save === 'function';
}

function openGraph({ artifacts, location }: LoadedArtifacts): FeatureModel {
  let model: GraphModel<io.IOHandlerSync>;
  try {
    model = loadGraphModelSync(artifacts);
  } catch (e) {
    throw new Error(`The graph model ${location} could not be built by tfjs-converter: ${errorMessage(e)}`, { cause: e });
  }
  return graphFeatureModel(model, (artifacts.modelTopology as { node: GraphNodeDef[] }).node, location, true);
}

/** The graph of a GraphModel the user loaded, read through its public `save`. */
async function graphNodesOf(location: string, model: AnyGraphModel): Promise<GraphNodeDef[]> {
  let topology: unknown;
  try {
    await model.save(
      io.withSaveHandler(async (artifacts) => {
        topology = artifacts.modelTopology;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  } catch (e) {
    throw new Error(`Cannot read the graph of ${location}: ${errorMessage(e)}`, { cause: e });
  }
  const nodes = (topology as { node?: unknown } | undefined)?.node;
  if (!Array.isArray(nodes)) throw new Error(`Cannot read the graph of ${location}: it holds no graph nodes.`);
  return nodes as GraphNodeDef[];
}

interface LayersModule {
  loadLayersModel(handler: io.IOHandler): Promise<LayersModelLike & { loadWeights(weights: NamedTensorMap, strict?: boolean): void }>;
}

/**
 * Builds the layers, then sets their weights: in two steps, so that whatever fails leaves
 * nothing behind. (tfjs-layers given the weights too would leave their tensors, and the layers'
 * variables, behind when they do not fit the layers.)
 */
async function openLayers({ artifacts, location }: LoadedArtifacts): Promise<FeatureModel> {
  const tfl = await importLayers(location);
  const failed = (e: unknown) => new Error(`The layers model ${location} could not be built by tfjs-layers: ${errorMessage(e)}`, { cause: e });
  const before = new Set(Object.keys(engine().registeredVariables));
  let model: Awaited<ReturnType<LayersModule['loadLayersModel']>>;
  try {
    model = await tfl.loadLayersModel({ load: async () => ({ modelTopology: artifacts.modelTopology }) });
  } catch (e) {
    // Layers built before the one that failed keep their variables: release them.
    for (const [name, variable] of Object.entries(engine().registeredVariables)) if (!before.has(name)) variable.dispose();
    throw failed(e);
  }
  try {
    const specs = (artifacts.weightSpecs ?? []).filter((spec) => spec.group !== 'optimizer');
    const weights = tidy(() => io.decodeWeights(artifacts.weightData ?? new ArrayBuffer(0), specs));
    try {
      model.loadWeights(weights, true);
    } finally {
      dispose(Object.values(weights));
    }
    return layersFeatureModel(model, location, true);
  } catch (e) {
    model.dispose();
    throw failed(e);
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
