// Fashion-MNIST in clutter: each garment, scaled down at random, sits at a random place on a
// larger black canvas strewn with fragments of other garments, as cluttered MNIST (Mnih et al.,
// 2014) was made from MNIST. The object covers a minority of the image, so that a box pasted at
// random often carries only clutter, the situation Attentive CutMix was proposed for.
//
// How an image is made (everything from one seeded stream per image, so image i is the same
// whichever range of the set is made, and the same on every machine):
// 1. The canvas is `side × side` (default 40) zeros.
// 2. `fragments` times (default 5): another garment j ≠ i of the same source set is drawn
//    uniformly, scaled by a factor drawn uniformly from `scale` (bilinear, half-pixel centres),
//    and a `size × size` window of it (size uniform in `fragmentSize`, whole pixels, at most half
//    the scaled garment's side, so that a fragment is never a whole garment), centred at a uniform
//    place in the middle half of the scaled garment, is laid on the canvas at a uniform place;
//    overlapping pixels keep the brighter value (max).
// 3. Garment i, scaled by a factor drawn uniformly from `scale` to `s × s` pixels
//    (s = round(28·factor)), is laid whole at a uniform place inside the canvas, also by max.
// The label is garment i's; its box (top, left, size) is kept.
//
// Fragments come from the same source set as the garments (training images from training images,
// test images from test images), so no split borrows another's pixels.
import { createRng } from '../../src/index.js';

/** A set of square grey images: `count × side × side` values in [0, 1], row by row. */
export interface GreyImages {
  pixels: Float32Array;
  labels: Int32Array;
  count: number;
  side: number;
}

/** How the clutter is made; see the top of this file. */
export interface ClutterOptions {
  /** The canvas side in pixels. Default 40. */
  side?: number;
  /** The range of the garments' (and fragments' sources') scale factors. Default [0.5, 0.8]. */
  scale?: readonly [number, number];
  /** How many fragments of other garments. Default 5. */
  fragments?: number;
  /** The range of a fragment's side in pixels, both ends included (at most half the scaled garment's side). Default [6, 12]. */
  fragmentSize?: readonly [number, number];
  /** The stream's seed: the same seed, the same images. */
  seed: string;
}

/** A cluttered set: the images, the garments' labels and where each garment was laid. */
export interface ClutteredImages extends GreyImages {
  /** Per image: the garment's top row, left column and side in pixels, `count × 3`. */
  boxes: Int32Array;
}

export const CLUTTER_DEFAULTS = { side: 40, scale: [0.5, 0.8], fragments: 5, fragmentSize: [6, 12] } as const;

/**
 * Resizes one `from × from` grey image to `to × to`, bilinear with half-pixel centres (as
 * `tf.image.resizeBilinear(…, false, true)`): output pixel centre (y + ½)·from/to − ½ in the
 * input, edge pixels clamped.
 */
export function resizeBilinear(image: Float32Array, from: number, to: number): Float32Array {
  const out = new Float32Array(to * to);
  const ratio = from / to;
  const coordinate = (o: number) => {
    const c = Math.min(Math.max((o + 0.5) * ratio - 0.5, 0), from - 1);
    const low = Math.floor(c);
    return { low, high: Math.min(low + 1, from - 1), t: c - low };
  };
  for (let y = 0; y < to; y++) {
    const cy = coordinate(y);
    for (let x = 0; x < to; x++) {
      const cx = coordinate(x);
      const top = image[cy.low * from + cx.low]! * (1 - cx.t) + image[cy.low * from + cx.high]! * cx.t;
      const bottom = image[cy.high * from + cx.low]! * (1 - cx.t) + image[cy.high * from + cx.high]! * cx.t;
      out[y * to + x] = top * (1 - cy.t) + bottom * cy.t;
    }
  }
  return out;
}

/** Makes images `[start, start + count)` of the cluttered version of `source`. */
export function makeCluttered(source: GreyImages, options: ClutterOptions, start = 0, count = source.count - start): ClutteredImages {
  const { side, scale, fragments, fragmentSize } = { ...CLUTTER_DEFAULTS, ...options };
  const from = source.side;
  if (!(scale[0] > 0 && scale[0] <= scale[1] && Math.round(from * scale[1]) <= side)) {
    throw new Error(`clutter scale must be 0 < lo <= hi with a scaled garment (${from}·hi px) inside the ${side}-px canvas, but got [${scale.join(', ')}].`);
  }
  if (!(Number.isInteger(fragmentSize[0]) && fragmentSize[0] >= 1 && fragmentSize[0] <= fragmentSize[1] && fragmentSize[1] <= side)) {
    throw new Error(`clutter fragmentSize must be whole pixels 1 <= lo <= hi <= ${side}, but got [${fragmentSize.join(', ')}].`);
  }
  if (!Number.isInteger(fragments) || fragments < 0) throw new Error(`clutter fragments must be a whole number >= 0, but got ${fragments}.`);
  if (fragments > 0 && source.count < 2) throw new Error('clutter needs at least 2 source images to draw fragments of other garments.');
  if (!(Number.isInteger(start) && start >= 0 && Number.isInteger(count) && count >= 0 && start + count <= source.count)) {
    throw new Error(`clutter range [${start}, ${start + count}) is outside the ${source.count} source images.`);
  }
  const pixels = new Float32Array(count * side * side);
  const labels = new Int32Array(count);
  const boxes = new Int32Array(count * 3);
  const garment = (j: number) => source.pixels.subarray(j * from * from, (j + 1) * from * from);
  const layOn = (canvas: Float32Array, image: Float32Array, width: number, sy: number, sx: number, h: number, w: number, top: number, left: number) => {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = image[(sy + y) * width + sx + x]!;
        const k = (top + y) * side + left + x;
        if (v > canvas[k]!) canvas[k] = v;
      }
    }
  };
  for (let n = 0; n < count; n++) {
    const i = start + n;
    const rng = createRng(`${options.seed}/${i}`);
    const int = (lo: number, hi: number) => lo + Math.floor(rng.uniform() * (hi - lo + 1)); // both ends included
    const scaledSide = () => Math.round(from * (scale[0] + rng.uniform() * (scale[1] - scale[0])));
    const canvas = pixels.subarray(n * side * side, (n + 1) * side * side);
    for (let f = 0; f < fragments; f++) {
      let j = int(0, source.count - 2);
      if (j >= i) j += 1; // uniform over the others
      const s = scaledSide();
      const scaled = resizeBilinear(garment(j), from, s);
      const size = Math.min(int(fragmentSize[0], fragmentSize[1]), Math.floor(s / 2));
      // the window's centre in the middle half of the scaled garment, the window inside it
      const centre = () => int(Math.floor(s / 4), Math.ceil((3 * s) / 4) - 1);
      const sy = Math.min(Math.max(centre() - Math.floor(size / 2), 0), s - size);
      const sx = Math.min(Math.max(centre() - Math.floor(size / 2), 0), s - size);
      layOn(canvas, scaled, s, sy, sx, size, size, int(0, side - size), int(0, side - size));
    }
    const s = scaledSide();
    const top = int(0, side - s);
    const left = int(0, side - s);
    layOn(canvas, resizeBilinear(garment(i), from, s), s, 0, 0, s, s, top, left);
    labels[n] = source.labels[i]!;
    boxes.set([top, left, s], n * 3);
  }
  return { pixels, labels, count, side, boxes };
}
