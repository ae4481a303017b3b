// A generated image-classification task for the training example: each image holds one small
// shape (the class) at a random place, scale and colour, on a textured, cluttered background.
// The discriminative region is small (the object covers about 4 to 12 % of the image), the
// colour says nothing about the class, and the clutter looks like the objects' colours, so a
// model has to find the object and read its outline: the situation Attentive CutMix is made for.
// The same idea and shapes as examples/samples/scenes.ts, with smaller objects, clutter and a
// sixth class.
import * as tf from '@tensorflow/tfjs-core';

import { createRng } from '../../src/sampling/rng.js';
import { hsvToRgb, insideShape } from '../samples/scenes.js';

/** The object classes, in label order. */
export const SHAPE_CLASSES = ['disc', 'square', 'triangle', 'ring', 'cross', 'diamond'] as const;

/** A labelled set of images. */
export interface ShapeSet {
  /** float32 `[count, size, size, 3]` in [0, 1]. */
  images: tf.Tensor4D;
  /** int32 `[count]`, class ids into {@link SHAPE_CLASSES}. */
  labels: tf.Tensor1D;
  /** Bounding box `[y0, x0, y1, x1]` of each object, half-open, in pixels. */
  objects: [number, number, number, number][];
}

export interface ShapeSetOptions {
  /** Image side in pixels. Default 32. */
  size?: number;
  /** Smallest and largest object side, as fractions of the image side. Default [0.2, 0.34]. */
  extent?: [number, number];
  /** Clutter blobs per image. Default 6. */
  clutter?: number;
  /** Seed of the stream the set is drawn from. Default 0. */
  seed?: number | string;
}

/**
 * `count` images with balanced classes in random order (class of image i drawn at random), each
 * one shape of a random colour, side in `extent` × size, at a random place, on stripes, a
 * gradient, noise, and `clutter` small blobs in colours like the objects'.
 */
export function makeShapeSet(count: number, options: ShapeSetOptions = {}): ShapeSet {
  const { size = 32, extent = [0.2, 0.34], clutter = 6, seed = 0 } = options;
  const rng = createRng(seed);
  const pixels = new Float32Array(count * size * size * 3);
  const labels = new Int32Array(count);
  const objects: [number, number, number, number][] = [];
  for (let b = 0; b < count; b++) {
    const label = Math.min(SHAPE_CLASSES.length - 1, Math.floor(rng.uniform() * SHAPE_CLASSES.length));
    const side = Math.max(4, Math.round(size * (extent[0] + (extent[1] - extent[0]) * rng.uniform())));
    const y0 = Math.floor(rng.uniform() * (size - side + 1));
    const x0 = Math.floor(rng.uniform() * (size - side + 1));
    const colour = hsvToRgb(rng.uniform(), 0.8, 0.95);
    const ground = hsvToRgb(rng.uniform(), 0.3, 0.5);
    const angle = rng.uniform() * Math.PI;
    const period = 2.5 + rng.uniform() * 4;
    const blobs = Array.from({ length: clutter }, () => ({
      y: rng.uniform() * size,
      x: rng.uniform() * size,
      r: 0.8 + rng.uniform() * 1.4,
      colour: hsvToRgb(rng.uniform(), 0.7, 0.85),
    }));
    const base = b * size * size * 3;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const stripe = Math.sin(((x * Math.cos(angle) + y * Math.sin(angle)) / period) * 2 * Math.PI) > 0 ? 0.1 : -0.1;
        const gradient = 0.15 * (y / size - 0.5);
        const inside = insideShape(SHAPE_CLASSES[label]!, (y - y0 + 0.5) / side, (x - x0 + 0.5) / side);
        const blob = inside ? undefined : blobs.find((d) => Math.hypot(y + 0.5 - d.y, x + 0.5 - d.x) < d.r);
        for (let c = 0; c < 3; c++) {
          const value = inside ? colour[c]! : blob ? blob.colour[c]! : ground[c]! + stripe + gradient;
          pixels[base + (y * size + x) * 3 + c] = Math.min(1, Math.max(0, value + 0.08 * (rng.uniform() - 0.5)));
        }
      }
    }
    labels[b] = label;
    objects.push([y0, x0, y0 + side, x0 + side]);
  }
  return { images: tf.tensor4d(pixels, [count, size, size, 3]), labels: tf.tensor1d(labels, 'int32'), objects };
}
