import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { attentiveCutMix, saliencyExtractor } from '../../src/index.js';
import { createRng } from '../../src/sampling/rng.js';
import { expectNoLeak, read } from '../support/tensors.js';

/**
 * Images of one flat-coloured object covering `objectCells × objectCells` grid cells, at a random
 * cell-aligned place, on a background of random fine texture (noise and stripes around mid-grey).
 * Returns the images and, per image, the row-major indices of the object's cells.
 */
function objectOnTexture(batch: number, size: number, grid: number, objectCells: number, seed: string) {
  const rng = createRng(seed);
  const cell = size / grid;
  const values: number[] = [];
  const objects: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const [r0, c0] = [Math.floor(rng.uniform() * (grid - objectCells + 1)), Math.floor(rng.uniform() * (grid - objectCells + 1))];
    const colour = [0.15 + 0.7 * rng.uniform(), 0.15 + 0.7 * rng.uniform(), 0.15 + 0.7 * rng.uniform()];
    colour[Math.floor(rng.uniform() * 3)] = rng.uniform() < 0.5 ? 0.02 : 0.98; // saturated in one channel
    objects.push(Array.from({ length: objectCells * objectCells }, (_, k) => (r0 + Math.floor(k / objectCells)) * grid + c0 + (k % objectCells)));
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = y >= r0 * cell && y < (r0 + objectCells) * cell && x >= c0 * cell && x < (c0 + objectCells) * cell;
        for (let c = 0; c < 3; c++) {
          const texture = 0.5 + 0.3 * Math.sign(Math.sin(1.7 * x + 2.3 * y + c)) * 0.5 + 0.3 * (rng.uniform() - 0.5);
          values.push(inside ? colour[c]! : texture);
        }
      }
    }
  }
  return { images: tf.tensor4d(values, [batch, size, size, 3]), objects };
}

describe('saliencyExtractor', () => {
  it.each([
    [32, 4, 1],
    [64, 8, 2],
    [112, 7, 2],
  ])('ranks the cells of the object highest on %i px images (grid %i)', async (size, grid, objectCells) => {
    const { images, objects } = objectOnTexture(6, size, grid, objectCells, `object-${size}`);
    const topN = objectCells * objectCells;
    const result = attentiveCutMix(images, tf.eye(6) as tf.Tensor2D, saliencyExtractor(), { grid, topN, partner: 'roll' });
    const cells = await read<number[][]>(result.cells);
    cells.forEach((row, i) => expect([...row].sort((a, b) => a - b)).toEqual(objects[(i + 5) % 6]));
    tf.dispose([images, result]);
  });

  it('leaves no tensor behind and returns one map per image', () => {
    const images = tf.randomUniform([3, 40, 50, 3]) as tf.Tensor4D;
    const extractor = saliencyExtractor({ workingSize: 20 });
    expectNoLeak(() => {
      const map = extractor.extract(images);
      expect(map.shape).toEqual([3, 20, 25]);
      return map;
    });
    images.dispose();
  });

  it('rejects unknown options and a bad working size', () => {
    expect(() => saliencyExtractor({ workingSize: 0 })).toThrow(/Argument 'options.workingSize' passed to 'saliencyExtractor' must be an integer >= 1, but got 0/);
    expect(() => saliencyExtractor({ size: 3 } as object)).toThrow(/Unknown option 'size' passed to 'saliencyExtractor'/);
  });
});
