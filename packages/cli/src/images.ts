// Reading the user's images for the preview: finding them (files and folders), decoding PNG and
// JPEG with pure-JS decoders (pngjs, jpeg-js), and resizing them to one common square size.
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';

import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

import type { RgbImage } from './canvas.js';
import { CliError, errorMessage } from './errors.js';

/** The file name extensions looked for in a folder (case-insensitive). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** The format of a file by its first bytes. */
export function sniffFormat(bytes: Uint8Array): 'png' | 'jpeg' | string {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (ascii(0, 4) === 'GIF8') return 'GIF';
  if (ascii(0, 2) === 'BM') return 'BMP';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP';
  if (ascii(4, 8) === 'ftyp') return /^(heic|heix|mif1|msf1|avif)$/.test(ascii(8, 12)) ? 'HEIF/AVIF' : 'MP4/QuickTime';
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return 'TIFF';
  return 'unknown';
}

/**
 * The image files named by `inputs`, in order: a file stands for itself, a folder for its PNG and
 * JPEG files (by extension, sorted by name; not recursive, hidden files left out). A path that does not exist and a
 * folder without images are errors naming the path.
 */
export async function collectImageFiles(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch (e) {
      throw new CliError(`cannot read '${input}': ${describeFsError(e)}`);
    }
    if (info.isDirectory()) {
      let names: string[];
      try {
        // Files (and links), not sub-folders; hidden files left out.
        names = (await readdir(input, { withFileTypes: true })).filter((d) => d.isFile() || d.isSymbolicLink()).map((d) => d.name);
      } catch (e) {
        throw new CliError(`cannot list the folder '${input}': ${describeFsError(e)}`);
      }
      const images = names
        .filter((name) => (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase()) && !name.startsWith('.'))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      if (images.length === 0) throw new CliError(`the folder '${input}' contains no PNG or JPEG images (files ending in ${IMAGE_EXTENSIONS.join(', ')})`);
      files.push(...images.map((name) => join(input, name)));
    } else {
      files.push(input);
    }
  }
  return files;
}

/** An image decoded to RGB in [0, 1] at its own size. */
export interface DecodedImage extends RgbImage {
  format: 'png' | 'jpeg';
}

/**
 * Reads and decodes one PNG or JPEG file (chosen by its content, not its name) to RGB values in
 * [0, 1]. Transparent pixels are composited over white. Every failure is an error naming the file.
 */
export async function decodeImageFile(path: string): Promise<DecodedImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new CliError(`cannot read '${path}': ${describeFsError(e)}`);
  }
  return decodeImage(bytes, path);
}

/** Decodes PNG or JPEG bytes; `name` is used in error messages. */
export function decodeImage(bytes: Uint8Array, name: string): DecodedImage {
  const format = sniffFormat(bytes);
  let rgba: Uint8Array;
  let width: number;
  let height: number;
  if (format === 'png') {
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      ({ width, height } = png);
      rgba = png.data;
    } catch (e) {
      throw new CliError(`cannot decode '${name}' as PNG: ${errorMessage(e)}`);
    }
  } else if (format === 'jpeg') {
    try {
      const jpg = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 200, maxMemoryUsageInMB: 2048 });
      ({ width, height } = jpg);
      rgba = jpg.data;
    } catch (e) {
      throw new CliError(`cannot decode '${name}' as JPEG: ${errorMessage(e)}`);
    }
  } else {
    const what = format === 'unknown' ? 'is not a PNG or JPEG image' : `is a ${format} image`;
    throw new CliError(`'${name}' ${what}; preview reads PNG and JPEG files only`);
  }
  if (width < 1 || height < 1 || rgba.length < width * height * 4) {
    throw new CliError(`cannot decode '${name}': it holds no pixels (${width} × ${height})`);
  }
  const data = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const alpha = rgba[4 * p + 3]! / 255;
    for (let c = 0; c < 3; c++) data[3 * p + c] = (rgba[4 * p + c]! / 255) * alpha + (1 - alpha);
  }
  return { width, height, data, format };
}

/**
 * `image` cropped to its central square and resampled to `size × size`, with a triangle
 * (bilinear) filter widened when shrinking, so that large photos are averaged, not aliased.
 * An image that is already `size × size` comes back unchanged.
 */
export function squareResize(image: RgbImage, size: number): RgbImage {
  const side = Math.min(image.width, image.height);
  const top = Math.floor((image.height - side) / 2);
  const left = Math.floor((image.width - side) / 2);
  const weights = resampleWeights(side, size);
  // Rows first (along x), then columns (along y), on the cropped square only.
  const across = new Float32Array(side * size * 3);
  for (let y = 0; y < side; y++) {
    const srcRow = (top + y) * image.width;
    for (let x = 0; x < size; x++) {
      const { start, w } = weights[x]!;
      let [r, g, b] = [0, 0, 0];
      for (let k = 0; k < w.length; k++) {
        const s = (srcRow + left + start + k) * 3;
        r += w[k]! * image.data[s]!;
        g += w[k]! * image.data[s + 1]!;
        b += w[k]! * image.data[s + 2]!;
      }
      const d = (y * size + x) * 3;
      across[d] = r;
      across[d + 1] = g;
      across[d + 2] = b;
    }
  }
  const data = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const { start, w } = weights[y]!;
    for (let x = 0; x < size; x++) {
      let [r, g, b] = [0, 0, 0];
      for (let k = 0; k < w.length; k++) {
        const s = ((start + k) * size + x) * 3;
        r += w[k]! * across[s]!;
        g += w[k]! * across[s + 1]!;
        b += w[k]! * across[s + 2]!;
      }
      const d = (y * size + x) * 3;
      data[d] = r;
      data[d + 1] = g;
      data[d + 2] = b;
    }
  }
  return { height: size, width: size, data };
}

/** For each of `dstLen` output samples, the first input index and the normalised weights. */
function resampleWeights(srcLen: number, dstLen: number): { start: number; w: Float64Array }[] {
  const scale = dstLen / srcLen;
  const support = scale < 1 ? 1 / scale : 1; // in input pixels
  return Array.from({ length: dstLen }, (_, i) => {
    const center = (i + 0.5) / scale;
    const start = Math.max(0, Math.floor(center - support));
    const end = Math.min(srcLen, Math.ceil(center + support));
    const w = new Float64Array(end - start);
    let total = 0;
    for (let j = start; j < end; j++) {
      const v = Math.max(0, 1 - Math.abs(j + 0.5 - center) / support);
      w[j - start] = v;
      total += v;
    }
    if (total === 0) {
      // Cannot happen for support ≥ 1 (the nearest input is within half a pixel), kept for safety.
      const nearest = Math.min(srcLen - 1, Math.floor(center)) - start;
      w[nearest] = 1;
      total = 1;
    }
    for (let k = 0; k < w.length; k++) w[k] = w[k]! / total;
    return { start, w };
  });
}

/** A label for an image file: its name without folder and extension. */
export function imageName(path: string): string {
  return basename(path, extname(path));
}

function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  return (e as Error).message;
}
