// Sample images for the demo, the preview CLI's defaults and the browser page: one recognisable
// object (a coloured shape) on a textured background, drawn from a seeded stream. Plain
// TypeScript over typed arrays, so it runs in Node and in the browser alike.
import * as tf from '@tensorflow/tfjs-core';

import { createRng } from '../../src/sampling/rng.js';

/** The object classes, in label order. */
export const SHAPE_CLASSES = ['disc', 'square', 'triangle', 'ring', 'cross'] as const;

export interface Scenes {
  /** float32 `[count, size, size, 3]` in [0, 1]. */
  images: tf.Tensor4D;
  /** Class index of each image, into {@link SHAPE_CLASSES}. */
  labels: number[];
  /** Bounding box `[y0, x0, y1, x1]` of each object, half-open, in pixels. */
  objects: [number, number, number, number][];
}

/**
 * `count` images of `size × size` pixels, each one shape of class `i mod 5` (or drawn at random
 * with `randomClasses`) at a random place and scale, on a background of stripes, a gradient and
 * noise in muted colours, so that the object stands out the way real subjects do.
 */
export function makeScenes(count: number, size: number, seed: number | string = 0, randomClasses = false): Scenes {
  const rng = createRng(seed);
  const pixels = new Float32Array(count * size * size * 3);
  const labels: number[] = [];
  const objects: [number, number, number, number][] = [];
  for (let b = 0; b < count; b++) {
    const label = randomClasses ? Math.floor(rng.uniform() * SHAPE_CLASSES.length) : b % SHAPE_CLASSES.length;
    const extent = Math.round(size * (0.25 + 0.2 * rng.uniform()));
    const y0 = Math.floor(rng.uniform() * (size - extent));
    const x0 = Math.floor(rng.uniform() * (size - extent));
    const hue = rng.uniform();
    const colour = hsvToRgb(hue, 0.85, 0.95);
    const ground = hsvToRgb((hue + 0.5) % 1, 0.25, 0.55); // muted, opposite hue
    const angle = rng.uniform() * Math.PI;
    const period = 3 + rng.uniform() * 5;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const stripe = Math.sin(((x * Math.cos(angle) + y * Math.sin(angle)) / period) * 2 * Math.PI) > 0 ? 0.08 : -0.08;
        const gradient = 0.1 * (y / size - 0.5);
        const inside = insideShape(SHAPE_CLASSES[label]!, (y - y0 + 0.5) / extent, (x - x0 + 0.5) / extent);
        for (let c = 0; c < 3; c++) {
          const value = inside ? colour[c]! : ground[c]! + stripe + gradient + 0.1 * (rng.uniform() - 0.5);
          pixels[((b * size + y) * size + x) * 3 + c] = Math.min(1, Math.max(0, value));
        }
      }
    }
    labels.push(label);
    objects.push([y0, x0, y0 + extent, x0 + extent]);
  }
  return { images: tf.tensor4d(pixels, [count, size, size, 3]), labels, objects };
}

/** The shapes the sample generators draw. */
export type ShapeName = (typeof SHAPE_CLASSES)[number] | 'diamond';

/** Whether the point (v, u) of the unit square lies inside `shape`. */
export function insideShape(shape: ShapeName, v: number, u: number): boolean {
  if (v < 0 || v >= 1 || u < 0 || u >= 1) return false;
  const [dy, dx] = [v - 0.5, u - 0.5];
  const r = Math.hypot(dy, dx);
  switch (shape) {
    case 'disc':
      return r < 0.5;
    case 'square':
      return Math.abs(dy) < 0.42 && Math.abs(dx) < 0.42;
    case 'triangle':
      return v > 0.08 && Math.abs(dx) < 0.5 * v;
    case 'ring':
      return r < 0.5 && r > 0.28;
    case 'cross':
      return Math.abs(dy) < 0.15 || Math.abs(dx) < 0.15;
    case 'diamond':
      return Math.abs(dy) + Math.abs(dx) < 0.5;
  }
}

/** HSV in [0, 1] to RGB in [0, 1]. */
export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const f = (n: number) => {
    const k = (n + h * 6) % 6;
    return v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  };
  return [f(5), f(3), f(1)];
}
