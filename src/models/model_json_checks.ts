// Checks on model.json of a converted model (graph or layers) before anything it declares is used:
// a bad file is a clear error naming it, never a crash deep inside tfjs; no weight path may leave
// the model's folder; every weight's size can be computed exactly (and is held against the real
// files by weight_bytes.ts).
import type { io } from '@tensorflow/tfjs-core';

import { errorMessage } from '../validation.js';
import { type GraphNode, assertGraphTopology } from './graph_topology.js';
import type { ModelFormat } from './model_types.js';
import { BYTES_PER_ELEMENT, QUANTIZED_BYTES, elementCount } from './weight_bytes.js';

/** Parses model.json text, naming the file when it is not JSON. */
export function parseJson(location: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`The model file ${location} is not valid JSON: ${errorMessage(e)}`, { cause: e });
  }
}


/** A value from model.json, short enough for a message. */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Rejects weight paths that could leave the model's folder: absolute paths, URLs, `..` segments
 * in either slash direction and in percent-encoded spellings (`%2e%2e`, `.%2e`, `%2e.`), encoded
 * slashes (`%2f`, `%5c`), NUL characters, and empty paths.
 */
export function assertSafeWeightPath(location: string, path: unknown): asserts path is string {
  const safe =
    typeof path === 'string' &&
    path.length > 0 &&
    !path.includes('\0') &&
    !/%(2f|5c|00)/i.test(path) &&
    !/^[a-z][a-z0-9+.-]*:/i.test(path) &&
    !path.startsWith('/') &&
    !path.startsWith('\\') &&
    !path.split(/[\\/]/).some((segment) => segment.replace(/%2e/gi, '.') === '..');
  if (!safe) {
    throw new Error(`The weight path ${show(path)} in ${location} is not a relative path inside the model's folder (absolute paths, URLs and '..' are refused).`);
  }
}

/**
 * Checks that parsed model.json is a TensorFlow.js model, a graph model or a layers model
 * (recognised from its `format`, or from its topology where an older Keras export has none),
 * whose topology and weights manifest are well formed: every weight path safe, every weight
 * entry with a name, a known dtype and a shape of non-negative integers whose byte size can be
 * computed exactly. Nothing is read or allocated.
 */
export function assertModelJson(location: string, json: unknown): { model: io.ModelJSON; format: ModelFormat } {
  const model = json as Partial<io.ModelJSON> | null;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw new Error(`The model file ${location} is not a TensorFlow.js model: expected a JSON object with modelTopology and weightsManifest.`);
  }
  const format = modelFormat(location, model);
  if (format === 'graph-model') assertGraphNodes(location, model.modelTopology);
  else assertLayersTopology(location, model.modelTopology);
  const manifest = model.weightsManifest as unknown;
  const validManifest =
    Array.isArray(manifest) &&
    manifest.every((g: unknown) => isObject(g) && Array.isArray((g as { paths?: unknown }).paths) && Array.isArray((g as { weights?: unknown }).weights));
  if (!validManifest) {
    throw new Error(`The model file ${location} has no valid weightsManifest: expected a list of { paths, weights } groups.`);
  }
  manifest.forEach((group: io.WeightsManifestConfig[number], g) => {
    for (const path of group.paths) assertSafeWeightPath(location, path);
    assertWeightSpecs(location, group.weights, `group ${g} of the weightsManifest`);
  });
  return { model: model as io.ModelJSON, format };
}

/** The model's format: as model.json says, or (when it does not) as its topology shows. */
function modelFormat(location: string, model: Partial<io.ModelJSON>): ModelFormat {
  const { format, modelTopology: topology } = model;
  if (format === 'graph-model' || format === 'layers-model') return format;
  if (format !== undefined) {
    throw new Error(`The model file ${location} is a ${typeof format === 'string' ? `'${format.slice(0, 80)}'` : show(format)}, not a 'graph-model' or 'layers-model': convert the model with tensorflowjs_converter.`);
  }
  if (topology instanceof ArrayBuffer) {
    throw new Error(`The model file ${location} is not a model this loader reads: its modelTopology is a binary GraphDef (an early converter's format); convert the model again with a current tensorflowjs_converter.`);
  }
  if (isObject(topology) && 'node' in topology) return 'graph-model';
  if (isObject(topology) && ('model_config' in topology || 'class_name' in topology)) return 'layers-model';
  throw new Error(`The model file ${location} is not a TensorFlow.js model: its modelTopology has neither graph nodes (node, as in a graph model) nor a Keras model config (model_config or class_name, as in a layers model).`);
}

/** A Keras model config: `{ class_name, config }`, at the top of the topology or under `model_config`. */
function assertLayersTopology(location: string, topology: unknown): void {
  const config = isObject(topology) && 'model_config' in topology ? (topology as { model_config: unknown }).model_config : topology;
  const { class_name: className, config: inner } = (isObject(config) ? config : {}) as { class_name?: unknown; config?: unknown };
  if (typeof className !== 'string' || className.length === 0 || !isObject(inner)) {
    throw new Error(`The model file ${location} is not a layers model: its modelTopology holds no Keras model config { class_name, config } (got ${show(config)}).`);
  }
}

/**
 * The most graph nodes a model may have. Listing a graph's feature nodes runs it once and holds
 * every node's output, a few kilobytes a node even for the smallest: this bounds what a
 * model.json under the size cap can make the loader hold (a graph of hundreds of thousands of
 * nodes grew memory by over a gigabyte).
 */
const MAX_GRAPH_NODES = 50_000;

/**
 * The graph's nodes must be objects with a string name and op, and inputs given as strings, and
 * form a graph (see {@link assertGraphTopology}).
 */
function assertGraphNodes(location: string, topology: unknown): void {
  const nodes = isObject(topology) ? (topology as { node?: unknown }).node : undefined;
  if (!Array.isArray(nodes)) {
    throw new Error(`The model file ${location} is not a graph model: modelTopology.node (the list of graph nodes) is missing.`);
  }
  if (nodes.length > MAX_GRAPH_NODES) {
    throw new Error(
      `The graph of ${location} has ${nodes.length} nodes, more than the ${MAX_GRAPH_NODES} this loader reads (image classifiers have hundreds to a few thousand): it is not a feature extractor's graph, or model.json was altered.`,
    );
  }
  nodes.forEach((node: unknown, i) => {
    const { name, op, input } = (isObject(node) ? node : {}) as { name?: unknown; op?: unknown; input?: unknown };
    const valid =
      isObject(node) &&
      typeof name === 'string' &&
      name.length > 0 &&
      typeof op === 'string' &&
      op.length > 0 &&
      (input === undefined || (Array.isArray(input) && input.every((s) => typeof s === 'string')));
    if (!valid) {
      throw new Error(`The model file ${location} has a malformed graph node at modelTopology.node[${i}]: expected { name, op, input? } with strings, but got ${show(node)}.`);
    }
  });
  assertGraphTopology(location, nodes as GraphNode[]);
}

/**
 * Checks the weight entries of a manifest group (or an IOHandler's weightSpecs): names, dtypes,
 * quantization and shapes, so that their byte sizes can be computed exactly.
 */
export function assertWeightSpecs(location: string, specs: unknown, where: string): asserts specs is io.WeightsManifestEntry[] {
  if (!Array.isArray(specs)) throw new Error(`The weights of ${where} in ${location} are not a list, but ${show(specs)}.`);
  specs.forEach((spec: unknown, i) => {
    const at = `weight ${i} of ${where} in ${location}`;
    if (!isObject(spec)) throw new Error(`The ${at} is not a { name, shape, dtype } entry, but ${show(spec)}.`);
    const { name, dtype, shape, quantization } = spec as { name?: unknown; dtype?: unknown; shape?: unknown; quantization?: unknown };
    if (typeof name !== 'string' || name.length === 0) throw new Error(`The ${at} has no name (a non-empty string), but ${show(name)}.`);
    const what = `The weight '${name}' in ${location}`;
    if (typeof dtype !== 'string' || BYTES_PER_ELEMENT[dtype] === undefined) {
      throw new Error(`${what} has an unsupported dtype ${show(dtype)}: expected one of ${Object.keys(BYTES_PER_ELEMENT).join(', ')}.`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${what} has an invalid shape ${show(shape)}: expected a list of non-negative integers.`);
    }
    if (quantization !== undefined) assertQuantization(what, dtype, quantization);
    elementCount(what, shape as number[]);
  });
}

function assertQuantization(what: string, dtype: string, quantization: unknown): void {
  const q = (isObject(quantization) ? quantization : {}) as { dtype?: unknown; scale?: unknown; min?: unknown };
  const qDtype = q.dtype;
  if (!isObject(quantization) || typeof qDtype !== 'string' || QUANTIZED_BYTES[qDtype] === undefined) {
    throw new Error(`${what} has an unsupported quantization ${show(quantization)}: expected { dtype: 'uint8' | 'uint16' | 'float16', ... }.`);
  }
  if (qDtype === 'float16' ? dtype !== 'float32' : dtype !== 'float32' && dtype !== 'int32') {
    throw new Error(`${what} is a ${dtype} weight, which cannot be quantized as ${qDtype}.`);
  }
  if (qDtype !== 'float16' && !(Number.isFinite(q.scale) && Number.isFinite(q.min))) {
    throw new Error(`${what} is quantized as ${qDtype} without a finite scale and min: ${show(quantization)}.`);
  }
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
