// Reads Fashion-MNIST (https://github.com/zalandoresearch/fashion-mnist) from its gzip'd idx files,
// as Debian's dataset-fashion-mnist package installs them (/usr/share/datasets/fashion-mnist/):
// train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz (60 000 images), t10k-images-idx3-ubyte.gz
// and t10k-labels-idx1-ubyte.gz (10 000). An idx file is a big-endian header — the magic number
// (2051 for images: unsigned bytes, 3 dimensions; 2049 for labels: 1 dimension), then each
// dimension as a 32-bit count — and the bytes, row by row. Node only (node:fs, node:zlib).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

import * as tf from '@tensorflow/tfjs-core';

/** The class names, in label order. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** The files of each split: images, labels. */
export const FASHION_MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte.gz', labels: 'train-labels-idx1-ubyte.gz' },
  test: { images: 't10k-images-idx3-ubyte.gz', labels: 't10k-labels-idx1-ubyte.gz' },
} as const;

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const FASHION_MNIST_DEBIAN_DIR = '/usr/share/datasets/fashion-mnist';

const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;
const SIDE = 28;

/** A split of Fashion-MNIST as tensors (a type, so that it is a tf.TensorContainer for tf.dispose). */
export type FashionMnistSplit = {
  /** float32 `[N, 28, 28, 1]` (NHWC, one grey channel), pixel values / 255, in [0, 1]. */
  images: tf.Tensor4D;
  /** int32 `[N]`, class ids into {@link FASHION_MNIST_CLASSES}. */
  labels: tf.Tensor1D;
  /** How many records the split's files hold (all of them, not only those read). */
  total: number;
};

/**
 * Which records of a split to read: `count` of them from `start` on (defaults: all, from 0); a
 * negative `start` counts from the end, as in `Array.prototype.slice` (`-5000`: the last 5000).
 */
export interface FashionMnistRange {
  start?: number;
  count?: number;
}

/**
 * Loads records `[start, start + count)` of a split of Fashion-MNIST from `dir`.
 *
 * @throws When the folder or a file is missing, a file is not gzip, its magic number, dimensions
 *   or size are wrong, the images and labels files disagree on the count, a label is not 0–9, or
 *   the range lies outside the split; the message names the file.
 */
export function loadFashionMnist(dir: string, split: 'train' | 'test', range: FashionMnistRange = {}): FashionMnistSplit {
  const { pixels, labels, count, total } = readFashionMnist(dir, split, range);
  return { images: tf.tensor4d(pixels, [count, SIDE, SIDE, 1]), labels: tf.tensor1d(labels, 'int32'), total };
}

/** {@link loadFashionMnist} without tensors: float32 pixels in [0, 1] and int32 labels. */
export function readFashionMnist(dir: string, split: 'train' | 'test', range: FashionMnistRange = {}): { pixels: Float32Array; labels: Int32Array; count: number; total: number } {
  if (!existsSync(dir)) throw new Error(`Fashion-MNIST folder '${dir}' does not exist (Debian: apt-get install dataset-fashion-mnist, then ${FASHION_MNIST_DEBIAN_DIR}).`);
  if (!statSync(dir).isDirectory()) throw new Error(`Fashion-MNIST folder '${dir}' is not a folder.`);
  const names = FASHION_MNIST_FILES[split];
  const missing = [names.images, names.labels].filter((name) => !existsSync(join(dir, name)));
  if (missing.length > 0) {
    throw new Error(`Fashion-MNIST ${split} file${missing.length > 1 ? 's' : ''} missing in '${dir}': ${missing.join(', ')}. Expected ${names.images} and ${names.labels}.`);
  }
  const imageFile = join(dir, names.images);
  const labelFile = join(dir, names.labels);
  const images = readIdx(imageFile, IMAGES_MAGIC, 3);
  const labels = readIdx(labelFile, LABELS_MAGIC, 1);
  const [n, rows, cols] = images.dims as [number, number, number];
  if (rows !== SIDE || cols !== SIDE) throw new Error(`Fashion-MNIST file '${imageFile}' holds ${rows}×${cols} images; Fashion-MNIST's are ${SIDE}×${SIDE}.`);
  if (labels.dims[0] !== n) throw new Error(`Fashion-MNIST files disagree: '${imageFile}' holds ${n} images but '${labelFile}' ${labels.dims[0]} labels.`);
  const start = (range.start ?? 0) < 0 ? n + range.start! : (range.start ?? 0);
  const count = range.count === undefined ? n - start : Math.min(range.count, n - start);
  if (!Number.isInteger(start) || start < 0 || start >= n || !(count >= 1)) {
    throw new Error(`Fashion-MNIST ${split} range start ${range.start ?? 0}, count ${range.count ?? 'all'} is outside its ${n} records.`);
  }
  const pixels = new Float32Array(count * SIDE * SIDE);
  const offset = start * SIDE * SIDE;
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[offset + i]! / 255;
  const ids = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels.data[start + i]!;
    if (label >= FASHION_MNIST_CLASSES.length) throw new Error(`Fashion-MNIST file '${labelFile}': label ${start + i} is ${label}; labels are class ids 0–9.`);
    ids[i] = label;
  }
  return { pixels, labels: ids, count, total: n };
}

/**
 * Reads one gzip'd idx file of unsigned bytes: checks its magic number (which says the type,
 * unsigned byte, and the number of dimensions) and that its size is the header's plus the
 * product of the dimensions. Returns the dimensions and the data bytes.
 */
export function readIdx(file: string, magic: number, rank: number): { dims: number[]; data: Uint8Array } {
  if (!existsSync(file)) throw new Error(`idx file '${file}' does not exist.`);
  let bytes: Buffer;
  try {
    bytes = gunzipSync(readFileSync(file));
  } catch (e) {
    throw new Error(`idx file '${file}' is not a complete gzip file (${(e as Error).message}); the files are read as downloaded, .gz.`);
  }
  const header = 4 + 4 * rank;
  const found = bytes.length >= 4 ? bytes.readUInt32BE(0) : undefined;
  if (found !== magic) {
    const kind = magic === IMAGES_MAGIC ? 'an images file (idx3, unsigned bytes)' : 'a labels file (idx1, unsigned bytes)';
    throw new Error(`idx file '${basename(file)}' (${file}) has magic number ${found ?? 'none (too short)'}, not ${magic}: it is not ${kind}.`);
  }
  if (bytes.length < header) throw new Error(`idx file '${file}' ends inside its header (${bytes.length} bytes).`);
  const dims = Array.from({ length: rank }, (_, i) => bytes.readUInt32BE(4 + 4 * i));
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected) {
    throw new Error(`idx file '${file}' has ${bytes.length - header} data bytes, but its header (dimensions ${dims.join(' × ')}) says ${expected - header}: truncated or corrupt.`);
  }
  return { dims, data: bytes.subarray(header) };
}
