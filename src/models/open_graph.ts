// Opening a graph model (tfjs-converter): built from checked artifacts, or read back from a
// GraphModel the user loaded, through its public `save`.
import { type GraphModel, loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { io, keep, tidy } from '@tensorflow/tfjs-core';

import { errorMessage } from '../validation.js';
import type { FeatureModel } from './feature_model.js';
import { graphFeatureModel } from './graph_features.js';
import type { GraphNode } from './graph_topology.js';
import type { LoadedArtifacts } from './model_artifacts.js';
import type { AnyGraphModel } from './model_types.js';

/** Builds the graph model of checked artifacts, as a FeatureModel that owns it. */
export function openGraph({ artifacts, location }: LoadedArtifacts): FeatureModel {
  let model: GraphModel<io.IOHandlerSync>;
  try {
    // In a tidy that keeps only the model's weights: a build that fails leaves none behind.
    let built: GraphModel<io.IOHandlerSync> | undefined;
    tidy(() => {
      built = loadGraphModelSync(artifacts);
      for (const tensors of Object.values(built.weights)) tensors.forEach((t) => keep(t));
    });
    model = built!;
  } catch (e) {
    throw new Error(`The graph model ${location} could not be built by tfjs-converter: ${errorMessage(e)}`, { cause: e });
  }
  return graphFeatureModel(model, (artifacts.modelTopology as { node: GraphNode[] }).node, location, true);
}

/** A GraphModel the user loaded, as a FeatureModel that leaves it to them; its graph is read back through its public `save`. */
export async function openUserGraph(model: AnyGraphModel): Promise<FeatureModel> {
  const location = 'the GraphModel passed as source';
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
  return graphFeatureModel(model, nodes as GraphNode[], location, false);
}
