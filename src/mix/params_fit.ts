// Checks that parameters (sampled, saved, or written by hand) fit the tensor they are applied to.
import type { Box } from '../sampling/boxes.js';
import { boxArea } from '../sampling/boxes.js';
import type { CutMixParams, MixParams } from '../sampling/params.js';
import type { SaliencyMixParams } from '../sampling/saliencymix.js';
import type { FMixParams } from '../sampling/fmix.js';
import { argumentError, describe } from '../validation.js';

/** Checks `params.partners` and `params.lambda`: B entries each (the given batch size, if any), partners in [0, B), lambda in [0, 1]. */
export function assertParamsFit(op: string, params: MixParams, batchSize?: number): void {
  if (typeof params !== 'object' || params === null || !Array.isArray(params.partners) || !Array.isArray(params.lambda)) {
    throw argumentError(op, 'params', 'parameters from a sample…Params function ({ lambda, partners, ... })', describe(params));
  }
  const b = batchSize ?? params.partners.length;
  if (params.partners.length !== b || params.lambda.length !== b) {
    throw argumentError(op, 'params', `lambda and partners of length ${b}, the batch size`, `lengths ${params.lambda.length} and ${params.partners.length}`);
  }
  assertPartners(op, params.partners, b);
  const badLambda = params.lambda.findIndex((l) => typeof l !== 'number' || !(l >= 0 && l <= 1));
  if (badLambda >= 0) throw argumentError(op, `params.lambda[${badLambda}]`, 'a number in [0, 1]', describe(params.lambda[badLambda]));
}

/** Checks `params.partners`: B integers in [0, B). */
function assertPartners(op: string, partners: readonly number[], batchSize: number): void {
  if (partners.length !== batchSize) throw argumentError(op, 'params.partners', `${batchSize} partners, one per sample`, `${partners.length}`);
  const bad = partners.findIndex((p) => !Number.isInteger(p) || p < 0 || p >= batchSize);
  if (bad >= 0) throw argumentError(op, `params.partners[${bad}]`, `an integer in [0, ${batchSize})`, describe(partners[bad]));
}

/**
 * Checks CutMix parameters against an image of `height × width`: boxes inside it, and each
 * lambda equal to the share of the base's pixels its box leaves, so labels stay exact.
 */
export function assertCutMixParamsFit(op: string, params: CutMixParams, batchSize: number, height: number, width: number): void {
  assertParamsFit(op, params, batchSize);
  if (!Array.isArray(params.boxes) || params.boxes.length !== batchSize) {
    throw argumentError(op, 'params.boxes', `${batchSize} boxes [y0, x0, y1, x1]`, describe(params.boxes));
  }
  if (params.height !== height || params.width !== width) {
    throw argumentError(op, 'params', `sampled for ${height}×${width} images`, `parameters for ${params.height}×${params.width}`);
  }
  params.boxes.forEach((box, i) => {
    if (!isBoxInside(box, height, width)) {
      throw argumentError(op, `params.boxes[${i}]`, `integers [y0, x0, y1, x1] with 0 <= y0 <= y1 <= ${height} and 0 <= x0 <= x1 <= ${width}`, `[${String(box)}]`);
    }
    const exact = Math.fround(1 - boxArea(box) / (height * width));
    if (params.lambda[i] !== exact) {
      throw argumentError(op, `params.lambda[${i}]`, `${exact}, the share of pixels box [${box.join(', ')}] leaves to the base`, String(params.lambda[i]));
    }
  });
}

function isBoxInside(box: Box, height: number, width: number): boolean {
  if (!Array.isArray(box) || box.length !== 4 || !box.every(Number.isInteger)) return false;
  const [y0, x0, y1, x1] = box;
  return y0 >= 0 && y0 <= y1 && y1 <= height && x0 >= 0 && x0 <= x1 && x1 <= width;
}

/** Checks SaliencyMix parameters against a batch of B `height × width` images: partners, and box sizes that fit the image. */
export function assertSaliencyParamsFit(op: string, params: SaliencyMixParams, batchSize: number, height: number, width: number): void {
  if (typeof params !== 'object' || params === null || !Array.isArray(params.partners) || !Array.isArray(params.sizes)) {
    throw argumentError(op, 'params', 'parameters from sampleSaliencyMixParams ({ partners, sizes, height, width })', describe(params));
  }
  assertPartners(op, params.partners, batchSize);
  if (params.height !== height || params.width !== width) {
    throw argumentError(op, 'params', `sampled for ${height}×${width} images`, `parameters for ${params.height}×${params.width}`);
  }
  if (params.sizes.length !== batchSize) throw argumentError(op, 'params.sizes', `${batchSize} box sizes [h, w], one per sample`, `${params.sizes.length}`);
  params.sizes.forEach((size, i) => {
    const valid = Array.isArray(size) && size.length === 2 && Number.isInteger(size[0]) && Number.isInteger(size[1]) && size[0] >= 0 && size[0] <= height && size[1] >= 0 && size[1] <= width;
    if (!valid) throw argumentError(op, `params.sizes[${i}]`, `integers [h, w] with 0 <= h <= ${height} and 0 <= w <= ${width}`, describe(size));
  });
}

/**
 * Checks FMix parameters against an image of `height × width`: a 0/1 mask per sample, and each
 * lambda equal to the share of pixels its mask leaves to the base.
 */
export function assertFMixParamsFit(op: string, params: FMixParams, batchSize: number, height: number, width: number): void {
  assertParamsFit(op, params, batchSize);
  if (params.height !== height || params.width !== width) {
    throw argumentError(op, 'params', `sampled for ${height}×${width} images`, `parameters for ${params.height}×${params.width}`);
  }
  const pixels = height * width;
  if (!(params.masks instanceof Uint8Array) || params.masks.length !== batchSize * pixels) {
    throw argumentError(op, 'params.masks', `a Uint8Array of ${batchSize}·${height}·${width} = ${batchSize * pixels} zeros and ones`, describe(params.masks));
  }
  for (let i = 0; i < batchSize; i++) {
    let pasted = 0;
    for (let p = i * pixels; p < (i + 1) * pixels; p++) {
      const m = params.masks[p]!;
      if (m > 1) throw argumentError(op, `params.masks[${p}]`, '0 or 1', String(m));
      pasted += m;
    }
    const exact = Math.fround(1 - pasted / pixels);
    if (params.lambda[i] !== exact) throw argumentError(op, `params.lambda[${i}]`, `${exact}, the share of pixels mask ${i} leaves to the base`, String(params.lambda[i]));
  }
}
