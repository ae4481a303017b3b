// Checks on the files of a converted graph model: a bad file is a clear error naming it, never
// a crash deep inside tfjs, and no weight path may leave the model's folder.
import type { io } from '@tensorflow/tfjs-core';

/** What a model reader provides: the parsed model.json, and a way to read its weight files. */
export interface ModelFiles {
  /** The location of model.json, for messages. */
  readonly location: string;
  /** model.json, parsed. */
  readonly json: unknown;
  /** Reads the weight file at a manifest path (checked with {@link assertSafeWeightPath}). */
  readWeights(path: string): Promise<ArrayBuffer>;
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Parses model.json text, naming the file when it is not JSON. */
export function parseJson(location: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`The model file ${location} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Rejects weight paths that could leave the model's folder: absolute paths, URLs, `..` segments
 * (in either slash direction), and empty paths.
 */
export function assertSafeWeightPath(location: string, path: unknown): asserts path is string {
  const safe =
    typeof path === 'string' &&
    path.length > 0 &&
    !/^[a-z][a-z0-9+.-]*:/i.test(path) &&
    !path.startsWith('/') &&
    !path.startsWith('\\') &&
    !path.split(/[\\/]/).some((segment) => segment === '..' || segment.toLowerCase() === '%2e%2e');
  if (!safe) {
    throw new Error(`The weight path ${JSON.stringify(path)} in ${location} is not a relative path inside the model's folder (absolute paths, URLs and '..' are refused).`);
  }
}

/** Checks that parsed model.json is a graph model with a well-formed weights manifest. */
export function assertGraphModelJson(location: string, json: unknown): io.ModelJSON {
  const model = json as Partial<io.ModelJSON> | null;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw new Error(`The model file ${location} is not a TensorFlow.js model: expected a JSON object with modelTopology and weightsManifest.`);
  }
  if (model.format !== undefined && model.format !== 'graph-model') {
    throw new Error(`The model file ${location} is a '${model.format}', not a 'graph-model': convert the model with tensorflowjs_converter --output_format=tfjs_graph_model, or wrap a tf.LayersModel in your own AttentionExtractor.`);
  }
  const topology = model.modelTopology as { node?: unknown } | undefined;
  if (typeof topology !== 'object' || topology === null || !Array.isArray(topology.node)) {
    throw new Error(`The model file ${location} is not a graph model: modelTopology.node (the list of graph nodes) is missing.`);
  }
  const manifest = model.weightsManifest as unknown;
  const validManifest =
    Array.isArray(manifest) &&
    manifest.every((g: { paths?: unknown; weights?: unknown }) => Array.isArray(g?.paths) && Array.isArray(g?.weights));
  if (!validManifest) {
    throw new Error(`The model file ${location} has no valid weightsManifest: expected a list of { paths, weights } groups.`);
  }
  return model as io.ModelJSON;
}

/** Checks that the weight files of a group hold at least the bytes their manifest entries need. */
export function assertWeightBytes(location: string, paths: readonly string[], specs: readonly io.WeightsManifestEntry[], available: number): void {
  let needed = 0;
  for (const spec of specs) {
    if (spec.dtype === 'string') return; // variable length: tfjs checks these itself
    const dtype = spec.quantization?.dtype ?? spec.dtype;
    const size = BYTES_PER_ELEMENT[dtype];
    if (size === undefined || !Array.isArray(spec.shape)) {
      throw new Error(`The weight '${spec.name}' in ${location} has an unsupported dtype '${dtype}' or no shape.`);
    }
    needed += size * spec.shape.reduce((a, b) => a * b, 1);
  }
  if (available < needed) {
    const files = paths.map((p) => `'${p}'`).join(', ');
    throw new Error(`The weight file${paths.length > 1 ? 's' : ''} ${files} of ${location} hold${paths.length > 1 ? '' : 's'} ${available} bytes, but the weights manifest needs ${needed}: the file is truncated or belongs to another model.`);
  }
}
