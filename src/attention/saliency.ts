import {
  type Tensor,
  type Tensor3D,
  type Tensor4D,
  add,
  avgPool,
  cast,
  concat,
  fused,
  matMul,
  mean,
  min,
  mul,
  relu,
  reshape,
  slice,
  sqrt,
  square,
  sub,
  sum,
  tensor1d,
  tensor2d,
  tensor3d,
  tidy,
} from '@tensorflow/tfjs-core';

import { booleanOption, numberOption, resolveOptions } from '../options.js';
import type { AttentionExtractor } from './extractor.js';

/**
 * Options of {@link saliencyExtractor}.
 * @public
 */
export interface SaliencyOptions {
  /**
   * The shorter side, in pixels, of the working resolution. Images whose shorter side is at
   * least twice as long are first averaged over k × k blocks, k = ⌊shorter side / workingSize⌋,
   * so the map's shorter side lies between `workingSize` and `2 · workingSize − 1`. Default 32.
   */
  workingSize?: number;
  /**
   * Whether to weight the map by a centre prior: a Gaussian at the image centre whose standard
   * deviation is a third of each side. Default `true`: photographers centre their subject, and
   * pretrained classifiers attend there too. Turn it off for images whose subject may be
   * anywhere, such as random crops or aerial views.
   */
  centrePrior?: boolean;
}

/**
 * A built-in extractor that needs no weights and no download: colour contrast against the image
 * border, weighted by a centre prior, as a handful of tensor ops.
 *
 * The image is block-averaged to a small working resolution and taken to an opponent colour
 * space (lightness, red–green, yellow–blue). The mean colours of the four border bands (an
 * eighth of the side each) stand for the background; the contrast of a pixel is its distance,
 * after a blur that removes fine texture, to the nearest of the four. Regions unlike every border
 * (the subject) score high; sky, walls and floors that reach a border score low. The contrast is
 * multiplied by a centre prior (see {@link SaliencyOptions.centrePrior}), so that of several
 * contrasting regions the central one wins, while a distinct object near the border still beats
 * a plain centre. A uniform image gives the centre prior alone.
 *
 * On real photographs its top 6 of 7 × 7 cells share about 2 with those of pretrained
 * classifiers (see the README for the measurement), where the frequency-tuned saliency of
 * version 0.1.0 shared fewer than chance. Works on any backend, any image size and any number
 * of channels (three are taken as RGB); it reads the batch once, at full resolution, in one
 * strided average pool. Scale does not matter (the map is only ranked, or normalised for
 * `labelMode: 'attention'`), so images may be in [0, 1] or [0, 255], float32 or int32.
 *
 * @example
 * ```ts fragment
 * const photos = tf.randomUniform([4, 224, 224, 3]);
 * const mixed = attentiveCutMix(photos, [0, 1, 2, 3], saliencyExtractor(), { numClasses: 10, seed: 0 });
 * const uncentred = saliencyExtractor({ centrePrior: false, workingSize: 16 }); // for subjects anywhere
 * tf.dispose([photos, mixed]);
 * ```
 * @public
 */
export function saliencyExtractor(options?: SaliencyOptions): AttentionExtractor {
  const { workingSize, centrePrior } = resolveOptions('saliencyExtractor', SALIENCY_OPTIONS, options);
  return { extract: (images) => borderContrastSaliency(images, workingSize, centrePrior) };
}

/** {@link SaliencyOptions}: defaults and rules. */
const SALIENCY_OPTIONS = { workingSize: numberOption({ default: 32, min: 1, integer: true }), centrePrior: booleanOption(true) };

/** The prior's standard deviation, as a share of each side. */
const PRIOR_SIGMA = 1 / 3;
/** Contrast below this share of the border colours' magnitude counts as none, so that a flat image gives the prior. */
const CONTRAST_FLOOR = 1e-2;

/**
 * RGB → (lightness, red − green, (red + green)/2 − blue), as the right factor of a matrix
 * product. Compared with RGB distance it weights differences of hue about 2.4 times more than
 * differences of lightness, which shading and lighting produce on one surface.
 */
const OPPONENT = [
  [1 / 3, 1, 0.5],
  [1 / 3, -1, 0.5],
  [1 / 3, 0, -1],
];

function borderContrastSaliency(images: Tensor4D, workingSize: number, centrePrior: boolean): Tensor3D {
  // Each stage runs in its own tidy and the previous stage's output is disposed as soon as it is
  // used up, so that on images too small to be pooled (where every map is as large as the batch)
  // the peak memory stays a few maps, not a dozen.
  return tidy(() => {
    const [batch, height, width, channels] = images.shape;
    const block = Math.max(1, Math.floor(Math.min(height, width) / workingSize));
    // One strided pool reads the batch once; everything after works on a map 1/block² its size.
    const pooled = tidy(() => {
      const x = images.dtype === 'float32' ? images : (cast(images, 'float32') as Tensor4D);
      return block > 1 ? avgPool(x, block, block, 'valid') : x;
    });
    const [, h, w] = pooled.shape;
    const pixels = h * w;
    const done = (t: Tensor) => t !== images && t.dispose();
    // Each pixel as [colour, 1] (a bias column of the colour transform), so that squared
    // distances come out of one matrix product: |p − q|² = [p, 1] · [−2q, |q|²] + |p|².
    const transform = channels === 3 ? OPPONENT : identity(channels);
    const colour = tidy(() => {
      const a = reshape(pooled, [batch * pixels, channels]);
      const b = tensor2d(transform.map((row) => [...row, 0]));
      return reshape(fused.matMul({ a, b, bias: tensor1d([...transform.map(() => 0), 1]) }), [batch, pixels, channels + 1]) as Tensor3D;
    });
    done(pooled);
    const band = Math.max(1, Math.round(Math.min(h, w) / 8));
    const right = tidy(() => {
      // [1, 4, h·w] · [B, h·w, C + 1]: the mean colour of each border band, less its column of ones.
      const background = slice(matMul(tensor3d(borderBands(h, w, band), [1, 4, pixels]), colour), [0, 0, 0], [batch, 4, channels]);
      const squares = sum(square(background), 2, true);
      if (!centrePrior) return concat([mul(background, -2), squares], 2);
      // A floor under the contrast, so that a flat image gives the prior: a share of the image's
      // scale (the root mean square of the border colours), squared and added to every |q|², so
      // that the product gives contrast² + floor². A black border has no scale; the tiny
      // constant keeps the prior of a black image too.
      const floor = add(mul(mean(squares, 1, true), CONTRAST_FLOOR * CONTRAST_FLOOR), 1e-30);
      return concat([mul(background, -2), add(squares, floor)], 2);
    });
    // Two box blurs ≈ a Gaussian whose width is a fixed share of the image, so that texture of
    // that scale averages out to the colour of the surface it covers. The column of ones stays 1.
    const window = 2 * Math.max(1, Math.round(Math.min(h, w) / 24)) + 1;
    const blurOnce = tidy(() => avgPool(reshape(colour, [batch, h, w, channels + 1]) as Tensor4D, window, 1, 'same'));
    colour.dispose();
    const blurred = tidy(() => reshape(avgPool(blurOnce, window, 1, 'same'), [batch, pixels, channels + 1]));
    blurOnce.dispose();
    // The nearest background colour, not their mean: a border of sky above and grass below is
    // background in both colours. |p|² is the squared sum less the 1; rounding can make the
    // sum slightly negative.
    const contrast = tidy(() => {
      const nearest = min(matMul(blurred, right, false, true), 2);
      const squared = add(nearest, sub(sum(square(blurred), 2), 1));
      return reshape(sqrt(relu(squared)), [batch, h, w]) as Tensor3D;
    });
    blurred.dispose();
    if (!centrePrior) return contrast;
    return mul(contrast, gaussianPrior(batch, h, w)) as Tensor3D;
  });
}

const identity = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/** Row j of the `[4, h·w]` matrix averages border band j: top, bottom, left, right. */
function borderBands(h: number, w: number, band: number): Float32Array {
  const bands = new Float32Array(4 * h * w);
  const counts = [band * w, band * w, band * h, band * h];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      [y < band, y >= h - band, x < band, x >= w - band].forEach((inside, j) => inside && (bands[j * h * w + y * w + x] = 1 / counts[j]!));
    }
  }
  return bands;
}

/**
 * `[B, h, w]`: exp(−(dy² + dx²)/2σ²), with dy and dx the distances to the centre as shares of the
 * height and width. Made for the whole batch, as a broadcast product is slow on the cpu backend.
 */
function gaussianPrior(batch: number, h: number, w: number): Tensor {
  const prior = new Float32Array(batch * h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [dy, dx] = [(y + 0.5) / h - 0.5, (x + 0.5) / w - 0.5];
      prior[y * w + x] = Math.exp(-(dy * dy + dx * dx) / (2 * PRIOR_SIGMA * PRIOR_SIGMA));
    }
  }
  for (let b = 1; b < batch; b++) prior.copyWithin(b * h * w, 0, h * w);
  return tensor3d(prior, [batch, h, w]);
}
