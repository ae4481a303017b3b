// An RGB raster to draw preview grids on, written out as PNG with pngjs (pure JS, no native canvas).
import { PNG } from 'pngjs';

import { ADVANCE, LINE_HEIGHT, glyph } from './font.js';

/** A colour as 8-bit red, green, blue. */
export type Rgb = readonly [number, number, number];

/**
 * An image of `height × width` pixels, `data` row-major with 3 channels (RGB) per pixel, values in
 * [0, 1] (values outside are clipped when drawn).
 */
export interface RgbImage {
  height: number;
  width: number;
  data: Float32Array;
}

/** A float in [0, 1] as an 8-bit value: `round(clip(v, 0, 1) · 255)` (NaN gives 0). */
export function toByte(v: number): number {
  return v > 0 ? (v < 1 ? Math.round(v * 255) : 255) : 0;
}

/** A canvas of 8-bit RGB pixels. Drawing outside the canvas is clipped. */
export class Canvas {
  /** RGBA bytes, row-major; alpha is always 255. */
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new Error(`A canvas must be at least 1 × 1 whole pixels, but got ${width} × ${height}.`);
    }
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  /** Sets pixel (x, y), blending with what is there when `alpha` < 1. */
  setPixel(x: number, y: number, [r, g, b]: Rgb, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    const d = this.data;
    if (alpha >= 1) {
      d[i] = r;
      d[i + 1] = g;
      d[i + 2] = b;
    } else {
      d[i] = Math.round(d[i]! * (1 - alpha) + r * alpha);
      d[i + 1] = Math.round(d[i + 1]! * (1 - alpha) + g * alpha);
      d[i + 2] = Math.round(d[i + 2]! * (1 - alpha) + b * alpha);
    }
    d[i + 3] = 255;
  }

  /** The colour of pixel (x, y). */
  getPixel(x: number, y: number): [number, number, number] {
    const i = (y * this.width + x) * 4;
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!];
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb, alpha = 1): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.setPixel(xx, yy, color, alpha);
    }
  }

  /** Outlines the rectangle with a border `thickness` pixels wide drawn inside it. */
  strokeRect(x: number, y: number, w: number, h: number, color: Rgb, thickness = 1, alpha = 1): void {
    const t = Math.max(1, Math.min(thickness, Math.floor(w / 2), Math.floor(h / 2)));
    this.fillRect(x, y, w, t, color, alpha);
    this.fillRect(x, y + h - t, w, t, color, alpha);
    this.fillRect(x, y + t, t, h - 2 * t, color, alpha);
    this.fillRect(x + w - t, y + t, t, h - 2 * t, color, alpha);
  }

  /** Draws `image` with its top-left corner at (x, y), each pixel as a `scale × scale` block (nearest). */
  drawImage(image: RgbImage, x: number, y: number, scale = 1): void {
    const { width, height, data } = image;
    for (let sy = 0; sy < height; sy++) {
      for (let sx = 0; sx < width; sx++) {
        const k = (sy * width + sx) * 3;
        const color: Rgb = [toByte(data[k]!), toByte(data[k + 1]!), toByte(data[k + 2]!)];
        this.fillRect(x + sx * scale, y + sy * scale, scale, scale, color);
      }
    }
  }

  /**
   * Writes one line of text with the top of its capitals at (x, y), each font pixel as a
   * `scale × scale` block. Returns the x just past the text.
   */
  drawText(text: string, x: number, y: number, color: Rgb, scale = 1): number {
    let left = x;
    for (const ch of text) {
      glyph(ch).forEach((row, gy) =>
        row.forEach((ink, gx) => {
          if (ink) this.fillRect(left + gx * scale, y + gy * scale, scale, scale, color);
        }),
      );
      left += ADVANCE * scale;
    }
    return left;
  }

  /** Writes several lines of text, one below the other. */
  drawLines(lines: readonly string[], x: number, y: number, color: Rgb, scale = 1): void {
    lines.forEach((line, i) => this.drawText(line, x, y + i * LINE_HEIGHT * scale, color, scale));
  }

  /** The canvas as a PNG file (8-bit RGB, no alpha). */
  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return PNG.sync.write(png, { colorType: 2, inputColorType: 6, deflateLevel: 9, deflateStrategy: 0 }); // zlib's default strategy: smaller than pngjs's RLE
  }
}
