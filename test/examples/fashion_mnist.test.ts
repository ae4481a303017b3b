import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FASHION_MNIST_FILES, loadFashionMnist, readIdx } from '../../examples/training/fashion_mnist.js';

/** A byte of image n at row y, column x, different for every place and image. */
const pixel = (n: number, y: number, x: number) => (n * 41 + y * 5 + x * 3) % 256;

/** An idx file: big-endian magic and dimensions, then the bytes; gzip'd unless `raw`. */
function idx(magic: number, dims: number[], data: Uint8Array, raw = false): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  const bytes = Buffer.concat([header, data]);
  return raw ? bytes : gzipSync(bytes);
}
const imagesFile = (count: number, side = 28) => idx(2051, [count, side, side], Uint8Array.from({ length: count * side * side }, (_, i) => pixel(Math.floor(i / (side * side)), Math.floor((i % (side * side)) / side), i % side)));
const labelsFile = (labels: number[]) => idx(2049, [labels.length], Uint8Array.from(labels));

let root: string;
/** A folder holding the split's two files. */
function folder(name: string, images: Buffer, labels: Buffer, split: 'train' | 'test' = 'test'): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, FASHION_MNIST_FILES[split].images), images);
  writeFileSync(join(dir, FASHION_MNIST_FILES[split].labels), labels);
  return dir;
}

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'fashion-mnist-test-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('Fashion-MNIST loader', () => {
  it('reads images as float32 [N, 28, 28, 1] in [0, 1], row by row, and int32 labels', async () => {
    const dir = folder('plain', imagesFile(3), labelsFile([9, 0, 4]));
    const { images, labels } = loadFashionMnist(dir, 'test');
    expect(images.shape).toEqual([3, 28, 28, 1]);
    expect(images.dtype).toBe('float32');
    expect(labels.dtype).toBe('int32');
    expect(await labels.array()).toEqual([9, 0, 4]);
    const values = await images.data();
    for (let n = 0; n < 3; n++) for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(values[(n * 28 + y) * 28 + x]).toBe(Math.fround(pixel(n, y, x) / 255));
    // Without the helper: image 1, row 0, column 1 is byte 784 + 1 of the data.
    expect(values[785]).toBe(Math.fround(44 / 255));
    tf.dispose([images, labels]);
  });

  it('reads 0 as 0 and 255 as 1', async () => {
    const data = new Uint8Array(784).fill(255);
    data[0] = 0;
    const split = loadFashionMnist(folder('extremes', idx(2051, [1, 28, 28], data), labelsFile([1])), 'test');
    const values = await split.images.data();
    expect([values[0], values[1], Math.max(...values)]).toEqual([0, 1, 1]);
    tf.dispose(split);
  });

  it('reads the training files, and a range of records (start, count)', async () => {
    const dir = folder('train', imagesFile(6), labelsFile([0, 1, 2, 3, 4, 5]), 'train');
    const some = loadFashionMnist(dir, 'train', { count: 2 });
    expect(await some.labels.array()).toEqual([0, 1]);
    const tail = loadFashionMnist(dir, 'train', { start: 4 });
    expect(await tail.labels.array()).toEqual([4, 5]);
    expect((await tail.images.array())[1]![27]![27]![0]).toBeCloseTo(pixel(5, 27, 27) / 255, 6);
    expect(tail.total).toBe(6);
    const last = loadFashionMnist(dir, 'train', { start: -2 });
    expect(await last.labels.array()).toEqual([4, 5]);
    tf.dispose(last);
    const clipped = loadFashionMnist(dir, 'train', { start: 3, count: 100 });
    expect(clipped.images.shape).toEqual([3, 28, 28, 1]);
    tf.dispose([some, tail, clipped]);
    expect(() => loadFashionMnist(dir, 'train', { start: 6 })).toThrow(/Fashion-MNIST train range start 6, count all is outside its 6 records/);
    expect(() => loadFashionMnist(dir, 'train', { start: -7 })).toThrow(/range start -7, count all is outside its 6 records/);
  });

  it('says clearly what is missing, corrupt or mismatched, naming the file', () => {
    expect(() => loadFashionMnist(join(root, 'nowhere'), 'test')).toThrow(/Fashion-MNIST folder '.*nowhere' does not exist \(Debian: apt-get install dataset-fashion-mnist/);
    const half = join(root, 'half');
    mkdirSync(half);
    writeFileSync(join(half, 't10k-labels-idx1-ubyte.gz'), labelsFile([1]));
    expect(() => loadFashionMnist(half, 'test')).toThrow(/Fashion-MNIST test file missing in '.*half': t10k-images-idx3-ubyte\.gz\./);
    expect(() => loadFashionMnist(half, 'train')).toThrow(/train files missing in '.*half': train-images-idx3-ubyte\.gz, train-labels-idx1-ubyte\.gz/);

    const swapped = folder('swapped', labelsFile([1]), imagesFile(1));
    expect(() => loadFashionMnist(swapped, 'test')).toThrow(/idx file 't10k-images-idx3-ubyte\.gz' \(.*\) has magic number 2049, not 2051: it is not an images file/);
    const notGzip = folder('not-gzip', idx(2051, [1, 28, 28], new Uint8Array(784), true), labelsFile([1]));
    expect(() => loadFashionMnist(notGzip, 'test')).toThrow(/idx file '.*t10k-images-idx3-ubyte\.gz' is not a complete gzip file/);
    const truncatedGzip = folder('truncated-gzip', imagesFile(2).subarray(0, 40), labelsFile([1, 2]));
    expect(() => loadFashionMnist(truncatedGzip, 'test')).toThrow(/is not a complete gzip file/);
    const short = folder('short', idx(2051, [2, 28, 28], new Uint8Array(784)), labelsFile([1, 2]));
    expect(() => loadFashionMnist(short, 'test')).toThrow(/idx file '.*t10k-images-idx3-ubyte\.gz' has 784 data bytes, but its header \(dimensions 2 × 28 × 28\) says 1568: truncated or corrupt/);
    const small = folder('small', imagesFile(1, 14), labelsFile([1]));
    expect(() => loadFashionMnist(small, 'test')).toThrow(/holds 14×14 images; Fashion-MNIST's are 28×28/);
    const mismatch = folder('mismatch', imagesFile(2), labelsFile([1, 2, 3]));
    expect(() => loadFashionMnist(mismatch, 'test')).toThrow(/Fashion-MNIST files disagree: '.*t10k-images-idx3-ubyte\.gz' holds 2 images but '.*t10k-labels-idx1-ubyte\.gz' 3 labels/);
    const badLabel = folder('bad-label', imagesFile(2), labelsFile([3, 10]));
    expect(() => loadFashionMnist(badLabel, 'test')).toThrow(/Fashion-MNIST file '.*t10k-labels-idx1-ubyte\.gz': label 1 is 10; labels are class ids 0–9/);
    expect(() => readIdx(join(root, 'missing.gz'), 2049, 1)).toThrow(/idx file '.*missing\.gz' does not exist/);
    expect(tf.memory().numTensors).toBe(0);
  });
});
