// The two ways a sample meets its partner: pasted through a mask, or blended by weight.
import { type Tensor, type Tensor1D, add, gather, mul, tensor, tensor1d, where } from '@tensorflow/tfjs-core';

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
 * batch axis. `1 − lambda` is computed on the CPU, so lambda = 1 reproduces the base exactly.
 */
export function blend<T extends Tensor>(base: T, partner: T, lambda: readonly number[]): T {
  const weightShape = [lambda.length, ...base.shape.slice(1).map(() => 1)];
  const weight = tensor(Float32Array.from(lambda), weightShape, 'float32');
  const complement = tensor(Float32Array.from(lambda, (l) => 1 - l), weightShape, 'float32');
  return add(mul(base, weight), mul(partner, complement));
}

/** The 1-D tensors every result carries. */
export function paramTensors(params: { lambda: readonly number[]; partners: readonly number[] }): { lambda: Tensor1D; partners: Tensor1D } {
  return { lambda: tensor1d(Float32Array.from(params.lambda), 'float32'), partners: tensor1d(Int32Array.from(params.partners), 'int32') };
}
