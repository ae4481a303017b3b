import { type Tensor1D, type Tensor2D, add, mul, scalar, tidy } from '@tensorflow/tfjs-core';

import type { MixParams } from '../sampling/params.js';
import { resolveOptions } from '../options.js';
import { assertExactOnBackend } from '../kernels/precision.js';
import { blend } from './blend.js';
import { LABEL_OPTIONS, type LabelOptions, type Labels, toSoftLabels } from './inputs.js';
import { assertParamsFit } from './params_fit.js';

/** Label smoothing ε over K classes: `y·(1 − ε) + ε/K` (off-value ε/K, on-value 1 − ε + ε/K for one-hot rows). */
export function smoothLabels(y: Tensor2D, epsilon: number): Tensor2D {
  if (epsilon === 0) return y;
  const numClasses = y.shape[1];
  return add(mul(y, scalar(1 - epsilon)), scalar(epsilon / numClasses));
}

/**
 * Mixed labels `lambda[i]·s(y)[i] + (1 − lambda[i])·s(y)[partners[i]]` of float32 `[B, K]` labels,
 * where s is label smoothing by `labelSmoothing` (applied before mixing).
 */
export function mixSoftLabels(y: Tensor2D, labelSmoothing: number, partners: readonly number[], lambda: readonly number[] | Tensor1D): Tensor2D {
  return blend(smoothLabels(y, labelSmoothing), partners, lambda);
}

/**
 * Mixes labels with the parameters of a mix: `lambda[i]·y[i] + (1 − lambda[i])·y[partners[i]]`,
 * after optional label smoothing. Use it with {@link applyMixup} or {@link applyCutMix} to apply
 * sampled parameters yourself.
 *
 * @param labels - int32 class ids `[B]` (with `numClasses`) or one-hot / soft labels `[B, K]`.
 * @param params - Parameters from {@link sampleMixupParams} or {@link sampleCutMixParams}.
 * @param options - See {@link LabelOptions}.
 * @returns float32 labels `[B, K]`; each row sums to 1 when the input rows do.
 *
 * @example
 * ```ts fragment
 * const params = sampleCutMixParams(images.shape, { seed: 3 });
 * const mixedLabels = mixLabels(labels, params, { numClasses: 10 }); // float32 [B, 10]
 * mixedLabels.dispose();
 * ```
 * @public
 */
export function mixLabels(labels: Labels, params: MixParams, options?: LabelOptions): Tensor2D {
  const op = 'mixLabels';
  const labelOptions = resolveOptions(op, LABEL_OPTIONS, options);
  assertParamsFit(op, params);
  assertExactOnBackend(op, { batch: params.partners.length });
  return tidy(() => {
    const y = toSoftLabels(op, labels, params.partners.length, labelOptions);
    return mixSoftLabels(y, labelOptions.labelSmoothing, params.partners, params.lambda);
  });
}
