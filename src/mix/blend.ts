// The two ways a sample meets its partner: pasted through a mask, or blended by weight.
import { Tensor, type Tensor1D, add, gather, mul, reshape, scalar, sub, tensor, tensor1d, where } from '@tensorflow/tfjs-core';

/** `x[partners[i]]` for every i, in one kernel. */
export function gatherPartners<T extends Tensor>(x: T, partners: readonly number[]): T {
  return gather(x, tensor1d(Int32Array.from(partners), 'int32'), 0);
}

/** Where `mask` is true the partner's value, elsewhere the base's; dtype preserved. */
export function paste<T extends Tensor>(base: T, partner: T, mask: Tensor): T {
  return where(mask, partner, base) as T;
}

/**
 * `lambda[i]·base[i] + (1 − lambda[i])·partner[i]` for float tensors of any rank with a leading
 * batch axis. Where lambda is sampled on the CPU, `1 − lambda` is computed there too; a lambda
 * computed on the device (a `[B]` tensor) stays there. Either way lambda = 1 gives the base exactly.
 */
export function blend<T extends Tensor>(base: T, partner: T, lambda: readonly number[] | Tensor1D): T {
  const weightShape = [base.shape[0], ...base.shape.slice(1).map(() => 1)];
  const weight = lambda instanceof Tensor ? reshape(lambda, weightShape) : tensor(Float32Array.from(lambda), weightShape, 'float32');
  const complement = lambda instanceof Tensor ? sub(scalar(1), weight) : tensor(Float32Array.from(lambda, (l) => 1 - l), weightShape, 'float32');
  return add(mul(base, weight), mul(partner, complement));
}

/** The 1-D tensors every result carries. */
export function paramTensors(params: { lambda: readonly number[]; partners: readonly number[] }): { lambda: Tensor1D; partners: Tensor1D } {
  return { lambda: tensor1d(Float32Array.from(params.lambda), 'float32'), partners: tensor1d(Int32Array.from(params.partners), 'int32') };
}
