// Checks that parameters (sampled, saved, or written by hand) fit the tensor they are applied to.
import type { Box } from '../sampling/boxes.js';
import { boxArea } from '../sampling/boxes.js';
import type { CutMixParams, MixParams } from '../sampling/params.js';
import { argumentError, describe } from '../validation.js';

/** Checks `params.partners` and `params.lambda`: B entries each (the given batch size, if any), partners in [0, B), lambda in [0, 1]. */
export function assertParamsFit(op: string, params: MixParams, batchSize?: number): void {
  if (typeof params !== 'object' || params === null || !Array.isArray(params.partners) || !Array.isArray(params.lambda)) {
    throw argumentError(op, 'params', 'parameters from sampleMixupParams or sampleCutMixParams ({ lambda, partners, ... })', describe(params));
  }
  const b = batchSize ?? params.partners.length;
  if (params.partners.length !== b || params.lambda.length !== b) {
    throw argumentError(op, 'params', `lambda and partners of length ${b}, the batch size`, `lengths ${params.lambda.length} and ${params.partners.length}`);
  }
  const badPartner = params.partners.findIndex((p) => !Number.isInteger(p) || p < 0 || p >= b);
  if (badPartner >= 0) {
    throw argumentError(op, `params.partners[${badPartner}]`, `an integer in [0, ${b})`, describe(params.partners[badPartner]));
  }
  const badLambda = params.lambda.findIndex((l) => typeof l !== 'number' || !(l >= 0 && l <= 1));
  if (badLambda >= 0) throw argumentError(op, `params.lambda[${badLambda}]`, 'a number in [0, 1]', describe(params.lambda[badLambda]));
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
