import { type GraphModel, loadGraphModelSync } from '@tensorflow/tfjs-converter';
import { type Tensor, type Tensor3D, type Tensor4D, cast, div, image, io, mean, scalar, sub, tensor1d, tidy, zeros } from '@tensorflow/tfjs-core';

import { argumentError, assertKnownOptions, assertNumber, assertOptionsObject, describe, errorMessage } from '../validation.js';
import type { AttentionExtractor } from './extractor.js';
import { type ModelSource, loadModelArtifacts } from './model_files.js';

/**
 * How images are normalised before the model sees them, on pixel values first scaled to [0, 1]
 * (see {@link GraphExtractorOptions.inputRange}):
 * - `'unit'`: [0, 1] as they are;
 * - `'symmetric'`: [−1, 1] (MobileNet and other TF-slim / Keras `tf` preprocessing);
 * - `'imagenet'`: (x − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225] (torchvision models);
 * - `{ mean, std }`: (x − mean) / std, per channel or one number for all.
 * @public
 */
export type Normalization = 'imagenet' | 'unit' | 'symmetric' | { mean: number | readonly number[]; std: number | readonly number[] };

/**
 * Options of {@link loadAttentionExtractor}.
 * @public
 */
export interface GraphExtractorOptions {
  /** The graph node whose output `[B, h, w, C]` is the feature map. Default: the last spatial node (see {@link listFeatureNodes}). */
  featureNode?: string;
  /** `[h, w]` the batch is resized to (bilinear). Default: the model's input size, when it is fixed. */
  inputSize?: readonly [number, number];
  /** Default `'imagenet'`. */
  normalization?: Normalization;
  /** The range of the pixel values the extractor is given. Default `[0, 255]` for int32 images, `[0, 1]` for float32. */
  inputRange?: readonly [number, number];
}

/**
 * A node of a graph model whose output is a spatial map: a candidate `featureNode`.
 * @public
 */
export interface FeatureNode {
  /** The node name, to pass as `featureNode`. */
  readonly name: string;
  /** The TensorFlow op of the node (`Relu`, `Conv2D`, `AddV2`, …). */
  readonly op: string;
  /** Its output shape `[1, h, w, C]` for one image of the input size. */
  readonly shape: readonly number[];
}

/**
 * An {@link AttentionExtractor} over a converted graph model; `dispose()` releases the model.
 * @public
 */
export interface GraphAttentionExtractor extends AttentionExtractor {
  /** The node the feature map is taken from. */
  readonly featureNode: string;
  /** The size the batch is resized to. */
  readonly inputSize: readonly [number, number];
  /** The loaded model. */
  readonly model: GraphModel<io.IOHandlerSync>;
  /** Releases the model's weights; the extractor cannot be used afterwards. */
  dispose(): void;
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };
const OPTION_NAMES = ['featureNode', 'inputSize', 'normalization', 'inputRange'];

/**
 * Loads a model converted with the TensorFlow.js converter (a graph model) as an
 * {@link AttentionExtractor}: the batch is resized to `inputSize` (bilinear), normalised, run
 * through the graph up to `featureNode` with `model.execute`, and the feature map is averaged
 * over channels.
 *
 * The files are verified before use: a missing or unreadable model.json, JSON that is not a
 * graph model, a weight file that is missing or shorter than the manifest says, or a weight path
 * that leaves the model's folder (`..`, absolute paths, URLs) is an error naming the file, and no
 * file outside the model's folder is read.
 *
 * @param source - An `http://` or `https://` URL of model.json; in Node, a local path or `file://`
 *   URL (read with `fs`); in a browser, a URL relative to the page; or a `tf.io.IOHandler`.
 * @param options - See {@link GraphExtractorOptions}.
 * @returns The extractor; call `dispose()` when done with it.
 *
 * @example
 * ```ts
 * const extractor = await loadAttentionExtractor('models/resnet50/model.json', {
 *   featureNode: 'StatefulPartitionedCall/resnet50/conv5_block3_out/Relu', // 7×7 at 224 px
 *   inputSize: [224, 224],
 *   normalization: 'imagenet',
 * });
 * const mixed = attentiveCutMix(images, labels, extractor, { numClasses: 1000 });
 * ```
 * @public
 */
export async function loadAttentionExtractor(source: ModelSource, options?: GraphExtractorOptions): Promise<GraphAttentionExtractor> {
  const op = 'loadAttentionExtractor';
  const opts = assertOptionsObject(op, options);
  assertKnownOptions(op, opts, OPTION_NAMES);
  assertSource(op, source);
  const normalization = resolveNormalization(op, opts.normalization ?? 'imagenet');
  const inputRange = opts.inputRange === undefined ? undefined : resolveRange(op, opts.inputRange);
  if (opts.featureNode !== undefined && (typeof opts.featureNode !== 'string' || opts.featureNode === '')) {
    throw argumentError(op, 'options.featureNode', 'a node name (a non-empty string)', describe(opts.featureNode));
  }
  if (opts.inputSize !== undefined) resolveInputSize(op, opts.inputSize);

  const graph = await loadGraph(source);
  try {
    const inputSize = opts.inputSize ?? graph.fixedInputSize(op);
    const candidates = graph.featureNodes(inputSize);
    const featureNode = opts.featureNode ?? candidates.at(-1)?.name;
    if (featureNode === undefined) {
      throw new Error(`The model ${graph.location} has no node with a spatial output [B, h, w, C] (h, w > 1) for ${inputSize.join('×')} inputs, so it cannot give attention maps.`);
    }
    if (!candidates.some((c) => c.name === featureNode)) {
      const list = candidates.map((c) => `${c.name} [${c.shape.join(', ')}]`).join(', ');
      throw argumentError(op, 'options.featureNode', `a node of ${graph.location} with a spatial output [B, h, w, C], one of: ${list}`, `'${featureNode}'`);
    }
    const { model } = graph;
    return {
      featureNode,
      inputSize,
      model,
      extract: (images: Tensor4D): Tensor3D =>
        tidy(() => {
          const range = inputRange ?? (images.dtype === 'int32' ? [0, 255] : [0, 1]);
          const x = preprocess(images, inputSize, range, normalization);
          return mean(model.execute(x, featureNode) as Tensor, 3) as Tensor3D;
        }),
      dispose: () => model.dispose(),
    };
  } catch (e) {
    graph.model.dispose();
    throw e;
  }
}

/**
 * Lists the nodes of a graph model whose output is a spatial map `[B, h, w, C]` with `h, w > 1`,
 * in graph order, found by running the model once on a blank image. The last one is the default
 * `featureNode` of {@link loadAttentionExtractor}: for a classifier, its last convolutional stage.
 *
 * @param source - As for {@link loadAttentionExtractor}.
 * @param options - `inputSize`: the image size to run at; default the model's fixed input size.
 * @returns The candidates with their output shapes for one image.
 *
 * @example
 * ```ts
 * for (const node of await listFeatureNodes('models/mobilenet/model.json')) console.log(node.name, node.shape);
 * ```
 * @public
 */
export async function listFeatureNodes(source: ModelSource, options?: { inputSize?: readonly [number, number] }): Promise<FeatureNode[]> {
  const op = 'listFeatureNodes';
  const opts = assertOptionsObject(op, options);
  assertKnownOptions(op, opts, ['inputSize']);
  assertSource(op, source);
  if (opts.inputSize !== undefined) resolveInputSize(op, opts.inputSize);
  const graph = await loadGraph(source);
  try {
    return graph.featureNodes(opts.inputSize ?? graph.fixedInputSize(op));
  } finally {
    graph.model.dispose();
  }
}

interface GraphNodeDef {
  name: string;
  op: string;
  input?: string[];
}

/** A loaded graph model with what the extractor needs to know of its graph. */
async function loadGraph(source: ModelSource) {
  const { artifacts, location } = await loadModelArtifacts(source);
  let model: GraphModel<io.IOHandlerSync>;
  try {
    model = loadGraphModelSync(artifacts);
  } catch (e) {
    throw new Error(`The graph model ${location} could not be built by tfjs-converter: ${errorMessage(e)}`, { cause: e });
  }
  const nodes = (artifacts.modelTopology as { node: GraphNodeDef[] }).node;
  const inputShape = model.inputs[0]?.shape ?? [];
  const channels = inputShape[3] !== undefined && inputShape[3] > 0 ? inputShape[3] : 3;
  return {
    model,
    location,
    fixedInputSize(caller: string): [number, number] {
      const [, h, w] = inputShape;
      if (h === undefined || w === undefined || h <= 0 || w <= 0) {
        throw argumentError(caller, 'options.inputSize', `given: the input shape of ${location} is [${inputShape.join(', ')}], with no fixed size`, 'undefined');
      }
      return [h, w];
    },
    featureNodes(inputSize: readonly [number, number]): FeatureNode[] {
      const names = nodesFedByInputs(nodes, model.inputNodes);
      const shapes = tidy(() => {
        let outputs: Tensor[];
        try {
          outputs = model.execute(zeros([1, inputSize[0], inputSize[1], channels]), names.map((n) => n.name)) as Tensor[];
        } catch (e) {
          throw new Error(`The graph model ${location} cannot run synchronously on a [1, ${inputSize.join(', ')}, ${channels}] input (${errorMessage(e)}); an AttentionExtractor needs model.execute, so models with control flow are not supported.`, { cause: e });
        }
        return outputs.map((t) => t.shape);
      });
      return names
        .map((node, i) => ({ name: node.name, op: node.op, shape: shapes[i]! }))
        .filter(({ shape }) => shape.length === 4 && shape[0] === 1 && shape[1]! > 1 && shape[2]! > 1);
    },
  };
}

/** The nodes that depend on the model's inputs (so not weights or constants), in graph order. */
function nodesFedByInputs(nodes: GraphNodeDef[], inputNames: string[]): GraphNodeDef[] {
  const fed = new Set(inputNames.map((n) => n.split(':')[0]!));
  const result: GraphNodeDef[] = [];
  for (const node of nodes) {
    if (fed.has(node.name)) continue;
    const inputs = (node.input ?? []).filter((i) => !i.startsWith('^')).map((i) => i.split(':')[0]!);
    if (inputs.some((i) => fed.has(i))) {
      fed.add(node.name);
      result.push(node);
    }
  }
  return result;
}

function preprocess(images: Tensor4D, inputSize: readonly [number, number], range: readonly number[], normalization: { mean: number[]; std: number[] }): Tensor4D {
  const [lo, hi] = range as [number, number];
  let x = cast(images, 'float32') as Tensor4D;
  if (x.shape[1] !== inputSize[0] || x.shape[2] !== inputSize[1]) x = image.resizeBilinear(x, [inputSize[0], inputSize[1]]);
  const unit = div(sub(x, scalar(lo)), scalar(hi - lo));
  return div(sub(unit, tensor1d(normalization.mean)), tensor1d(normalization.std)) as Tensor4D;
}

function resolveNormalization(op: string, normalization: unknown): { mean: number[]; std: number[] } {
  switch (normalization) {
    case 'imagenet':
      return IMAGENET;
    case 'unit':
      return { mean: [0], std: [1] };
    case 'symmetric':
      return { mean: [0.5], std: [0.5] };
  }
  const custom = normalization as { mean?: unknown; std?: unknown } | null;
  const asList = (v: unknown) => (typeof v === 'number' ? [v] : Array.isArray(v) ? v : []);
  const meanList = asList(custom?.mean);
  const stdList = asList(custom?.std);
  const valid =
    typeof custom === 'object' &&
    meanList.length > 0 &&
    stdList.length > 0 &&
    meanList.every((m) => typeof m === 'number' && Number.isFinite(m)) &&
    stdList.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s));
  if (!valid) {
    throw argumentError(op, 'options.normalization', "'imagenet', 'unit', 'symmetric' or { mean, std } with finite means and positive stds", describe(normalization));
  }
  return { mean: meanList as number[], std: stdList as number[] };
}

function resolveRange(op: string, range: unknown): [number, number] {
  const [lo, hi] = Array.isArray(range) && range.length === 2 ? range : [];
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi) || lo >= hi) {
    throw argumentError(op, 'options.inputRange', '[lo, hi] with finite lo < hi', describe(range));
  }
  return [lo, hi];
}

function resolveInputSize(op: string, size: unknown): void {
  const valid = Array.isArray(size) && size.length === 2;
  if (!valid) throw argumentError(op, 'options.inputSize', '[height, width]', describe(size));
  assertNumber(op, 'options.inputSize[0]', size[0], { min: 1, integer: true });
  assertNumber(op, 'options.inputSize[1]', size[1], { min: 1, integer: true });
}

function assertSource(op: string, source: unknown): asserts source is ModelSource {
  const isHandler = typeof source === 'object' && source !== null && typeof (source as io.IOHandler).load === 'function';
  if (!(typeof source === 'string' && source.length > 0) && !isHandler) {
    throw argumentError(op, 'source', 'a model.json URL or path, or a tf.io.IOHandler with a load() method', describe(source));
  }
}
