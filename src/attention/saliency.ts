import { type Tensor3D, type Tensor4D, avgPool, cast, image, mean, sqrt, square, sub, sum, tidy } from '@tensorflow/tfjs-core';

import { assertKnownOptions, assertNumber, assertOptionsObject } from '../validation.js';
import type { AttentionExtractor } from './extractor.js';

/**
 * Options of {@link saliencyExtractor}.
 * @public
 */
export interface SaliencyOptions {
  /**
   * The side, in pixels, of the working resolution: images whose shorter side is larger are
   * first resized (bilinear) so that it is this long. Default 64.
   */
  workingSize?: number;
}

/**
 * A built-in extractor that needs no weights and no download: frequency-tuned saliency
 * (Achanta et al., CVPR 2009), as tensor ops. The saliency of a pixel is the distance between
 * the image's mean colour and the pixel's colour after a blur that removes fine texture, so a
 * region whose colour stands out from the image as a whole scores high, and a fine texture that
 * averages out to the background colour scores low. In the spirit of SaliencyMix, which picks
 * patches with a classic saliency detector.
 *
 * Works on any backend and any image size; the map is computed at a working resolution of at
 * most `workingSize` pixels on the shorter side. Scale does not matter (the map is only ranked,
 * or normalised for `labelMode: 'attention'`), so images may be in [0, 1] or [0, 255].
 *
 * @example
 * ```ts
 * const mixed = attentiveCutMix(images, labels, saliencyExtractor(), { numClasses: 10, seed: 0 });
 * ```
 * @public
 */
export function saliencyExtractor(options?: SaliencyOptions): AttentionExtractor {
  const op = 'saliencyExtractor';
  const opts = assertOptionsObject(op, options);
  assertKnownOptions(op, opts, ['workingSize']);
  const { workingSize = 64 } = opts;
  assertNumber(op, 'options.workingSize', workingSize, { min: 1, integer: true });
  return { extract: (images) => frequencyTunedSaliency(images, workingSize) };
}

function frequencyTunedSaliency(images: Tensor4D, workingSize: number): Tensor3D {
  return tidy(() => {
    const [, height, width] = images.shape;
    const scale = Math.min(1, workingSize / Math.min(height, width));
    const size: [number, number] = [Math.max(1, Math.round(height * scale)), Math.max(1, Math.round(width * scale))];
    const x = scale < 1 ? image.resizeBilinear(cast(images, 'float32'), size) : cast(images, 'float32');
    // Two box blurs ≈ a Gaussian; the window grows with the image so that texture of a fixed
    // share of the image is smoothed away.
    const window = 2 * Math.max(1, Math.round(Math.min(...size) / 24)) + 1;
    const blurred = avgPool(avgPool(x as Tensor4D, window, 1, 'same'), window, 1, 'same');
    const meanColour = mean(x, [1, 2], true);
    return sqrt(sum(square(sub(blurred, meanColour)), 3)) as Tensor3D;
  });
}
