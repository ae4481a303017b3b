// Finding, decoding and resizing the user's images: PNG and JPEG files written from known pixels
// decode to those pixels, and every bad file is an error naming it.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CliError } from '../src/errors.js';
import { collectImageFiles, decodeImage, decodeImageFile, imageName, sniffFormat, squareResize } from '../src/images.js';
import { imagesToTensor } from '../src/preview.js';
import { rgba, scratchDir, writeJpeg, writePng } from './helpers.js';

let dir: string;
let remove: () => void;

beforeAll(async () => {
  ({ dir, remove } = scratchDir());
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
});
afterAll(() => remove());

/** Four solid 8 × 8 blocks (aligned with JPEG's blocks), so that JPEG keeps them nearly exact. */
const BLOCKS = [
  [200, 30, 40],
  [20, 180, 60],
  [30, 40, 220],
  [240, 240, 20],
] as const;
const blockPixel = (x: number, y: number) => BLOCKS[(y >= 8 ? 2 : 0) + (x >= 8 ? 1 : 0)]!;

const rejection = async (promise: Promise<unknown>): Promise<CliError> => {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CliError);
  return e as CliError;
};

describe('decoding', () => {
  it('decodes a PNG to exactly its pixels, as float32 RGB in [0, 1]', async () => {
    const pixel = (x: number, y: number) => [(x * 37 + y) % 256, (y * 53) % 256, (x * y * 11) % 256];
    const path = join(dir, 'exact.png');
    writePng(path, 5, 3, rgba(5, 3, pixel));
    const image = await decodeImageFile(path);
    expect([image.format, image.width, image.height]).toEqual(['png', 5, 3]);
    const batch = imagesToTensor([image]);
    const expected = Float32Array.from({ length: 3 * 5 * 3 }, (_, k) => pixel(Math.floor(k / 3) % 5, Math.floor(k / 15))[k % 3]! / 255);
    expect(batch.shape).toEqual([1, 3, 5, 3]);
    expect(batch.dtype).toBe('float32');
    expect(Array.from(await batch.data())).toEqual(Array.from(expected));
    batch.dispose();
  });

  it('composites a transparent PNG over white', async () => {
    const path = join(dir, 'alpha.png');
    writePng(path, 2, 1, rgba(2, 1, (x) => (x === 0 ? [0, 0, 0, 0] : [100, 0, 200, 255])));
    const { data } = await decodeImageFile(path);
    expect(Array.from(data).map((v) => Math.round(v * 255))).toEqual([255, 255, 255, 100, 0, 200]);
  });

  it('decodes a JPEG to its pixels, within JPEG rounding', async () => {
    const path = join(dir, 'blocks.jpg');
    writeJpeg(path, 16, 16, rgba(16, 16, blockPixel));
    const image = await decodeImageFile(path);
    expect([image.format, image.width, image.height]).toEqual(['jpeg', 16, 16]);
    const batch = imagesToTensor([squareResize(image, 16)]);
    const values = await batch.data();
    batch.dispose();
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        for (let c = 0; c < 3; c++) expect(Math.abs(values[(y * 16 + x) * 3 + c]! * 255 - blockPixel(x, y)[c]!)).toBeLessThanOrEqual(2);
      }
    }
  });

  it('decides the format by the content, not the name', async () => {
    const path = join(dir, 'really-a-png.jpg');
    writePng(path, 1, 1, rgba(1, 1, () => [1, 2, 3]));
    expect((await decodeImageFile(path)).format).toBe('png');
  });

  it('names the file and the format it is when it is not PNG or JPEG', async () => {
    const files: [string, Uint8Array, RegExp][] = [
      ['anim.png', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), /'.*anim\.png' is a GIF image; preview reads PNG and JPEG files only/],
      ['photo.webp', Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'), /'.*photo\.webp' is a WebP image/],
      ['scan.bmp', Buffer.from('BM\x00\x00\x00\x00\x00\x00', 'latin1'), /'.*scan\.bmp' is a BMP image/],
      ['notes.txt', Buffer.from('hello, world'), /'.*notes\.txt' is not a PNG or JPEG image; preview reads PNG and JPEG files only/],
      ['empty.png', new Uint8Array(0), /'.*empty\.png' is not a PNG or JPEG image/],
    ];
    for (const [name, bytes, message] of files) {
      writeFileSync(join(dir, name), bytes);
      expect((await rejection(decodeImageFile(join(dir, name)))).message).toMatch(message);
    }
  });

  it('names the file when a PNG or JPEG is damaged', async () => {
    const png = join(dir, 'truncated.png');
    writePng(png, 8, 8, rgba(8, 8, () => [9, 9, 9]));
    writeFileSync(png, readFileSync(png).subarray(0, 40));
    expect((await rejection(decodeImageFile(png))).message).toMatch(/^cannot decode '.*truncated\.png' as PNG: /);
    const jpg = join(dir, 'broken.jpg');
    writeFileSync(jpg, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 1, 2, 3, 4, 5]));
    expect((await rejection(decodeImageFile(jpg))).message).toMatch(/^cannot decode '.*broken\.jpg' as JPEG: /);
  });

  it('names the file that cannot be read', async () => {
    expect((await rejection(decodeImageFile(join(dir, 'missing.png')))).message).toMatch(/^cannot read '.*missing\.png': no such file or folder$/);
  });

  it('sniffs formats by their signatures', () => {
    expect(sniffFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(sniffFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xdb]))).toBe('jpeg');
    expect(sniffFormat(Buffer.from('\x00\x00\x00\x18ftypheic', 'latin1'))).toBe('HEIF/AVIF');
    expect(sniffFormat(Buffer.from('II*\x00', 'latin1'))).toBe('TIFF');
    expect(sniffFormat(new Uint8Array([1, 2, 3]))).toBe('unknown');
  });

  it('decodes from bytes, naming the source in errors', () => {
    expect(() => decodeImage(new Uint8Array([0, 1, 2, 3]), 'upload #3')).toThrow(/'upload #3' is not a PNG or JPEG image/);
  });
});

describe('resizing to a common size', () => {
  const image = (width: number, height: number, pixel: (x: number, y: number) => readonly number[]) => ({
    width,
    height,
    data: Float32Array.from({ length: width * height * 3 }, (_, k) => pixel(Math.floor(k / 3) % width, Math.floor(k / 3 / width))[k % 3]!),
  });

  it('leaves an image of the right size exactly as it is', () => {
    const src = image(6, 6, (x, y) => [x / 7, y / 11, ((x * y) % 5) / 5]);
    expect(Array.from(squareResize(src, 6).data)).toEqual(Array.from(src.data));
  });

  it('crops a wide or tall image to its central square', () => {
    // 8 × 4: columns 0-1 and 6-7 are cut away, columns 2-5 are kept.
    const wide = image(8, 4, (x) => [x / 10, 0, 1]);
    const out = squareResize(wide, 4);
    expect([out.width, out.height]).toEqual([4, 4]);
    expect(Array.from({ length: 4 }, (_, x) => out.data[3 * x]!)).toEqual([2, 3, 4, 5].map((v) => Math.fround(v / 10)));
    const tall = image(3, 7, (_, y) => [y / 10, 0, 0]);
    const outTall = squareResize(tall, 3);
    expect(Array.from({ length: 3 }, (_, y) => outTall.data[3 * 3 * y]!)).toEqual([2, 3, 4].map((v) => Math.fround(v / 10)));
  });

  it('averages when shrinking: a flat colour stays flat, a fine checkerboard turns grey', () => {
    const flat = squareResize(image(40, 30, () => [0.2, 0.4, 0.6]), 7);
    for (let k = 0; k < flat.data.length; k++) expect(flat.data[k]).toBeCloseTo([0.2, 0.4, 0.6][k % 3]!, 5);
    const checker = squareResize(image(64, 64, (x, y) => ((x + y) % 2 ? [1, 1, 1] : [0, 0, 0])), 8);
    for (const v of checker.data) expect(v).toBeCloseTo(0.5, 1);
  });

  it('stays within the input range when enlarging', () => {
    const up = squareResize(image(2, 2, (x, y) => [x, y, 0.5]), 9);
    expect([up.width, up.height]).toEqual([9, 9]);
    for (const v of up.data) expect(v >= 0 && v <= 1).toBe(true);
    expect(up.data[0]).toBe(0); // the corner keeps the corner's value
  });
});

describe('finding the images', () => {
  it('takes files as given and a folder as its PNG and JPEG files, in natural name order, without sub-folders or hidden files', async () => {
    const folder = join(dir, 'photos');
    mkdirSync(folder);
    for (const name of ['img10.png', 'img2.JPG', 'img1.jpeg', 'notes.txt', '.hidden.png', 'clip.gif']) writeFileSync(join(folder, name), '');
    mkdirSync(join(folder, 'nested.png'));
    writeFileSync(join(dir, 'one.png'), '');
    const files = await collectImageFiles([join(dir, 'one.png'), folder]);
    expect(files).toEqual([join(dir, 'one.png'), ...['img1.jpeg', 'img2.JPG', 'img10.png'].map((n) => join(folder, n))]);
    expect(imageName(join(folder, 'img2.JPG'))).toBe('img2');
  });

  it('names a folder that holds no images', async () => {
    const empty = join(dir, 'no-images');
    mkdirSync(empty);
    writeFileSync(join(empty, 'readme.md'), '');
    expect((await rejection(collectImageFiles([empty]))).message).toMatch(/the folder '.*no-images' contains no PNG or JPEG images/);
  });

  it('names a path that does not exist, or a link that leads nowhere', async () => {
    expect((await rejection(collectImageFiles([join(dir, 'nope')]))).message).toMatch(/^cannot read '.*nope': no such file or folder$/);
    symlinkSync(join(dir, 'gone.png'), join(dir, 'dangling.png'));
    expect((await rejection(collectImageFiles([join(dir, 'dangling.png')]))).message).toMatch(/^cannot read '.*dangling\.png': no such file or folder$/);
  });
});
