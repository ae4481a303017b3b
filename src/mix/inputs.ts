// Conversion and checks of the tensors the public functions take. Call inside a `tidy`: a
// tensor made here from an array is an intermediate of the call.
import { type Tensor, type Tensor2D, type Tensor4D, type TensorLike, Tensor as TensorClass, cast, getBackend, oneHot, ones, tensor } from '@tensorflow/tfjs-core';

import { type ResolvedOptions, booleanOption, numberOption } from '../options.js';
import { argumentError, describe, errorMessage } from '../validation.js';
import { assertExactOnBackend } from '../kernels/precision.js';
import { assertGridFits } from '../cells/pool_to_grid.js';

/**
 * How labels are given: class ids `[B]` (with `numClasses`), int32 or float32 with integral
 * values (as tf.data batches plain numbers), or one-hot / soft labels `[B, K]`; a tensor, or the
 * same as nested arrays or a typed array.
 * @public
 */
export type Labels = Tensor | TensorLike;

/**
 * Options that control the output labels.
 * @public
 */
export interface LabelOptions {
  /**
   * K, the number of classes. Required when labels are class ids; must match K for `[B, K]`
   * labels. At most 2^24 = 16,777,216: beyond it, class ids held as float32 (as tf.data batches
   * plain numbers) are no longer whole numbers exactly.
   */
  numClasses?: number;
  /** Label smoothing ε in [0, 1], applied before mixing: off-value ε/K, on-value 1 − ε + ε/K. Default 0. */
  labelSmoothing?: number;
  /**
   * Whether to check that class ids are integers in [0, numClasses). Default: checked when the
   * ids are already in host memory (labels given as arrays, or tensors on the `cpu`, `wasm` or
   * `tensorflow` backends); not checked on GPU backends, where the check would read the labels
   * back from the device and stall it. There, an out-of-range id gives an all-zero one-hot row
   * (before smoothing) and a fractional float32 id is truncated. `true` checks on any backend (at
   * the cost of that read back), `false` nowhere, arrays included.
   */
  validateLabels?: boolean;
}

/** {@link LabelOptions}: defaults and rules. */
export const LABEL_OPTIONS = {
  numClasses: numberOption({ min: 1, max: 2 ** 24, integer: true }),
  labelSmoothing: numberOption({ default: 0, min: 0, max: 1 }),
  validateLabels: booleanOption(),
};

/** Label options after validation and defaults. */
export type ResolvedLabelOptions = ResolvedOptions<typeof LABEL_OPTIONS>;

/** Backends that keep tensor data in host memory, where reading it costs a copy and no stall. */
const HOST_BACKENDS = ['cpu', 'wasm', 'tensorflow'];

/**
 * Converts `x` to a tensor of rank 4 `[B, H, W, C]` (or, with `allowRank3`, `[B, H, W]`), float32 or int32.
 */
export function toImages(op: string, arg: string, x: Tensor | TensorLike, allowRank3 = false): Tensor {
  const t = toTensor(op, arg, x);
  const ranks = allowRank3 ? [3, 4] : [4];
  if (!ranks.includes(t.rank)) {
    const expected = allowRank3 ? 'a tensor of rank 4 [B, H, W, C] or rank 3 [B, H, W]' : 'a tensor of rank 4 [B, H, W, C]';
    throw argumentError(op, arg, expected, `rank ${t.rank} (${describe(t)})`);
  }
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    throw argumentError(op, arg, 'a float32 or int32 tensor', describe(t));
  }
  if (t.shape.some((d) => d === 0)) throw argumentError(op, arg, 'a tensor with no zero-sized dimension', describe(t));
  if (looksChannelsFirst(t.shape)) {
    const [b, c, h, w] = t.shape as [number, number, number, number];
    throw argumentError(
      op,
      arg,
      'images [B, H, W, C], channels last as tfjs has them',
      `${describe(t)}, which looks channels-first ([B, C, H, W], as PyTorch writes images: ${c} channel${c === 1 ? '' : 's'} of ${h} × ${w}; ` +
        `channels last, it would be ${c} pixel${c === 1 ? '' : 's'} high with ${w} channels); transpose it: tf.transpose(${arg}, [0, 2, 3, 1]) gives [${b}, ${h}, ${w}, ${c}]`,
    );
  }
  return t;
}

/**
 * `[B, C, H, W]`: a second dimension of 1 to 4 (grey, grey and alpha, RGB, RGBA) before two of 8
 * or more. Read channels last, that is an image at most 4 pixels high with 8 or more channels,
 * which no one mixes; a small channels-last image (`[B, 4, 4, 16]`, `[B, 3, 3, 3]`) passes.
 */
const looksChannelsFirst = (shape: readonly number[]) => shape.length === 4 && shape[1]! <= 4 && shape[2]! >= 8 && shape[3]! >= 8;

/** {@link toImages} for the batches the mixing ops take: rank 4 only. */
export function toBatch(op: string, x: Tensor | TensorLike): Tensor4D {
  return toImages(op, 'images', x) as Tensor4D;
}

/** A mixing op's batch and labels, converted and checked. */
export interface MixInputs {
  readonly x: Tensor4D;
  readonly y: Tensor2D;
  readonly batchSize: number;
  readonly height: number;
  readonly width: number;
}

/**
 * The images and labels of a mixing op that pastes regions, checked in this order: the images
 * ({@link toBatch}), that the attentive `grid` fits them (where there is one), that this backend
 * holds the batch size, the sides and the grid exactly (half-float textures), then the labels.
 */
export function toMixInputs(op: string, images: Tensor | TensorLike, labels: Labels, options: LabelOptions, grid?: number): MixInputs {
  const x = toBatch(op, images);
  const [batchSize, height, width] = x.shape;
  if (grid !== undefined) assertGridFits(op, grid, height, width);
  assertExactOnBackend(op, { batch: batchSize, height, width, grid });
  return { x, y: toSoftLabels(op, labels, batchSize, options), batchSize, height, width };
}

/**
 * Converts labels (the argument `arg` of `op`) to float32 one-hot / soft labels `[B, K]`,
 * checking them against the batch size and the options. Class ids are checked against K where
 * they are in host memory (see {@link LabelOptions.validateLabels}).
 */
export function toSoftLabels(op: string, labels: Labels, batchSize: number, options: LabelOptions, arg = 'labels'): Tensor2D {
  const { numClasses, validateLabels } = options;
  const hostIds = !(labels instanceof TensorClass) && isFlat(labels);
  const y = toTensor(op, arg, labels, hostIds ? 'int32' : undefined);
  if (y.rank !== 1 && y.rank !== 2) {
    throw argumentError(op, arg, 'class ids of shape [B] or one-hot / soft labels of shape [B, K]', describe(y));
  }
  if (y.shape[0] !== batchSize) {
    throw argumentError(op, arg, `a batch of ${batchSize} labels, as many as images`, `${y.shape[0]} (${describe(y)})`);
  }
  if (y.rank === 2) {
    if (numClasses !== undefined && numClasses > 1 && y.shape[1] === 1) {
      throw argumentError(
        op,
        arg,
        `class ids of shape [B] or one-hot / soft labels of shape [B, ${numClasses}] (numClasses = ${numClasses})`,
        `${describe(y)}: class ids in a column? Squeeze them to [${batchSize}]: tf.squeeze(${arg}, [1])`,
      );
    }
    if (numClasses !== undefined && y.shape[1] !== numClasses) {
      throw argumentError(op, 'options.numClasses', `equal to the labels' K = ${y.shape[1]}`, String(numClasses));
    }
    if (y.dtype === 'string' || y.dtype === 'complex64') throw argumentError(op, arg, 'numeric labels', describe(y));
    return cast(y, 'float32') as Tensor2D;
  }
  if (y.dtype !== 'int32' && y.dtype !== 'float32') throw argumentError(op, arg, 'int32 or float32 class ids when labels have shape [B]', describe(y));
  if (numClasses === undefined) {
    throw argumentError(op, 'options.numClasses', 'given when labels are class ids of shape [B]', 'undefined');
  }
  assertExactOnBackend(op, { classes: numClasses });
  if (hostIds) {
    if (validateLabels !== false) assertClassIds(op, arg, Array.from(labels as ArrayLike<number>), numClasses);
  } else if (validateLabels ?? HOST_BACKENDS.includes(getBackend())) {
    assertClassIds(op, arg, Array.from(y.dataSync()), numClasses);
  }
  // An int32 one-hot cast afterwards: tfjs-backend-wasm 4.22's OneHot ignores its dtype
  // attribute and writes int32 bits into a float32 tensor (1 reads as 1.4e-45).
  if (numClasses === 1) return ones([batchSize, 1]) as Tensor2D; // tf.oneHot needs a depth of at least 2
  return cast(oneHot(y.dtype === 'int32' ? y : cast(y, 'int32'), numClasses), 'float32') as Tensor2D;
}

function assertClassIds(op: string, arg: string, ids: number[], numClasses: number): void {
  const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= numClasses);
  if (bad >= 0) {
    throw argumentError(op, arg, `class ids that are integers in [0, ${numClasses}) (numClasses = ${numClasses})`, `${ids[bad]} at index ${bad}`);
  }
}

function isFlat(labels: TensorLike): boolean {
  return ArrayBuffer.isView(labels) || (Array.isArray(labels) && labels.every((v) => typeof v === 'number'));
}

function toTensor(op: string, arg: string, x: unknown, dtype?: 'int32'): Tensor {
  if (x instanceof TensorClass) {
    if (x.isDisposed) throw argumentError(op, arg, 'a tensor that is not disposed', 'a disposed tensor');
    return x;
  }
  const isTensorLike = Array.isArray(x) || ArrayBuffer.isView(x) || typeof x === 'number';
  if (!isTensorLike) throw argumentError(op, arg, 'a Tensor or TensorLike', describe(x));
  if (Array.isArray(x)) {
    // tfjs infers the shape from the first entries and, outside its debug mode, trusts the rest.
    const ragged = raggedEntry(x, arg);
    if (ragged) throw argumentError(op, arg, 'a rectangular (Tensor-like) array', `a ragged one: ${ragged}`);
  }
  try {
    return tensor(x as TensorLike, undefined, dtype);
  } catch (e) {
    throw argumentError(op, arg, 'a Tensor or a rectangular (Tensor-like) array', `an array tfjs cannot convert (${errorMessage(e)})`);
  }
}

/**
 * Where a nested array stops being rectangular: the first entry that is not as long as the first
 * entry at its depth, or is an array where that one is a number (or the reverse), described for
 * a message; undefined for a rectangular array.
 */
function raggedEntry(x: unknown[], arg: string): string | undefined {
  const shape: number[] = [];
  for (let v: unknown = x; Array.isArray(v); v = v[0]) shape.push(v.length);
  const path: number[] = [];
  const walk = (v: unknown[], depth: number): boolean => {
    const leaves = depth === shape.length - 1;
    for (let i = 0; i < v.length; i++) {
      const entry = v[i];
      const ok = leaves ? !Array.isArray(entry) : Array.isArray(entry) && entry.length === shape[depth + 1] && walk(entry, depth + 1);
      if (!ok) {
        path.unshift(i);
        return false;
      }
    }
    return true;
  };
  if (walk(x, 0)) return undefined;
  // Only on failure: name the entry found and the first entry at its depth.
  let entry: unknown = x;
  for (const i of path) entry = (entry as unknown[])[i];
  const name = (p: readonly number[]) => `${arg}${p.map((i) => `[${i}]`).join('')}`;
  const entries = (n: number) => `${n} ${n === 1 ? 'entry' : 'entries'}`;
  const first = name(path.map(() => 0));
  const has = Array.isArray(entry) ? entries(entry.length) : 'a number';
  const wanted = path.length < shape.length ? `has ${entries(shape[path.length]!)}` : 'is a number';
  return `${name(path)} has ${has} where ${first} ${wanted}`;
}
