// applyAttentiveCutMix: the cells of an attentiveCutMix result replayed on another tensor of the
// batch (segmentation masks), pixel for pixel, keeping its dtype.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';

import { type AttentionExtractor, applyAttentiveCutMix, attentiveCutMix } from '../../src/index.js';
import { cellOf, expectNoLeak, expectThrowsCleanly, indexedImages, read } from '../support/tensors.js';

const randomMaps: AttentionExtractor = { extract: (images) => tf.randomUniform([images.shape[0], 5, 5], 0, 1, 'float32', 17) as tf.Tensor3D };

describe('applyAttentiveCutMix', () => {
  it.each([
    ['float32 images [8, 28, 28, 3], grid 7', [8, 28, 28, 3], 'float32', 7, 6],
    ['int32 images [5, 37, 31, 2], grid 6 (cells of unequal sizes)', [5, 37, 31, 2], 'int32', 6, 4],
  ] as const)('gives back the images of the result it replays, bit for bit: %s', async (_, shape, dtype, grid, topN) => {
    const x = indexedImages([...shape], dtype);
    const B = shape[0];
    const result = attentiveCutMix(x, Array.from({ length: B }, (_, i) => i % 3), randomMaps, { numClasses: 3, grid, topN, mode: 'elem', prob: 0.7, seed: 2 });
    const replayed = applyAttentiveCutMix(x, { partners: result.partners, cells: result.cells, grid });
    expect(replayed.dtype).toBe(dtype);
    expect(await replayed.data()).toEqual(await result.images.data());
    tf.dispose([x, result, replayed]);
  });

  it('pastes into masks [B, H, W] exactly the partner’s pixels of the cells, keeping int32', async () => {
    const [B, H, W, grid] = [4, 13, 10, 3];
    const masks = tf.tensor3d(Array.from({ length: B * H * W }, (_, i) => i), [B, H, W], 'int32');
    const partners = [1, 2, 3, 0];
    const cells = [[4, 0], [-1, -1], [8, 2], [5, -1]];
    const out = applyAttentiveCutMix(masks, { partners, cells, grid });
    expect([out.dtype, out.shape]).toEqual(['int32', [B, H, W]]);
    const got = await read<number[][][]>(out);
    for (let i = 0; i < B; i++) {
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const fromPartner = cells[i]!.includes(cellOf(y, x, H, W, grid));
          expect(got[i]![y]![x]).toBe(((fromPartner ? partners[i]! : i) * H + y) * W + x);
        }
      }
    }
    // The same from tensors; cells beyond the grid (a tensor is not checked on the device) paste nothing.
    const [partnersT, cellsT] = [tf.tensor1d(partners, 'int32'), tf.tensor2d(cells.map((row) => row.map((c) => (c === -1 ? 99 : c))), [B, 2], 'int32')];
    const fromTensors = applyAttentiveCutMix(masks, { partners: partnersT, cells: cellsT, grid });
    expect(await read(fromTensors)).toEqual(got);
    tf.dispose([masks, out, partnersT, cellsT, fromTensors]);
  });

  it('reads nothing back from the device, leaks nothing, and leaves its inputs alone', () => {
    const x = tf.randomUniform([3, 8, 8, 1]) as tf.Tensor4D;
    const params = { partners: tf.tensor1d([2, 0, 1], 'int32'), cells: tf.tensor2d([[0], [3], [-1]], [3, 1], 'int32'), grid: 2 };
    const proto = tf.Tensor.prototype;
    const spies = (['dataSync', 'data', 'arraySync', 'array'] as const).map((m) => vi.spyOn(proto, m));
    expectNoLeak(() => applyAttentiveCutMix(x, params));
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    expect([x.isDisposed, params.partners.isDisposed, params.cells.isDisposed]).toEqual([false, false, false]);
    tf.dispose([x, params.partners, params.cells]);
  });

  it('checks its arguments, naming them', () => {
    const x = tf.zeros([2, 6, 6]) as tf.Tensor3D;
    const arg = (a: string) => new RegExp(`Argument '${a}' passed to 'applyAttentiveCutMix'`);
    expectThrowsCleanly(() => applyAttentiveCutMix(x, { partners: [1, 0], cells: [[0], [1]], grid: 2.5 }), arg('params.grid'), /an integer >= 1, but got 2.5/);
    expectThrowsCleanly(() => applyAttentiveCutMix(x, { partners: [1, 0], cells: [[0], [1]], grid: 7 }), arg('options.grid'), /at most the image size 6×6/);
    expectThrowsCleanly(() => applyAttentiveCutMix(x, { partners: [1, 2], cells: [[0], [1]], grid: 2 }), arg('params.partners'), /2 integers in \[0, 2\)/);
    expectThrowsCleanly(() => applyAttentiveCutMix(x, { partners: [1, 0], cells: [[0], [4]], grid: 2 }), arg('params.cells'), /2 rows of as many cell indices in \[−1, 4\)/);
    expectThrowsCleanly(() => applyAttentiveCutMix(x, { partners: [1, 0], cells: [[0, 1], [2]], grid: 2 }), arg('params.cells'));
    const flat = tf.zeros([2, 6]);
    expectThrowsCleanly(() => applyAttentiveCutMix(flat as never, { partners: [1, 0], cells: [[0], [1]], grid: 2 }), arg('x'), /rank 4 \[B, H, W, C\] or rank 3 \[B, H, W\]/);
    tf.dispose([x, flat]);
  });
});
