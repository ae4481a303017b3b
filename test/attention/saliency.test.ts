import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { makeScenes } from '../../examples/samples/scenes.js';
import { attentiveCutMix, saliencyExtractor } from '../../src/index.js';
import { poolToGrid } from '../../src/cells/pool_to_grid.js';
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

/** `[B, size, size, 3]` images of one colour per region: `paint(b, y, x)` gives the RGB of a pixel. */
function painted(batch: number, size: number, paint: (b: number, y: number, x: number) => number[], dtype: 'float32' | 'int32' = 'float32') {
  const values = new Float32Array(batch * size * size * 3);
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) values.set(paint(b, y, x), ((b * size + y) * size + x) * 3);
  }
  return tf.tensor4d(values, [batch, size, size, 3], dtype);
}

/** Every cell of each image's `grid × grid` map, highest first (ties to the lower index). */
async function ranking(map: tf.Tensor3D, grid: number): Promise<number[][]> {
  const cells = tf.tidy(() => poolToGrid(map, grid));
  const values = (await cells.array()) as number[][][];
  cells.dispose();
  return values.map((m) => {
    const v = m.flat();
    return v.map((_, i) => i).sort((i, j) => v[j]! - v[i]! || i - j);
  });
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

  it.each([64, 224])('puts the top cell of a 7 × 7 grid on the object of the demo scenes at %i px', async (size) => {
    const scenes = makeScenes(10, size, `scenes-${size}`);
    const map = saliencyExtractor().extract(scenes.images) as tf.Tensor3D;
    const tops = (await ranking(map, 7)).map((r) => r[0]!);
    const cell = size / 7;
    tops.forEach((top, i) => {
      const [y0, x0, y1, x1] = scenes.objects[i]!;
      const [r, c] = [Math.floor(top / 7), top % 7];
      expect(r * cell < y1 && (r + 1) * cell > y0 && c * cell < x1 && (c + 1) * cell > x0, `scene ${i}: top cell ${top}`).toBe(true);
    });
    tf.dispose([scenes.images, map]);
  });

  it('gives a uniform image, black included, a map peaked at the centre, falling off evenly', async () => {
    const images = painted(2, 49, (b) => (b === 0 ? [0.3, 0.6, 0.2] : [0, 0, 0]));
    const map = saliencyExtractor().extract(images) as tf.Tensor3D;
    for (const order of await ranking(map, 7)) {
      expect(order[0]).toBe(24);
      expect([...order.slice(1, 5)].sort((a, b) => a - b)).toEqual([17, 23, 25, 31]); // the four neighbours
      expect([...order.slice(5, 9)].sort((a, b) => a - b)).toEqual([16, 18, 30, 32]); // then the diagonals
    }
    tf.dispose([images, map]);
  });

  it('ranks an object near the border above a plain centre, when it differs from the border', async () => {
    // 70 px, grid 7: the object fills cell (1, 5), one cell in from the top-right corner.
    const images = painted(1, 70, (_, y, x) => (y >= 10 && y < 20 && x >= 50 && x < 60 ? [0.8, 0.3, 0.3] : [0.45, 0.5, 0.55]));
    const map = saliencyExtractor().extract(images) as tf.Tensor3D;
    expect((await ranking(map, 7))[0]![0]).toBe(12);
    tf.dispose([images, map]);
  });

  it('takes a border of two colours (sky above, grass below) as background in both', async () => {
    // Sky in the top half, grass in the bottom half, an object off-centre on the grass; against
    // the mean border colour, all of the sky and the grass would be as salient as the object.
    const images = painted(1, 70, (_, y, x) => (y >= 40 && y < 60 && x >= 10 && x < 30 ? [0.9, 0.8, 0.1] : y < 35 ? [0.5, 0.7, 0.95] : [0.2, 0.55, 0.15]));
    const map = saliencyExtractor().extract(images) as tf.Tensor3D;
    const top = (await ranking(map, 7))[0]!.slice(0, 4);
    expect([...top].sort((a, b) => a - b)).toEqual([29, 30, 36, 37]);
    tf.dispose([images, map]);
  });

  it('without the centre prior, ranks by contrast alone: a uniform image is flat, a corner object first', async () => {
    const extractor = saliencyExtractor({ centrePrior: false });
    const flat = painted(1, 35, () => [0.4, 0.4, 0.4]);
    const corner = painted(1, 35, (_, y, x) => (y < 5 && x < 5 ? [0.9, 0.1, 0.1] : [0.4, 0.4, 0.4]));
    const [flatMap, cornerMap] = [extractor.extract(flat) as tf.Tensor3D, extractor.extract(corner) as tf.Tensor3D];
    const values = await flatMap.data();
    expect(Math.max(...values)).toBeLessThan(1e-3);
    expect((await ranking(cornerMap, 7))[0]![0]).toBe(0);
    tf.dispose([flat, corner, flatMap, cornerMap]);
  });

  it('ranks int32 images in [0, 255] as it ranks the same images as float32 in [0, 1]', async () => {
    const scenes = makeScenes(6, 64, 'dtypes');
    const ints = tf.tidy(() => tf.cast(tf.round(tf.mul(scenes.images, 255)), 'int32')) as tf.Tensor4D;
    const floats = tf.tidy(() => tf.div(tf.cast(ints, 'float32'), 255)) as tf.Tensor4D;
    const extractor = saliencyExtractor();
    const [a, b] = [extractor.extract(ints) as tf.Tensor3D, extractor.extract(floats) as tf.Tensor3D];
    const [ra, rb] = [await ranking(a, 7), await ranking(b, 7)];
    ra.forEach((r, i) => expect(r.slice(0, 6), `image ${i}`).toEqual(rb[i]!.slice(0, 6)));
    tf.dispose([scenes.images, ints, floats, a, b]);
  });

  it('works on one, three and four channels and on non-square images', () => {
    const cases: [[number, number, number, number], number[]][] = [
      [[2, 40, 64, 1], [2, 40, 64]],
      [[1, 224, 300, 3], [1, 32, 42]],
      [[1, 100, 70, 4], [1, 50, 35]],
    ];
    for (const [shape, expected] of cases) {
      const images = tf.randomUniform(shape) as tf.Tensor4D;
      const map = saliencyExtractor().extract(images) as tf.Tensor3D;
      expect([map.shape, map.dtype]).toEqual([expected, 'float32']);
      tf.dispose([images, map]);
    }
  });

  it('leaves no tensor behind, keeps its input, and returns one map per image', () => {
    const images = tf.randomUniform([3, 40, 50, 3]) as tf.Tensor4D;
    const ints = tf.randomUniform([2, 33, 33, 3], 0, 255, 'int32') as tf.Tensor4D;
    const extractor = saliencyExtractor({ workingSize: 20 });
    for (const options of [{}, { centrePrior: false }]) {
      expectNoLeak(() => {
        const map = saliencyExtractor({ workingSize: 20, ...options }).extract(images);
        expect(map.shape).toEqual([3, 20, 25]);
        return map;
      });
    }
    expectNoLeak(() => extractor.extract(ints));
    expect([images.isDisposed, ints.isDisposed]).toEqual([false, false]);
    tf.dispose([images, ints]);
  });

  it('runs as many kernels for a batch of 16 as for a batch of 2', async () => {
    const extractor = saliencyExtractor();
    const kernels = async (batch: number) => {
      const images = tf.randomUniform([batch, 96, 96, 3]) as tf.Tensor4D;
      let map: tf.Tensor | undefined;
      const info = await tf.profile(() => (map = extractor.extract(images) as tf.Tensor));
      tf.dispose([images, map!]);
      return info.kernelNames;
    };
    expect(await kernels(16)).toEqual(await kernels(2));
  });

  it('rejects unknown options, a bad working size and a centre prior that is not a boolean', () => {
    expect(() => saliencyExtractor({ workingSize: 0 })).toThrow(/Argument 'options.workingSize' passed to 'saliencyExtractor' must be an integer >= 1, but got 0/);
    expect(() => saliencyExtractor({ centrePrior: 1 } as object)).toThrow(/Argument 'options.centrePrior' passed to 'saliencyExtractor' must be a boolean, but got 1\./);
    expect(() => saliencyExtractor({ size: 3 } as object)).toThrow(/Unknown option 'size' passed to 'saliencyExtractor'; the options are: workingSize, centrePrior/);
  });
});
