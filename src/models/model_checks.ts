// Checks on the files of a converted model (graph or layers): a bad file is a clear error naming
// it, never a crash deep inside tfjs, no weight path may leave the model's folder, and no size
// declared in model.json is trusted (or allocated) before it has been checked against the real files.
import type { io } from '@tensorflow/tfjs-core';

import { errorMessage } from '../validation.js';
import type { ModelFormat } from './model_types.js';

/** What a model reader provides: the parsed model.json, and a way to read its weight files. */
export interface ModelFiles {
  /** The location of model.json, for messages. */
  readonly location: string;
  /** model.json, parsed. */
  readonly json: unknown;
  /**
   * Reads the weight file at a manifest path (checked with {@link assertSafeWeightPath}). A file
   * that holds more than `maxBytes` is refused before its contents are read
   * ({@link weightFileTooLarge}), so a huge file cannot exhaust memory.
   */
  readWeights(path: string, maxBytes: number): Promise<ArrayBuffer>;
}

/** Bytes per element of the dtypes a weight (or its quantization) may have. */
const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, string: 4 /* the length prefix; the bytes follow */ };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };
const NUM_BYTES_STRING_LENGTH = 4;

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
 * The most graph nodes a model may have. Listing a graph's feature nodes runs it once and holds
 * every node's output, a few kilobytes a node even for the smallest: this bounds what a
 * model.json under the size cap can make the loader hold (a graph of hundreds of thousands of
 * nodes grew memory by over a gigabyte).
 */
export const MAX_GRAPH_NODES = 50_000;

/** A node of a GraphDef as model.json holds it (after the checks of its fields). */
export interface GraphNode {
  name: string;
  op: string;
  input?: string[];
}

/** The node a graph input names: `name`, `name:1` (an output) or `^name` (a control input). */
export function inputNode(input: string): string {
  return input.replace(/^\^/, '').split(':')[0]!;
}

/**
 * Checks that the nodes form a graph tfjs-converter can run, in time and memory linear in its
 * size: unique names, every input naming a node, no node reading itself, and no cycle (except
 * the loops of TF1 control flow, which close through a `NextIteration` node). Each fault is named
 * by its nodes. Returns the nodes in data-flow order (each after its inputs), as model.json lists
 * them wherever it already lists them so.
 */
export function assertGraphTopology<T extends GraphNode>(location: string, nodes: readonly T[]): T[] {
  const index = new Map<string, number>();
  nodes.forEach(({ name }, i) => {
    const first = index.get(name);
    if (first !== undefined) throw new Error(`The graph of ${location} has two nodes named '${name}' (modelTopology.node[${first}] and [${i}]): node names must be unique.`);
    index.set(name, i);
  });
  const sources = nodes.map(({ name, input = [] }, i) =>
    input.flatMap((edge) => {
      const source = index.get(inputNode(edge));
      const at = `The graph of ${location}: node '${name}' (modelTopology.node[${i}])`;
      if (source === undefined) throw new Error(`${at} reads '${edge}', but no node is named '${inputNode(edge)}'.`);
      if (source === i) throw new Error(`${at} reads its own output '${edge}': no node can feed itself.`);
      return nodes[source]!.op === 'NextIteration' ? [] : [source]; // the back edge of a TF1 loop
    }),
  );
  // Depth first, inputs before the node, roots in listing order; a node met again while it is on
  // the path closes a cycle. Iterative: a chain of 50,000 nodes would overflow the call stack.
  const state = new Uint8Array(nodes.length); // 0 not seen, 1 on the path, 2 ordered
  const order: T[] = [];
  for (let root = 0; root < nodes.length; root++) {
    if (state[root] !== 0) continue;
    state[root] = 1;
    const path: [node: number, next: number][] = [[root, 0]];
    while (path.length > 0) {
      const top = path[path.length - 1]!;
      const source = sources[top[0]]![top[1]++];
      if (source === undefined) {
        state[top[0]] = 2;
        order.push(nodes[top[0]]!);
        path.pop();
      } else if (state[source] === 1) {
        const cycle = path.slice(path.findIndex(([n]) => n === source)).map(([n]) => n).reverse(); // in data-flow order
        const first = cycle.indexOf(Math.min(...cycle)); // from where model.json lists the cycle first
        const names = [...cycle.slice(first), ...cycle.slice(0, first + 1)].map((n) => `'${nodes[n]!.name}'`);
        throw new Error(`The graph of ${location} has a cycle: ${names.join(' → ')} (each node reads the one before it).`);
      } else if (state[source] === 0) {
        state[source] = 1;
        path.push([source, 0]);
      }
    }
  }
  return order;
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

/** The number of elements of a shape, refusing counts too large to be computed exactly. */
function elementCount(what: string, shape: readonly number[]): number {
  let count = 1;
  for (const d of shape) count *= d;
  if (!Number.isSafeInteger(count)) {
    throw new Error(`${what} has a shape [${shape.join(', ')}] with more elements than can be loaded.`);
  }
  return count;
}

/** The exact byte size of a non-string weight, or its minimum (the length prefixes) for a string weight. */
function weightBytes(location: string, spec: io.WeightsManifestEntry): number {
  const what = `The weight '${spec.name}' in ${location}`;
  const count = elementCount(what, spec.shape);
  const size = spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype]! : BYTES_PER_ELEMENT[spec.dtype]!;
  const bytes = count * size;
  if (!Number.isSafeInteger(bytes)) throw new Error(`${what} has a shape [${spec.shape.join(', ')}] with more bytes than can be loaded.`);
  return bytes;
}

/**
 * What the weights of a group need, from the manifest alone: the exact byte count, or (with
 * string weights, whose lengths are stored in the data) a lower bound. Specs must have passed
 * {@link assertWeightSpecs}.
 */
export function manifestBytes(location: string, specs: readonly io.WeightsManifestEntry[]): { bytes: number; exact: boolean } {
  let bytes = 0;
  let exact = true;
  for (const spec of specs) {
    bytes += weightBytes(location, spec);
    if (spec.dtype === 'string' && !spec.quantization) exact = false;
    if (!Number.isSafeInteger(bytes)) throw new Error(`The weights manifest of ${location} needs more bytes than can be loaded.`);
  }
  return { bytes, exact };
}

/** The error for a weight file larger than what the manifest leaves for it; no byte of it has been read. */
export function weightFileTooLarge(location: string, path: string, size: number | undefined, maxBytes: number): Error {
  const holds = size === undefined ? `holds more than ${maxBytes} bytes` : `holds ${size} bytes`;
  return new Error(`The weight file '${path}' of ${location} ${holds}, but the weights manifest needs ${maxBytes} from it: the file belongs to another model or the manifest is wrong.`);
}

/**
 * Checks that the weight files of a group hold exactly the bytes their manifest entries need
 * (string weights are measured by walking their length prefixes in the data).
 */
export function assertWeightBytes(location: string, paths: readonly string[], specs: readonly io.WeightsManifestEntry[], data: readonly ArrayBuffer[]): void {
  const available = data.reduce((n, b) => n + b.byteLength, 0);
  let { bytes: needed, exact } = manifestBytes(location, specs);
  if (!exact && available >= needed) needed = stringAwareBytes(location, specs, concat(data));
  if (available === needed) return;
  if (paths.length === 0) {
    throw new Error(`The weights manifest of ${location} lists no weight file for weights that need ${needed} bytes.`);
  }
  const files = paths.map((p) => `'${p}'`).join(', ');
  const several = paths.length > 1;
  const problem = available < needed ? 'the file is truncated or belongs to another model' : 'the file belongs to another model or the manifest is wrong';
  throw new Error(`The weight file${several ? 's' : ''} ${files} of ${location} hold${several ? '' : 's'} ${available} bytes, but the weights manifest needs ${needed}: ${problem}.`);
}

/** The byte size of a group with string weights, from the length prefixes in its data. */
function stringAwareBytes(location: string, specs: readonly io.WeightsManifestEntry[], bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const spec of specs) {
    if (spec.dtype !== 'string' || spec.quantization) {
      offset += weightBytes(location, spec);
      continue;
    }
    const count = elementCount(`The weight '${spec.name}' in ${location}`, spec.shape);
    for (let i = 0; i < count; i++) {
      if (offset + NUM_BYTES_STRING_LENGTH > bytes.byteLength) return offset + NUM_BYTES_STRING_LENGTH * (count - i);
      offset += NUM_BYTES_STRING_LENGTH + view.getUint32(offset, true);
    }
  }
  return offset;
}

function concat(buffers: readonly ArrayBuffer[]): Uint8Array {
  if (buffers.length === 1) return new Uint8Array(buffers[0]!);
  const out = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of buffers) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
