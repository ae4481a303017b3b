// Shared by the command-line tests: scratch folders, image files written from known pixels, and
// a CliIo that records what the command line prints.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

import type { CliIo } from '../src/run.js';

/** A fresh temporary folder and a function that removes it. */
export function scratchDir(prefix = 'attentive-cutmix-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** RGBA bytes of a `height × width` image whose pixel (x, y) is `pixel(x, y)` (RGB, or RGBA). */
export function rgba(width: number, height: number, pixel: (x: number, y: number) => readonly number[]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b, a = 255] = pixel(x, y);
      data.set([r!, g!, b!, a], (y * width + x) * 4);
    }
  }
  return data;
}

/** Writes a PNG file (RGBA, 8 bits) with the given pixels. */
export function writePng(path: string, width: number, height: number, data: Buffer): void {
  const png = new PNG({ width, height });
  png.data = data;
  writeFileSync(path, PNG.sync.write(png));
}

/** Writes a JPEG file (quality 100) with the given pixels. */
export function writeJpeg(path: string, width: number, height: number, data: Buffer): void {
  writeFileSync(path, jpeg.encode({ width, height, data }, 100).data);
}

/** Reads a PNG file back as RGBA. */
export function readPng(bytes: Buffer): { width: number; height: number; data: Buffer } {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: png.data };
}

/** A deterministic, busy picture: each sample gets its own colours and a pattern (no two pixels of
 * different samples are alike), so that pasted pixels can be told from base pixels. */
export function samplePixels(sample: number, size: number): Buffer {
  return rgba(size, size, (x, y) => [(40 * sample + 7 * x + 3 * y) % 256, (90 + 50 * sample + 5 * y) % 256, (200 - 30 * sample + ((x * y) % 17)) % 256]);
}

/** A CliIo that records the lines printed to stdout and stderr. */
export function recordingIo(isTTY = false): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), isTTY };
}
