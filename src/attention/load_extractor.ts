import { type Tensor3D, type Tensor4D, mean, tidy } from '@tensorflow/tfjs-core';

import { resolveOptions } from '../options.js';
import { featureOutput, isSpatial, modelInputSize } from '../models/feature_model.js';
import { shortName } from '../models/feature_names.js';
import { LOAD_OPTIONS, type ModelLoadOptions } from '../models/load_limits.js';
import type { AnyGraphModel, LayersModelLike, ModelFormat } from '../models/model_types.js';
import { type ExtractorSource, openFeatureModel } from '../models/open_model.js';
import type { AttentionExtractor } from './extractor.js';
import { MODEL_INPUT_OPTIONS, NAME_OPTION, type Normalization, defaultNormalization, defaultRange, resolveNormalization } from './preprocess.js';
import { runModel } from './run_model.js';

/**
 * Options of {@link loadAttentionExtractor}.
 * @public
 */
export interface ModelExtractorOptions extends ModelLoadOptions {
  /**
   * The graph node (graph model) or layer (layers model) whose output `[B, h, w, C]` is the
   * feature map: its full name, or the end of it after a `/` when only one name ends so
   * (`'Conv_1/Relu6'`). Default: the last one with a spatial output (see {@link listFeatureNodes}).
   */
  featureNode?: string;
  /** `[h, w]` the batch is resized to (bilinear). Default, and required if the model fixes one: the model's input size. */
  inputSize?: readonly [number, number];
  /**
   * How images are normalised for the model. Default: `'unit'` or `'pixels'` where the model
   * scales its input itself (constant scaling ops, or Keras `Rescaling` layers, before its first
   * other op), else `'imagenet'`; the extractor reports what it chose and why.
   */
  normalization?: Normalization;
  /** The range of the pixel values the extractor is given. Default `[0, 255]` for int32 images, `[0, 1]` for float32. */
  inputRange?: readonly [number, number];
}

/**
 * Options of {@link listFeatureNodes}.
 * @public
 */
export interface ListFeatureNodesOptions extends ModelLoadOptions {
  /** The image size `[h, w]` to run the model at. Default: the model's input size. */
  inputSize?: readonly [number, number];
}

/**
 * A node of a graph model, or a layer of a layers model, whose output is a spatial map: a
 * candidate `featureNode`.
 * @public
 */
export interface FeatureNode {
  /** The node or layer name, to pass as `featureNode`. */
  readonly name: string;
  /** The shortest end of the name (after a `/`) that names this node alone: `featureNode` accepts it too. */
  readonly shortName: string;
  /** The TensorFlow op of a node (`Relu`, `Conv2D`, …) or the class of a layer (`Conv2D`, `Activation`, …). */
  readonly op: string;
  /** Its output shape `[1, h, w, C]` for one image of the input size. */
  readonly shape: readonly number[];
}

/**
 * An {@link AttentionExtractor} over a model, from {@link loadAttentionExtractor}.
 * @public
 */
export interface ModelAttentionExtractor extends AttentionExtractor {
  /** The model's format. */
  readonly format: ModelFormat;
  /** The full name of the node or layer the feature map is taken from. */
  readonly featureNode: string;
  /** The size the batch is resized to. */
  readonly inputSize: readonly [number, number];
  /** The normalisation in use. */
  readonly normalization: Normalization;
  /** Why: `'given in options.normalization'`, or what was found in the model. */
  readonly normalizationReason: string;
  /** The model: the one loaded from files, or the one you passed. */
  readonly model: AnyGraphModel | LayersModelLike;
  /**
   * Releases the model where the extractor loaded it (a model you passed stays yours: dispose
   * it yourself); afterwards `extract` throws.
   */
  dispose(): void;
}

/** {@link ModelExtractorOptions}: their rules (none has a default of its own: the model decides). */
const LOADER_OPTIONS = { featureNode: NAME_OPTION, ...MODEL_INPUT_OPTIONS, ...LOAD_OPTIONS };

/**
 * Makes an {@link AttentionExtractor} of a model: the batch is resized to `inputSize`
 * (bilinear), scaled from `inputRange` to [0, 1], normalised, run in inference mode up to
 * `featureNode`, and the feature map is averaged over channels.
 *
 * The model may be a graph model (tfjs-converter) or a layers model (Keras format, tfjs-layers;
 * recognised from model.json's content, with or without its `format`), given as files or as the
 * object you loaded. Layers models need `@tensorflow/tfjs-layers` (an optional peer dependency,
 * imported only for them). A `tf.LayersModel` you pass (a pretrained one, or the model being
 * trained) is used as it is: the extractor shares its weights and changes nothing in it.
 *
 * Files are verified before use: a missing or unreadable model.json, JSON that is not a model,
 * a weight file that is missing or of another size than the manifest says, or a weight path that
 * leaves the model's folder (`..`, absolute paths, URLs, links) is an error naming the file, and
 * no file outside the model's folder is read. Over HTTP(S) each file has `options.timeout` ms (a
 * minute by default), and `options.signal` stops the load at any moment.
 *
 * @param source - An `http://` or `https://` URL of model.json; in Node, a local path or
 *   `file://` URL (read with `fs`); in a browser, a URL relative to the page; a
 *   `tf.io.IOHandler`; a `GraphModel`; or a `tf.LayersModel`.
 * @param options - See {@link ModelExtractorOptions}.
 * @returns The extractor; call `dispose()` when done with it.
 *
 * @example
 * ```ts fragment no-run
 * const extractor = await loadAttentionExtractor('models/mobilenet_v2/model.json', { featureNode: 'Conv_1/Relu6' });
 * console.log(extractor.featureNode, extractor.normalization, extractor.normalizationReason);
 * const mixed = attentiveCutMix(images, labels, extractor, { numClasses: 1000 });
 * tf.dispose(mixed);
 * extractor.dispose();
 * ```
 * @public
 */
export async function loadAttentionExtractor(source: ExtractorSource, options?: ModelExtractorOptions): Promise<ModelAttentionExtractor> {
  const op = 'loadAttentionExtractor';
  const opts = resolveOptions(op, LOADER_OPTIONS, options);
  const normalization = opts.normalization === undefined ? undefined : resolveNormalization(op, opts.normalization);
  const { inputRange } = opts;

  const model = await openFeatureModel(op, source, opts);
  try {
    const inputSize = modelInputSize(op, model, opts.inputSize);
    const feature = featureOutput(op, model, model.outputs(inputSize), inputSize, opts.featureNode);
    const chosen = opts.normalization === undefined ? defaultNormalization(model) : { normalization: opts.normalization, reason: 'given in options.normalization' };
    const meanStd = normalization ?? resolveNormalization(op, chosen.normalization);
    let disposed = false;
    return {
      format: model.format,
      featureNode: feature.name,
      inputSize,
      normalization: chosen.normalization,
      normalizationReason: chosen.reason,
      model: model.model,
      extract(images: Tensor4D): Tensor3D {
        if (disposed) throw new Error(`This attention extractor (${model.what} '${feature.name}' of ${model.location}) was disposed; load the model again to extract attention.`);
        return tidy(() => mean(runModel(model, images, inputSize, { range: inputRange ?? defaultRange(images), normalization: meanStd }, feature.name), 3) as Tensor3D);
      },
      dispose() {
        if (!disposed) model.dispose();
        disposed = true;
      },
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Lists the nodes of a graph model, or the layers of a layers model, whose output is a spatial
 * map `[B, h, w, C]` with `h, w > 1`, in graph order, found by running the model once on a blank
 * image. The last one is the default `featureNode` of {@link loadAttentionExtractor}: for a
 * classifier, its last convolutional stage.
 *
 * @param source - As for {@link loadAttentionExtractor}.
 * @param options - See {@link ListFeatureNodesOptions}.
 * @returns The candidates with their output shapes for one image.
 *
 * @example
 * ```ts fragment no-run
 * for (const node of await listFeatureNodes('models/mobilenet_v2/model.json')) console.log(node.name, node.shape);
 * ```
 * @public
 */
export async function listFeatureNodes(source: ExtractorSource, options?: ListFeatureNodesOptions): Promise<FeatureNode[]> {
  const op = 'listFeatureNodes';
  const opts = resolveOptions(op, { inputSize: MODEL_INPUT_OPTIONS.inputSize, ...LOAD_OPTIONS }, options);
  const model = await openFeatureModel(op, source, opts);
  try {
    const outputs = model.outputs(modelInputSize(op, model, opts.inputSize));
    const names = outputs.map((o) => o.name);
    return outputs.filter(isSpatial).map(({ name, op: kind, shape }) => ({ name, shortName: shortName(name, names), op: kind, shape }));
  } finally {
    model.dispose();
  }
}
