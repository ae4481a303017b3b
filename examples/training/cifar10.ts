// Reads CIFAR-10 in its binary format (https://www.cs.toronto.edu/~kriz/cifar.html, the file
// cifar-10-binary.tar.gz): data_batch_1.bin … data_batch_5.bin (training) and test_batch.bin
// (test), each a run of 3073-byte records: 1 label byte (0–9), then the 32×32 image as 1024 red,
// 1024 green and 1024 blue bytes, each plane row by row. Node only (reads with node:fs).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';

/** The class names, in label order. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** The files of each split, in the order their records are read. */
export const CIFAR10_FILES = {
  train: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  test: ['test_batch.bin'],
} as const;

const SIDE = 32;
const PLANE = SIDE * SIDE;
const RECORD = 1 + 3 * PLANE; // 3073 bytes

/** A split of CIFAR-10 as tensors (a type, so that it is a tf.TensorContainer for tf.dispose). */
export type Cifar10Split = {
  /** float32 `[N, 32, 32, 3]` (NHWC), pixel values / 255, in [0, 1]. */
  images: tf.Tensor4D;
  /** int32 `[N]`, class ids into {@link CIFAR10_CLASSES}. */
  labels: tf.Tensor1D;
};

/**
 * Loads a split of CIFAR-10 from `dir`: the folder holding the `.bin` files, or the folder the
 * archive was extracted into (with `cifar-10-batches-bin/` inside).
 *
 * @param dir - The folder.
 * @param split - `'train'` (data_batch_1…5, 50 000 images) or `'test'` (test_batch, 10 000).
 * @param limit - Read at most this many records, from the first file on (default: all).
 * @throws When the folder or a file of the split is missing, a file's size is not a multiple of
 *   3073 bytes, or a label byte is not a class id 0–9; the message names the file.
 */
export function loadCifar10(dir: string, split: 'train' | 'test', limit = Infinity): Cifar10Split {
  const folder = resolveFolder(dir);
  const files = CIFAR10_FILES[split].map((name) => join(folder, name));
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `CIFAR-10 ${split} file${missing.length > 1 ? 's' : ''} missing in '${folder}': ${missing.map((f) => f.slice(folder.length + 1)).join(', ')}. ` +
        `Expected ${CIFAR10_FILES[split].join(', ')} from the binary version (cifar-10-binary.tar.gz).`,
    );
  }
  const parts: { pixels: Float32Array; labels: Int32Array }[] = [];
  let count = 0;
  for (const file of files) {
    if (count >= limit) break;
    const part = readCifar10File(file, limit - count);
    parts.push(part);
    count += part.labels.length;
  }
  const pixels = new Float32Array(count * 3 * PLANE);
  const labels = new Int32Array(count);
  let offset = 0;
  for (const part of parts) {
    pixels.set(part.pixels, offset * 3 * PLANE);
    labels.set(part.labels, offset);
    offset += part.labels.length;
  }
  return { images: tf.tensor4d(pixels, [count, SIDE, SIDE, 3]), labels: tf.tensor1d(labels, 'int32') };
}

/**
 * Decodes one CIFAR-10 binary file into NHWC float32 pixels in [0, 1] and int32 labels.
 *
 * @param file - Path of a `.bin` file.
 * @param limit - Decode at most this many records (default: all).
 */
export function readCifar10File(file: string, limit = Infinity): { pixels: Float32Array; labels: Int32Array } {
  if (!existsSync(file)) throw new Error(`CIFAR-10 file '${file}' does not exist.`);
  const size = statSync(file).size;
  if (size === 0 || size % RECORD !== 0) {
    throw new Error(
      `CIFAR-10 file '${file}' has ${size} bytes, which is not a positive multiple of ${RECORD} (1 label byte + 3 × 32 × 32 pixel bytes per record): ` +
        'is it the binary version, complete and uncompressed?',
    );
  }
  const bytes = readFileSync(file);
  const count = Math.min(size / RECORD, limit);
  const pixels = new Float32Array(count * 3 * PLANE);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const record = n * RECORD;
    const label = bytes[record]!;
    if (label >= CIFAR10_CLASSES.length) {
      throw new Error(`CIFAR-10 file '${file}': record ${n} has label byte ${label}; labels are class ids 0–9.`);
    }
    labels[n] = label;
    const out = n * 3 * PLANE;
    for (let p = 0; p < PLANE; p++) {
      for (let c = 0; c < 3; c++) pixels[out + p * 3 + c] = bytes[record + 1 + c * PLANE + p]! / 255;
    }
  }
  return { pixels, labels };
}

/** `dir`, or `dir/cifar-10-batches-bin` when the files are there (the archive's own folder). */
function resolveFolder(dir: string): string {
  if (!existsSync(dir)) throw new Error(`CIFAR-10 folder '${dir}' does not exist.`);
  if (!statSync(dir).isDirectory()) throw new Error(`CIFAR-10 folder '${dir}' is not a folder.`);
  const nested = join(dir, 'cifar-10-batches-bin');
  const hasFiles = (folder: string) => [...CIFAR10_FILES.train, ...CIFAR10_FILES.test].some((name) => existsSync(join(folder, name)));
  return !hasFiles(dir) && existsSync(nested) && hasFiles(nested) ? nested : dir;
}
