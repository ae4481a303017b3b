// tfjs-core's gradient of batch normalisation (FusedBatchNorm) tiles 1/√(variance + ε) to the
// input's whole shape before multiplying: one Tile kernel as large as the activations per layer
// and step, the slowest kernel of a training step on wasm (127 ms of a 64-image step of a small
// BN network, against 73 ms for all its filter gradients). The gradient below is the same
// mathematics with [C]-shaped factors broadcast instead, and the sums Σdy and Σx·dy shared:
//   dx = dy · γ/σ,  dγ = (Σx·dy − μ·Σdy)/σ,  dβ = Σdy,
//   dμ = −γ/σ · Σdy,  dσ² = −½ γ/σ³ · (Σx·dy − μ·Σdy),  σ = √(variance + ε), sums over all but C.
// Registering it replaces the gradient for every backend of the process; it serves NHWC inputs
// with per-channel (rank 1) statistics, which is what tfjs-layers' BatchNormalization gives, and
// falls back to tfjs' own gradient otherwise.
import { type GradConfig, type NamedAttrMap, type Tensor, getGradient, mul, neg, pow, registerGradient, rsqrt, scalar, sub, sum, add } from '@tensorflow/tfjs-core';

export function registerFastBatchNormGradient(): void {
  const original = getGradient('FusedBatchNorm');
  if (!original || (original.gradFunc as { fast?: boolean }).fast) return;
  const gradFunc: GradConfig['gradFunc'] = (gradient: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const dy = gradient as Tensor; // FusedBatchNorm has one output
    const [x, mean, variance, gamma] = saved as [Tensor, Tensor, Tensor, Tensor]; // γ is always saved: tfjs' own gradient saves it too
    if (mean.rank !== 1 || x.rank !== 4) return original.gradFunc(gradient, saved, attrs);
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
