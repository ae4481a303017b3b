// The photographs `node scripts/real-data.mjs` puts in .cache/real-data/photos, for the
// measurement scripts: decoded to RGB and centre-cropped to a square.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** Where real-data.mjs writes. */
export const data = resolve(import.meta.dirname, '../.cache/real-data');

export interface Photo {
  name: string;
  pixels: tf.Tensor3D; // float32 [s, s, 3] in [0, 255]
}

function decode(file: string): { width: number; height: number; rgba: Uint8Array } {
  const bytes = readFileSync(file);
  if (file.endsWith('.png')) {
    const png = PNG.sync.read(bytes);
    return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
  }
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true });
  return { width: img.width, height: img.height, rgba: img.data };
}

export function loadPhotos(): Photo[] {
  const dir = join(data, 'photos');
  return readdirSync(dir)
    .filter((f) => /\.(png|jpe?g)$/.test(f))
    .sort()
    .map((f) => {
      const { width, height, rgba } = decode(join(dir, f));
      const side = Math.min(width, height);
      const [oy, ox] = [Math.floor((height - side) / 2), Math.floor((width - side) / 2)];
      const rgb = new Float32Array(side * side * 3);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          for (let c = 0; c < 3; c++) rgb[(y * side + x) * 3 + c] = rgba[((oy + y) * width + ox + x) * 4 + c]!;
        }
      }
      return { name: f.replace(/\.[^.]+$/, ''), pixels: tf.tensor3d(rgb, [side, side, 3]) };
    });
}

/** A batch of one photo at `size` px: an integer-factor box filter first, so that shrinking does not alias. */
export function resized(photo: Photo, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.expandDims(photo.pixels, 0) as tf.Tensor4D;
    const factor = Math.floor(photo.pixels.shape[0] / size);
    const boxed = factor > 1 ? tf.avgPool(x, factor, factor, 'valid') : x;
    return tf.image.resizeBilinear(boxed, [size, size], false, true);
  });
}

