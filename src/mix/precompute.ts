import { type Tensor, type Tensor2D, type Tensor3D, type Tensor4D, type TensorLike, clone, concat, dispose, slice, tidy } from '@tensorflow/tfjs-core';

import { LABEL_OPTIONS, type Labels, toBatch, toSoftLabels } from './inputs.js';
import { customOption, numberOption, resolveOptions } from '../options.js';
import { argumentError, errorMessage } from '../validation.js';
import { GRID_OPTION, assertGridFits, poolToGrid } from '../cells/pool_to_grid.js';
import { type AttentionExtractor, assertExtractor, extractAttention } from '../attention/extractor.js';
import { saliencyExtractor } from '../attention/saliency.js';

/**
 * Options of {@link precomputeAttention}.
 * @public
 */
export interface PrecomputeAttentionOptions {
  /** The maps are pooled to `grid × grid` cells exactly as {@link attentiveCutMix} pools them: give the grid you will mix with. An integer ≥ 1, at most H and W. Default 7. */
  grid?: number;
  /** Images per call of the extractor, an integer ≥ 1: only one such batch and its intermediates are in memory at a time. Default 32. */
  batchSize?: number;
  /** Called after each batch with the number of images done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The images' labels, for extractors whose map depends on the class (class activation maps):
   * int32 class ids `[N]` (with `numClasses`) or one-hot / soft labels `[N, K]`. Each batch's
   * labels are passed to `extract(images, labels)` as float32 `[b, K]`, as attentiveCutMix passes them.
   */
  labels?: Labels;
  /** K, the number of classes: required when `labels` are class ids; only with `labels`. */
  numClasses?: number;
}

/** {@link PrecomputeAttentionOptions}: defaults and rules (`labels` are checked with the images). */
const PRECOMPUTE_OPTIONS = {
  grid: GRID_OPTION,
  batchSize: numberOption({ default: 32, min: 1, integer: true }),
  onProgress: customOption('a function (done, total) => void', (f): f is (done: number, total: number) => void => typeof f === 'function'),
  labels: customOption('class ids [N] or labels [N, K]', (v): v is Labels => v !== undefined),
  numClasses: LABEL_OPTIONS.numClasses,
};

/**
 * Computes the attention maps of a whole set of images once, so that training can mix with them
 * for free: a pretrained extractor can cost a hundred times the mix itself. The maps are
 * pooled to `grid × grid` exactly as {@link attentiveCutMix} pools an extractor's output; give a
 * batch's rows to attentiveCutMix in place of the extractor (or zip them into a tf.data pipeline
 * as the `attention` of {@link mixDataset}'s batches) and it mixes as the extractor would.
 *
 * Valid only while the maps stay true: for a frozen extractor (not the model being trained), and
 * with no geometric augmentation (flip, crop, resize) between computing and mixing, unless the
 * same one is applied to the maps.
 *
 * The extractor runs on batches of `batchSize` images, one at a time: each batch's intermediates
 * are disposed before the next starts, and the event loop gets a turn (a macrotask: timers, I/O
 * and rendering run) before each batch, so the call returns before the first one runs. Nothing
 * is read back from the device (class ids given as a tensor on a cpu or wasm backend are checked,
 * as in every op). The caller's images and labels are left alone; if the extractor throws, the
 * maps made so far are disposed and the error names the batch.
 *
 * @param images - `[N, H, W, C]`, float32 or int32, as a tensor or nested arrays.
 * @param extractor - Gives the maps; default {@link saliencyExtractor}`()`. See {@link AttentionExtractor}.
 * @param options - See {@link PrecomputeAttentionOptions}.
 * @returns float32 `[N, grid, grid]`, owned by the caller; row i is image i's map.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { attentiveCutMix, precomputeAttention, saliencyExtractor } from 'attentive-cutmix';
 *
 * const images = tf.randomUniform([100, 32, 32, 3]) as tf.Tensor4D;
 * const maps = await precomputeAttention(images, saliencyExtractor(), {
 *   grid: 4,
 *   batchSize: 25,
 *   onProgress: (done, total) => console.log(`${done} / ${total}`),
 * });
 * const [xs, batchMaps] = [tf.slice(images, 0, 8), tf.slice(maps, 0, 8)];
 * const mixed = attentiveCutMix(xs, [0, 1, 2, 3, 4, 5, 6, 7], batchMaps, { numClasses: 10, grid: 4, topN: 3, seed: 0 });
 * tf.dispose([images, maps, xs, batchMaps, mixed]);
 * ```
 * @public
 */
export async function precomputeAttention(images: Tensor | TensorLike, extractor?: AttentionExtractor, options?: PrecomputeAttentionOptions): Promise<Tensor3D> {
  const op = 'precomputeAttention';
  const { grid, batchSize, onProgress, labels, numClasses } = resolveOptions(op, PRECOMPUTE_OPTIONS, options);
  if (numClasses !== undefined && labels === undefined) throw argumentError(op, 'options.numClasses', 'given only with options.labels', String(numClasses));
  const source = extractor ?? saliencyExtractor();
  assertExtractor(op, 'extractor', source);

  const owned: Tensor[] = []; // converted from arrays here: ours to dispose, unlike the caller's tensors
  const pieces: Tensor3D[] = [];
  try {
    const x = tidy(() => toBatch(op, images)); // a tensor made from an array is disposed if it is refused
    if (x !== images) owned.push(x);
    const [total, height, width] = x.shape;
    assertGridFits(op, grid, height, width);
    const y = labels === undefined ? undefined : tidy(() => toSoftLabels(op, labels, total, { numClasses }, 'options.labels'));
    if (y !== undefined && y !== labels) owned.push(y);
    for (let start = 0; start < total; start += batchSize) {
      await nextMacrotask(); // before the first batch too: the call returns before any extraction
      const size = Math.min(batchSize, total - start);
      pieces.push(batchMaps(op, source, x, y, start, size, grid));
      if (onProgress) reportProgress(op, onProgress, start + size, total);
    }
    return pieces.length === 1 ? pieces.pop()! : (concat(pieces, 0) as Tensor3D);
  } finally {
    dispose([...pieces, ...owned]);
  }
}

/** The pooled maps of images `start … start + size − 1`; what the extractor made is disposed. */
function batchMaps(op: string, extractor: AttentionExtractor, x: Tensor4D, y: Tensor2D | undefined, start: number, size: number, grid: number): Tensor3D {
  // The caller may dispose its images while the call awaits: say so rather than "Tensor is disposed".
  // (The labels are a float32 copy of ours.)
  if (x.isDisposed) throw argumentError(op, 'images', 'a tensor that is kept until the returned promise settles', `one disposed before images ${start} to ${start + size - 1} were done`);
  try {
    return tidy(() => {
      const images = slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
      const labels = y && slice(y, [start, 0], [size, -1]);
      const map = extractAttention(op, extractor, images, labels);
      const pooled = poolToGrid(map, grid);
      // A grid-sized map passes through unpooled, and may be one the extractor keeps (a cache):
      // a handle of our own can be disposed with the other pieces and leaves the cache intact.
      return pooled === map ? clone(pooled) : pooled;
    });
  } catch (e) {
    throw new Error(`'${op}' could not compute the attention of images ${start} to ${start + size - 1} (of ${x.shape[0]}): ${errorMessage(e)}`, { cause: e });
  }
}

function reportProgress(op: string, onProgress: (done: number, total: number) => void, done: number, total: number): void {
  try {
    onProgress(done, total);
  } catch (e) {
    throw new Error(`The onProgress callback passed to '${op}' threw after ${done} of ${total} images: ${errorMessage(e)}`, { cause: e });
  }
}

/**
 * A turn of the event loop. A timer rather than a resolved promise, which would let only
 * microtasks run: timers, I/O and (in a page) rendering must get their turn between batches.
 */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
