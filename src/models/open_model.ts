// Model loading: one pipeline from whatever the user has to a FeatureModel (feature_model.ts), a
// model whose outputs can be listed and run up to, whatever its format.
//
//   a path, URL or IOHandler of a converted model
//     → its files read (node_files.ts, http_files.ts, within load_limits.ts) and checked
//       (model_json_checks.ts, graph_topology.ts, weight_bytes.ts): model_artifacts.ts
//     → opened as a graph model (open_graph.ts) or a layers model (open_layers.ts)
//   a GraphModel or a tf.LayersModel, as it is
//     → a FeatureModel of its nodes (graph_features.ts) or its layers (layers_features.ts)
//
// The extractors (src/attention/) take it from there: which output, and the batch brought to it.
import type { io } from '@tensorflow/tfjs-core';

import { argumentError, describe } from '../validation.js';
import type { FeatureModel } from './feature_model.js';
import { layersFeatureModel } from './layers_features.js';
import type { LoadLimits } from './load_limits.js';
import { type ModelSource, loadModelArtifacts } from './model_artifacts.js';
import { type AnyGraphModel, type LayersModelLike, isGraphModel, isLayersModel } from './model_types.js';
import { openGraph, openUserGraph } from './open_graph.js';
import { openLayers } from './open_layers.js';

/**
 * What a model-based extractor can be made from: a converted model's files (a path or URL of
 * its model.json, or a `tf.io.IOHandler`), a `GraphModel` you loaded, or a `tf.LayersModel`.
 * @public
 */
export type ExtractorSource = ModelSource | AnyGraphModel | LayersModelLike;

/** Opens `source` as a FeatureModel, loading it where it is files, within `limits`. */
export async function openFeatureModel(op: string, source: ExtractorSource, limits: LoadLimits): Promise<FeatureModel> {
  if (isLayersModel(source)) return layersFeatureModel(source, `'${source.name}' (the LayersModel passed as source)`, false);
  if (isGraphModel(source)) return openUserGraph(source);
  const isHandler = typeof source === 'object' && source !== null && typeof (source as io.IOHandler).load === 'function';
  if (!(typeof source === 'string' && source.length > 0) && !isHandler) {
    throw argumentError(op, 'source', 'a model.json URL or path, a tf.io.IOHandler, a GraphModel or a tf.LayersModel', describe(source));
  }
  const loaded = await loadModelArtifacts(source, limits);
  return loaded.format === 'graph-model' ? openGraph(loaded) : openLayers(loaded);
}
