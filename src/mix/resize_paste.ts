// The whole partner scaled into a box of each sample, for the whole batch at once: one fused
// kernel on cpu and wasm (every product and sum rounded to float32 in the composite's order, so
// the two agree to the bit), one shader pass on webgl and webgpu, and elsewhere a composite of
// gathers, multiplies and adds.
import { type Tensor, add, gather, mul, reshape, tensor, tensor3d, tensor4d } from '@tensorflow/tfjs-core';

import { RESIZE_PASTE, hasFusedKernel, runFused } from '../kernels/fused.js';
import { boxMask } from '../masks/box_mask.js';
import { resizeTaps } from '../masks/resize_taps.js';
import type { Box } from '../sampling/boxes.js';
import { partnerTensor, paste } from './blend.js';

/**
 * `base` (or `x`) with each box `boxes[b]` filled with the whole of `x[partners[b]]` scaled into
 * it, bilinear (`x` float32) or nearest (any dtype, kept); see {@link resizeTaps}. `x` is
 * `[B, H, W, C]`; the number of kernels does not depend on B.
 */
export function resizePaste<T extends Tensor>(x: T, partners: readonly number[], boxes: readonly Box[], bilinear: boolean, base?: T): T {
  const [batch, height, width, channels] = x.shape as [number, number, number, number];
  const taps = resizeTaps(boxes, height, width, bilinear);
  const corners = () => tensor(Int32Array.from(boxes.flat()), [batch, 4], 'int32');
  if (hasFusedKernel(RESIZE_PASTE)) {
    const inputs = {
      x,
      partners: partnerTensor(partners),
      boxes: corners(),
      rows: tensor3d(tapsAndWeights(taps.rows, taps.rowWeights), [batch, height, 4]),
      cols: tensor3d(tapsAndWeights(taps.cols, taps.colWeights), [batch, width, 4]),
      ...(base ? { base } : {}),
    };
    return runFused<T>(RESIZE_PASTE, inputs, { bilinear });
  }
  // Every pixel of the batch as a row of C values; output pixel (b, y, x) reads row
  // (partner·H + source row)·W + source column, for each of the (two by two) taps.
  const pixels = reshape(x, [batch * height * width, channels]);
  const rowStart = (tap: number) => tensor3d(Int32Array.from({ length: batch * height }, (_, i) => (partners[Math.floor(i / height)]! * height + taps.rows[2 * i + tap]!) * width), [batch, height, 1], 'int32');
  const column = (tap: number) => tensor3d(Int32Array.from({ length: batch * width }, (_, i) => taps.cols[2 * i + tap]!), [batch, 1, width], 'int32');
  const read = (rowTap: number, colTap: number) => gather(pixels, add(rowStart(rowTap), column(colTap)));
  let resized: Tensor;
  if (!bilinear) resized = read(0, 0);
  else {
    const rowWeight = (tap: number) => tensor4d(Float32Array.from({ length: batch * height }, (_, i) => taps.rowWeights[2 * i + tap]!), [batch, height, 1, 1]);
    const colWeight = (tap: number) => tensor4d(Float32Array.from({ length: batch * width }, (_, i) => taps.colWeights[2 * i + tap]!), [batch, 1, width, 1]);
    const [wy0, wy1] = [rowWeight(0), rowWeight(1)];
    const between = (colTap: number) => add(mul(read(0, colTap), wy0), mul(read(1, colTap), wy1));
    resized = add(mul(between(0), colWeight(0)), mul(between(1), colWeight(1)));
  }
  const identity = Array.from({ length: batch }, (_, b) => b);
  return paste(resized as T, identity, () => reshape(corners(), [batch, 1, 4]), () => boxMask(boxes, height, width), base ?? x);
}

/**
 * The kernels' `rows` or `cols`: per output row (column) its two taps and their two weights, in
 * one float32 tensor (taps are below 2²⁴, so exact): WebGPU binds at most 8 buffers to a pass.
 */
function tapsAndWeights(taps: Int32Array, weights: Float32Array): Float32Array {
  const packed = new Float32Array(2 * taps.length);
  for (let i = 0; i < taps.length; i += 2) {
    [packed[2 * i], packed[2 * i + 1], packed[2 * i + 2], packed[2 * i + 3]] = [taps[i]!, taps[i + 1]!, weights[i]!, weights[i + 1]!];
  }
  return packed;
}
