import { type Tensor, type Tensor2D, type Tensor3D, type Tensor4D, cast, expandDims, matMul, mean, reshape, tidy } from '@tensorflow/tfjs-core';

import { resolveOptions } from '../options.js';
import { argumentError, describe } from '../validation.js';
import { type FeatureModel, featureOutput, fixedInputSize, modelInputSize } from '../models/feature_model.js';
import { type ModelOutput, findOutput } from '../models/feature_names.js';
import { layersFeatureModel } from '../models/layers_features.js';
import { type LayersModelLike, isLayersModel } from '../models/model_types.js';
import type { AttentionExtractor } from './extractor.js';
import { MODEL_INPUT_OPTIONS, NAME_OPTION, type Normalization, type Scaling, defaultRange, resolveNormalization } from './preprocess.js';
import { runModel } from './run_model.js';

/**
 * Options of {@link camExtractor}.
 * @public
 */
export interface CamExtractorOptions {
  /** The layer whose output `[B, h, w, F]` is the feature map. Default: the model's last layer with a spatial output. */
  featureLayer?: string;
  /**
   * The Dense layer that classifies the globally pooled feature map: its kernel `[F, K]` weights
   * the feature channels by class. Without it, the map is the channel mean of the feature layer.
   */
  classifierLayer?: string;
  /** `[h, w]` the batch is resized to (bilinear). Default: the model's input size, else the batch's size. */
  inputSize?: readonly [number, number];
  /**
   * How images are normalised for the model. Default: none, the images go to the model as they
   * are (cast to float32), as the model is trained on them.
   */
  normalization?: Normalization;
  /** The range of the pixel values, scaled to [0, 1] before `normalization`; only used with one of them. Default `[0, 255]` for int32 images, `[0, 1]` for float32. */
  inputRange?: readonly [number, number];
}

/**
 * An {@link AttentionExtractor} of class activation maps, from {@link camExtractor}.
 * @public
 */
export interface CamExtractor extends AttentionExtractor {
  /** The feature layer's name. */
  readonly featureLayer: string;
  /** The classifier layer's name, if there is one. */
  readonly classifierLayer: string | undefined;
}

/** {@link CamExtractorOptions}: their rules. */
const CAM_OPTIONS = { featureLayer: NAME_OPTION, classifierLayer: NAME_OPTION, ...MODEL_INPUT_OPTIONS };

/**
 * Class activation maps (Zhou et al., CVPR 2016) of a `tf.LayersModel`, typically the model
 * being trained, as an {@link AttentionExtractor}: each sample's map is where the model sees the
 * sample's own class, `CAM = Σ_k f_k · (W·y)_k`, with `f` the output `[B, h, w, F]` of
 * `featureLayer`, `W` the kernel `[F, K]` of the Dense `classifierLayer` that follows the global
 * pooling, and `y` the sample's label row (soft labels weight their classes; the bias is left out,
 * since it shifts a whole map alike). The map is returned as it is, not clipped, so the ranking
 * sees every value. Without `classifierLayer`, the map is the channel mean of `f`.
 *
 * The extractor shares the model's weights, so its maps follow training; it runs the model in
 * inference mode (dropout off, batch norm on its moving statistics) and changes nothing in it.
 * Its cost is one inference pass up to `featureLayer` per batch. With `classifierLayer`, it needs
 * the batch's labels, which {@link attentiveCutMix} passes to `extract`.
 *
 * @param model - A `tf.LayersModel` (or `tf.Sequential`) with one image input.
 * @param options - See {@link CamExtractorOptions}.
 *
 * @example
 * ```ts fragment
 * // model: conv layers → 'features' [B, h, w, F] → globalAveragePooling2d → dense 'logits' (10 classes)
 * const cam = camExtractor(model, { featureLayer: 'features', classifierLayer: 'logits' });
 * const mixed = attentiveCutMix(images, labels, cam, { numClasses: 10, grid: 4, topN: 4 });
 * tf.dispose(mixed);
 * ```
 * @public
 */
export function camExtractor(model: LayersModelLike, options?: CamExtractorOptions): CamExtractor {
  const op = 'camExtractor';
  if (!isLayersModel(model)) throw argumentError(op, 'model', 'a tf.LayersModel', describe(model));
  const opts = resolveOptions(op, CAM_OPTIONS, options);
  const normalization = opts.normalization === undefined ? undefined : resolveNormalization(op, opts.normalization);
  const { inputRange } = opts;
  const rescaled = normalization !== undefined || inputRange !== undefined;
  const scaling = (images: Tensor4D): Scaling | undefined => (rescaled ? { range: inputRange ?? defaultRange(images), normalization: normalization ?? resolveNormalization(op, 'unit') } : undefined);

  const features = layersFeatureModel(model, `'${model.name}'`, false);
  const fixedSize = fixedInputSize(features);
  const givenSize = opts.inputSize === undefined ? undefined : modelInputSize(op, features, opts.inputSize);
  // A model that takes any size is probed at a small one to find its layers' shapes.
  const probeSize = givenSize ?? fixedSize ?? [32, 32];
  const outputs = features.outputs(probeSize);
  const feature = featureOutput(op, features, outputs, probeSize, opts.featureLayer, 'options.featureLayer');
  const channels = feature.shape[3]!;
  const classifier = opts.classifierLayer === undefined ? undefined : classifierOf(op, features, outputs, model, opts.classifierLayer, channels, feature.name);

  return {
    featureLayer: feature.name,
    classifierLayer: classifier?.name,
    extract(images: Tensor4D, labels?: Tensor2D): Tensor3D {
      return tidy(() => {
        const size = givenSize ?? fixedSize ?? [images.shape[1], images.shape[2]];
        const f = runModel(features, images, size, scaling(images), feature.name);
        if (!classifier) return mean(f, 3) as Tensor3D;
        const kernel = classifier.kernel(); // read each time: the maps follow training
        if (labels === undefined) {
          throw new Error(`camExtractor (classifierLayer '${classifier.name}') needs the batch's labels to weight its classes: attentiveCutMix passes them to extract(images, labels); precomputeAttention takes them as options.labels.`);
        }
        const [batch, h, w] = f.shape;
        const classes = kernel.shape[1]!;
        if (labels.rank !== 2 || labels.shape[0] !== batch || labels.shape[1] !== classes) {
          throw new Error(`camExtractor (classifierLayer '${classifier.name}', ${classes} classes) needs labels [${batch}, ${classes}], but got ${describe(labels)}.`);
        }
        const weights = matMul(cast(labels, 'float32'), kernel, false, true); // [B, F]: W·y per sample
        const cam = matMul(reshape(f, [batch, h * w, channels]), expandDims(weights, 2)); // [B, h·w, 1]
        return reshape(cam, [batch, h, w]) as Tensor3D;
      });
    },
  };
}

/** The Dense classifier layer, checked: its kernel must be `[F, K]` with F the feature map's channels. */
function classifierOf(op: string, features: FeatureModel, outputs: readonly ModelOutput[], model: LayersModelLike, name: string, channels: number, featureName: string) {
  const found = findOutput(op, 'options.classifierLayer', name, outputs, 'layer', features.location);
  const layer = model.layers.find((l) => l.name === found.name)!;
  const kernelOf = (): Tensor => layer.getWeights()[0]!;
  const kernel = layer.getClassName() === 'Dense' ? kernelOf() : undefined;
  if (kernel === undefined || kernel.rank !== 2 || kernel.shape[0] !== channels) {
    const has = kernel === undefined ? `a ${layer.getClassName()} layer` : `a Dense layer with a kernel [${kernel.shape.join(', ')}]`;
    throw argumentError(op, 'options.classifierLayer', `the Dense layer that classifies the pooled output of '${featureName}', with a kernel [${channels}, K]`, `'${found.name}', ${has}`);
  }
  return { name: found.name, kernel: kernelOf as () => Tensor2D };
}
