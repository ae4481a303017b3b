// tfjs-core's gradient of batch normalisation (FusedBatchNorm) tiles 1/√(variance + ε) to the
// input's whole shape before multiplying: one Tile kernel as large as the activations per layer
// and step, the slowest kernel of a training step on wasm (127 ms of a 64-image step of a small
// BN network, against 73 ms for all its filter gradients). The gradient below is the same
// mathematics with [C]-shaped factors broadcast instead, and the sums Σdy and Σx·dy shared:
//   dx = dy · γ/σ,  dγ = (Σx·dy − μ·Σdy)/σ,  dβ = Σdy,
//   dμ = −γ/σ · Σdy,  dσ² = −½ γ/σ³ · (Σx·dy − μ·Σdy),  σ = √(variance + ε), sums over all but C.
import { type GradConfig, type NamedAttrMap, type Tensor, add, getGradient, mul, neg, pow, registerGradient, rsqrt, scalar, sub, sum } from '@tensorflow/tfjs-core';

/**
 * Makes the training of networks with batch normalisation faster: replaces tfjs-core's gradient
 * of `FusedBatchNorm` (what `tf.layers.batchNormalization` runs) by the same mathematics without
 * its full-size `Tile`, the slowest kernel of such a network's training step on wasm (in the
 * benchmark, a step of a small conv net with three BN layers takes about a third of the time
 * with it). It gives tfjs' own gradients for every input of the op, to float32 rounding.
 *
 * The gradient is registered with tfjs-core, so it serves every backend of the process. It
 * handles per-channel statistics with a scale γ, which is what tfjs-layers' BatchNormalization
 * gives (after conv and Dense layers alike), and hands anything else to tfjs' own gradient.
 * Calling it again changes nothing.
 *
 * @throws When no gradient of `FusedBatchNorm` is registered (tfjs-core alone registers none;
 *   `@tensorflow/tfjs` and `@tensorflow/tfjs-layers` do): there would be nothing to stand in for.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { registerFastBatchNormGradient } from 'attentive-cutmix/training';
 *
 * registerFastBatchNormGradient();
 * const model = tf.sequential({
 *   layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }), tf.layers.batchNormalization(), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })],
 * });
 * model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
 * const [xs, ys] = [tf.randomUniform([4, 8, 8, 1]), tf.oneHot([0, 1, 0, 1], 2)];
 * await model.trainOnBatch(xs, ys);
 * tf.dispose([xs, ys]);
 * model.dispose();
 * ```
 * @public
 */
export function registerFastBatchNormGradient(): void {
  const original = getGradient('FusedBatchNorm');
  if (!original) {
    throw new Error(
      "registerFastBatchNormGradient() found no gradient of FusedBatchNorm to stand in for: import '@tensorflow/tfjs' or '@tensorflow/tfjs-layers' first (they register tfjs' gradients, which tfjs-core alone does not, and which training needs anyway).",
    );
  }
  if ((original.gradFunc as { fast?: boolean }).fast) return;
  const gradFunc: GradConfig['gradFunc'] = (gradient: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const dy = gradient as Tensor; // FusedBatchNorm has one output
    // tf.batchNorm hands the kernel x as [N, H, W, C] whatever its rank; γ is absent for a batchNorm without scale.
    const [x, mean, variance, gamma] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    if (mean.rank !== 1 || gamma == null) return original.gradFunc(gradient, saved, attrs);
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const axes = [0, 1, 2];
    const inverse = rsqrt(add(variance, scalar(varianceEpsilon))); // 1/σ, [C]
    const sumDy = () => sum(dy, axes);
    const centredSum = () => sub(sum(mul(x, dy), axes), mul(mean, sum(dy, axes))); // Σ(x − μ)·dy
    return {
      x: () => mul(dy, mul(inverse, gamma)),
      mean: () => neg(mul(mul(inverse, gamma), sumDy())),
      variance: () => mul(mul(mul(pow(inverse, scalar(3)), gamma), scalar(-0.5)), centredSum()),
      scale: () => mul(inverse, centredSum()),
      offset: sumDy,
    };
  };
  (gradFunc as { fast?: boolean }).fast = true;
  registerGradient({ ...original, gradFunc });
}
