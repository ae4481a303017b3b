// What a model-based extractor does to a batch before the model sees it: resize, scale the pixel
// values to [0, 1], normalise (as the model needs, when the user does not say). Shared by the
// loaded extractors and the CAM extractor.
import { type Tensor4D, cast, div, image, scalar, sub, tensor1d } from '@tensorflow/tfjs-core';

import { type OptionRule, customOption } from '../options.js';
import { argumentError, assertNumber, describe } from '../validation.js';
import type { FeatureModel } from '../models/feature_model.js';

/**
 * How images are normalised before the model sees them, on pixel values first scaled to [0, 1]
 * (see {@link ModelExtractorOptions.inputRange}):
 * - `'unit'`: [0, 1] as they are (models that scale their input themselves, from [0, 1]);
 * - `'pixels'`: [0, 255] (models that scale their input themselves from 0–255, such as a Keras
 *   `Rescaling(1/255)` layer);
 * - `'symmetric'`: [−1, 1] (MobileNet, Inception and other TF-slim / Keras `tf` preprocessing);
 * - `'imagenet'`: (x − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225] (torchvision models);
 * - `{ mean, std }`: (x − mean) / std, per channel or one number for all.
 * @public
 */
export type Normalization = 'imagenet' | 'unit' | 'pixels' | 'symmetric' | { mean: number | readonly number[]; std: number | readonly number[] };

/** A normalisation as per-channel (or single) means and standard deviations on [0, 1] values. */
export interface MeanStd {
  mean: number[];
  std: number[];
}

const NAMED: Record<Exclude<Normalization, object>, MeanStd> = {
  imagenet: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  unit: { mean: [0], std: [1] },
  pixels: { mean: [0], std: [1 / 255] },
  symmetric: { mean: [0.5], std: [0.5] },
};

/**
 * The named {@link Normalization}s, in the order messages list them: `'imagenet'`, `'unit'`,
 * `'pixels'`, `'symmetric'`. For checking a name given as text (a command line, a config file)
 * before passing it as `normalization`.
 *
 * @example
 * ```ts no-run
 * import { NORMALIZATION_NAMES, loadAttentionExtractor } from 'attentive-cutmix';
 *
 * const given = 'symmetric'; // from a command line, say
 * const normalization = NORMALIZATION_NAMES.find((name) => name === given);
 * if (!normalization) throw new Error(`normalization must be one of ${NORMALIZATION_NAMES.join(', ')}`);
 * const extractor = await loadAttentionExtractor('models/mobilenet_v2/model.json', { normalization });
 * ```
 * @public
 */
export const NORMALIZATION_NAMES: readonly Exclude<Normalization, object>[] = Object.freeze(Object.keys(NAMED) as Exclude<Normalization, object>[]);

/** Checks a {@link Normalization} argument and returns it as means and stds. */
export function resolveNormalization(op: string, normalization: unknown): MeanStd {
  if (typeof normalization === 'string' && normalization in NAMED) return NAMED[normalization as keyof typeof NAMED];
  const custom = normalization as { mean?: unknown; std?: unknown } | null;
  const asList = (v: unknown) => (typeof v === 'number' ? [v] : Array.isArray(v) ? v : []);
  const meanList = asList(custom?.mean);
  const stdList = asList(custom?.std);
  const valid =
    typeof custom === 'object' &&
    custom !== null &&
    meanList.length > 0 &&
    stdList.length > 0 &&
    meanList.every((m) => typeof m === 'number' && Number.isFinite(m)) &&
    stdList.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s));
  if (!valid) {
    const names = NORMALIZATION_NAMES.map((n) => `'${n}'`).join(', ');
    throw argumentError(op, 'options.normalization', `${names} or { mean, std } with finite means and positive stds`, describe(normalization));
  }
  return { mean: meanList as number[], std: stdList as number[] };
}

/**
 * Below this scale a model's own scaling expects 0–255 input (×1/255 or ×1/127.5), above it [0, 1]
 * input (×2 − 1, or a mean/std normalisation): the two ranges differ 255-fold, and this is their
 * geometric middle for a model that maps its input to a span of about 2.
 */
const PIXEL_SCALE_BELOW = 2 / Math.sqrt(255);

/**
 * The normalisation a model needs when the user does not say: none of ours where the model scales
 * its input itself (`'unit'` for [0, 1] input, `'pixels'` for 0–255), else `'imagenet'`.
 */
export function defaultNormalization(model: FeatureModel): { normalization: Exclude<Normalization, object>; reason: string } {
  const scaling = model.inputScaling();
  if (scaling === undefined) {
    return {
      normalization: 'imagenet',
      reason: `no scaling of the input was found inside the model before its first other ${model.what}, and 'imagenet' is the default (a model that expects another input needs normalization: MobileNet and Inception take [−1, 1], 'symmetric')`,
    };
  }
  const affine = `x·${round(scaling.scale)} ${scaling.offset < 0 ? '−' : '+'} ${round(Math.abs(scaling.offset))}`;
  if (Math.abs(scaling.scale) < PIXEL_SCALE_BELOW) {
    return { normalization: 'pixels', reason: `the model scales its input itself (${scaling.by}: ${affine}), from 0–255 values` };
  }
  return { normalization: 'unit', reason: `the model scales its input itself (${scaling.by}: ${affine}), from [0, 1] values` };
}

function round(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** Checks an `inputRange` argument: `[lo, hi]` with finite lo < hi. */
function resolveRange(op: string, range: unknown): [number, number] {
  const [lo, hi] = Array.isArray(range) && range.length === 2 ? range : [];
  if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isFinite(lo) || !Number.isFinite(hi) || lo >= hi) {
    throw argumentError(op, 'options.inputRange', '[lo, hi] with finite lo < hi', describe(range));
  }
  return [lo, hi];
}

/** Checks an `inputSize` argument: `[height, width]` of positive integers. */
function resolveInputSize(op: string, size: unknown): [number, number] {
  if (!Array.isArray(size) || size.length !== 2) throw argumentError(op, 'options.inputSize', '[height, width]', describe(size));
  assertNumber(op, 'options.inputSize[0]', size[0], { min: 1, integer: true });
  assertNumber(op, 'options.inputSize[1]', size[1], { min: 1, integer: true });
  return [size[0], size[1]];
}

/** The options of the extractors that run a model on the batch: how it is brought to the model's input. */
export const MODEL_INPUT_OPTIONS = {
  inputSize: {
    default: undefined,
    expected: '[height, width]',
    check: (op: string, _: string, value: unknown): readonly [number, number] => resolveInputSize(op, value),
  } satisfies OptionRule<readonly [number, number] | undefined>,
  normalization: {
    default: undefined,
    expected: 'a named normalisation or { mean, std }',
    check: (op: string, _: string, value: unknown): Normalization => (resolveNormalization(op, value), value as Normalization),
  } satisfies OptionRule<Normalization | undefined>,
  inputRange: {
    default: undefined,
    expected: '[lo, hi] with finite lo < hi',
    check: (op: string, _: string, value: unknown): readonly [number, number] => resolveRange(op, value),
  } satisfies OptionRule<readonly [number, number] | undefined>,
};

/** The rule of an option that names a node or layer. */
export const NAME_OPTION = customOption('a node or layer name (a non-empty string)', (v): v is string => typeof v === 'string' && v !== '');

/** The default `inputRange`: bytes for int32 images, [0, 1] for float32 ones. */
export function defaultRange(images: Tensor4D): [number, number] {
  return images.dtype === 'int32' ? [0, 255] : [0, 1];
}

/** How pixel values are brought to what a model expects: scaled from `range` to [0, 1], then normalised. */
export interface Scaling {
  range: readonly [number, number];
  normalization: MeanStd;
}

/**
 * Resizes (bilinear) to `inputSize` and, with `scaling`, scales and normalises; without, the
 * values stay as they are (float32). Call inside a `tidy`.
 */
export function preprocess(images: Tensor4D, inputSize: readonly [number, number], scaling?: Scaling): Tensor4D {
  let x = cast(images, 'float32') as Tensor4D;
  if (x.shape[1] !== inputSize[0] || x.shape[2] !== inputSize[1]) x = image.resizeBilinear(x, [inputSize[0], inputSize[1]]);
  if (scaling === undefined) return x;
  const [lo, hi] = scaling.range;
  const unit = div(sub(x, scalar(lo)), scalar(hi - lo));
  return div(sub(unit, tensor1d(scaling.normalization.mean)), tensor1d(scaling.normalization.std)) as Tensor4D;
}
