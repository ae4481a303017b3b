import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CIFAR10_FILES, loadCifar10, readCifar10File } from '../../examples/training/cifar10.js';

const RECORD = 3073;

/** A byte of record `n` at channel c, row y, column x, different for every place, channel and record. */
const pixel = (n: number, c: number, y: number, x: number) => (n * 37 + c * 85 + y * 7 + x * 3) % 256;

/** Records in CIFAR-10's binary layout: a label byte, then the R, G and B planes, each row by row. */
function records(labels: number[], first = 0): Buffer {
  const bytes = Buffer.alloc(labels.length * RECORD);
  labels.forEach((label, i) => {
    const n = first + i;
    bytes[i * RECORD] = label;
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) bytes[i * RECORD + 1 + c * 1024 + y * 32 + x] = pixel(n, c, y, x);
  });
  return bytes;
}

let root: string;
const dir = (name: string) => {
  const path = join(root, name);
  mkdirSync(path, { recursive: true });
  return path;
};

beforeAll(async () => {
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'cifar10-test-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('CIFAR-10 loader', () => {
  it('reads labels, and puts each channel-planar byte at its NHWC place, scaled to [0, 1]', async () => {
    const folder = dir('test-split');
    writeFileSync(join(folder, 'test_batch.bin'), records([3, 0, 9]));
    const { images, labels } = loadCifar10(folder, 'test');
    expect(images.shape).toEqual([3, 32, 32, 3]);
    expect(images.dtype).toBe('float32');
    expect(labels.dtype).toBe('int32');
    expect(await labels.array()).toEqual([3, 0, 9]);
    const values = await images.data();
    for (let n = 0; n < 3; n++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          for (let c = 0; c < 3; c++) expect(values[((n * 32 + y) * 32 + x) * 3 + c]).toBe(Math.fround(pixel(n, c, y, x) / 255));
        }
      }
    }
    // Spot checks that do not go through the helper: the first red, green and blue bytes of record 1.
    expect(Array.from(values.slice(32 * 32 * 3, 32 * 32 * 3 + 3))).toEqual([37, 37 + 85, 37 + 170].map((v) => Math.fround((v % 256) / 255)));
    tf.dispose([images, labels]);
  });

  it('reads 0 as 0 and 255 as 1', () => {
    const folder = dir('extremes');
    const bytes = Buffer.alloc(RECORD, 255);
    bytes.fill(0, 1, 1 + 1024); // red plane 0, green and blue 255
    bytes[0] = 1;
    writeFileSync(join(folder, 'x.bin'), bytes);
    const { pixels, labels } = readCifar10File(join(folder, 'x.bin'));
    expect(Array.from(labels)).toEqual([1]);
    expect(Array.from(pixels.slice(0, 6))).toEqual([0, 1, 1, 0, 1, 1]);
    expect(Math.min(...pixels)).toBe(0);
    expect(Math.max(...pixels)).toBe(1);
  });

  it('reads the training split from data_batch_1…5 in order, and stops after `limit` records', async () => {
    const folder = dir('train-split');
    CIFAR10_FILES.train.forEach((name, f) => writeFileSync(join(folder, name), records([f, f], 2 * f)));
    const all = loadCifar10(folder, 'train');
    expect(await all.labels.array()).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    const last = (await all.images.array())[9]!;
    expect(last[31]![31]![2]).toBeCloseTo(pixel(9, 2, 31, 31) / 255, 6);
    const some = loadCifar10(folder, 'train', 3);
    expect(some.images.shape).toEqual([3, 32, 32, 3]);
    expect(await some.labels.array()).toEqual([0, 0, 1]);
    tf.dispose([all, some]);
  });

  it('finds the files in the cifar-10-batches-bin folder the archive extracts to', async () => {
    const outer = dir('extracted');
    writeFileSync(join(dir('extracted/cifar-10-batches-bin'), 'test_batch.bin'), records([7]));
    const { images, labels } = loadCifar10(outer, 'test');
    expect(await labels.array()).toEqual([7]);
    tf.dispose([images, labels]);
  });

  it('says clearly what is missing or wrong', () => {
    expect(() => loadCifar10(join(root, 'nowhere'), 'test')).toThrow(/CIFAR-10 folder '.*nowhere' does not exist/);
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    expect(() => loadCifar10(file, 'test')).toThrow(/CIFAR-10 folder '.*plain-file' is not a folder/);

    const partial = dir('partial');
    writeFileSync(join(partial, 'data_batch_1.bin'), records([1]));
    writeFileSync(join(partial, 'data_batch_4.bin'), records([1]));
    expect(() => loadCifar10(partial, 'train')).toThrow(
      /CIFAR-10 train files missing in '.*partial': data_batch_2\.bin, data_batch_3\.bin, data_batch_5\.bin\. Expected data_batch_1\.bin, .* from the binary version/,
    );
    expect(() => loadCifar10(partial, 'test')).toThrow(/CIFAR-10 test file missing in '.*partial': test_batch\.bin\./);

    const bad = dir('bad-size');
    writeFileSync(join(bad, 'test_batch.bin'), Buffer.concat([records([1, 2]), Buffer.alloc(5)]));
    expect(() => loadCifar10(bad, 'test')).toThrow(/CIFAR-10 file '.*test_batch\.bin' has 6151 bytes, which is not a positive multiple of 3073/);
    writeFileSync(join(bad, 'test_batch.bin'), Buffer.alloc(0));
    expect(() => loadCifar10(bad, 'test')).toThrow(/has 0 bytes, which is not a positive multiple of 3073/);

    const label = dir('bad-label');
    writeFileSync(join(label, 'test_batch.bin'), records([2, 10]));
    expect(() => loadCifar10(label, 'test')).toThrow(/CIFAR-10 file '.*test_batch\.bin': record 1 has label byte 10; labels are class ids 0–9/);
    expect(() => readCifar10File(join(label, 'missing.bin'))).toThrow(/CIFAR-10 file '.*missing\.bin' does not exist/);
  });
});
