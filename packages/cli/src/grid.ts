// The preview grid: one column per sample, one row per stage (base, partner, attention, results),
// a title above each row and a caption under each image. Images are enlarged by a whole factor
// (nearest neighbour) so that small ones stay readable; long batches wrap into bands of columns.
import { cellEdges } from 'attentive-cutmix';

import { Canvas, type Rgb, type RgbImage } from './canvas.js';
import { LINE_HEIGHT, charsThatFit, textWidth, truncate } from './font.js';

/** A rectangle `[y0, x0, y1, x1]` in image pixels, half-open. */
export type Rect = readonly [number, number, number, number];

/** One image of the grid. */
export interface Tile {
  image: RgbImage;
  /** Rectangles outlined on the image, in its pixels. */
  outlines?: readonly Rect[];
  /** Draw faint lines between the cells of this `grid × grid` partition. */
  cellGrid?: number;
  /** Lines written under the image (cut to the image's width). */
  caption?: readonly string[];
}

/** One stage of the preview: a tile per sample. */
export interface GridRow {
  /** A name to find the row's tiles by in the {@link GridLayout}. */
  key: string;
  title: string;
  tiles: readonly Tile[];
}

export interface GridOptions {
  /** Whole-number enlargement of every image. Default: {@link displayScale} of the image size. */
  scale?: number;
  /** Samples per band; longer batches wrap. Default: all in one band. */
  columns?: number;
  /** Header lines: the first is written twice as large. */
  header?: readonly string[];
}

/** Where everything lands, for drawing and for checking the drawing. */
export interface GridLayout {
  width: number;
  height: number;
  scale: number;
  /** Size of one enlarged image. */
  tileWidth: number;
  tileHeight: number;
  /** Top-left corner of the image of `sample` in the row `key`. */
  tileOrigin(key: string, sample: number): { x: number; y: number };
}

export const MARGIN = 12;
export const COLUMN_GAP = 8;
const ROW_GAP = 10;
const BAND_GAP = 14;
const TITLE_GAP = 3;

export const COLORS = {
  background: [250, 250, 248] as Rgb,
  header: [20, 20, 20] as Rgb,
  title: [25, 70, 150] as Rgb,
  caption: [45, 45, 45] as Rgb,
  outline: [0, 235, 255] as Rgb,
  cellLines: [255, 255, 255] as Rgb,
  separator: [210, 210, 205] as Rgb,
};

/** The smallest whole enlargement that makes an image of `size` pixels at least `minTile` wide. */
export function displayScale(size: number, minTile = 128): number {
  return Math.max(1, Math.ceil(minTile / size));
}

/** The rectangle `[y0, x0, y1, x1]` of cell r·grid + c of an `height × width` image (the library's partition). */
export function cellRect(cell: number, grid: number, height: number, width: number): Rect {
  const [r, c] = [Math.floor(cell / grid), cell % grid];
  const rows = cellEdges(height, grid);
  const cols = cellEdges(width, grid);
  return [rows[r]!, cols[c]!, rows[r + 1]!, cols[c + 1]!];
}

/** Computes the layout of `rows` without drawing. */
export function layoutGrid(rows: readonly GridRow[], options: GridOptions = {}): GridLayout {
  const first = rows[0]?.tiles[0]?.image;
  if (!first) throw new Error('A grid needs at least one row with one tile.');
  const samples = rows[0]!.tiles.length;
  for (const row of rows) {
    if (row.tiles.length !== samples) throw new Error(`Row '${row.key}' has ${row.tiles.length} tiles, but the grid has ${samples} samples.`);
    for (const t of row.tiles) {
      if (t.image.height !== first.height || t.image.width !== first.width) {
        throw new Error(`Row '${row.key}' has an image of ${t.image.height} × ${t.image.width}, but the grid's images are ${first.height} × ${first.width}.`);
      }
    }
  }
  const scale = options.scale ?? displayScale(Math.min(first.height, first.width));
  const columns = Math.max(1, Math.min(options.columns ?? samples, samples));
  const bands = Math.ceil(samples / columns);
  const tileWidth = first.width * scale;
  const tileHeight = first.height * scale;
  const header = options.header ?? [];

  let y = MARGIN;
  if (header.length > 0) y += 2 * LINE_HEIGHT + (header.length - 1) * LINE_HEIGHT + 6;
  const origins = new Map<string, number[]>(); // key → y of the row's images, per band
  for (let band = 0; band < bands; band++) {
    if (band > 0) y += BAND_GAP;
    for (const row of rows) {
      y += LINE_HEIGHT + TITLE_GAP;
      const ys = origins.get(row.key) ?? [];
      ys.push(y);
      origins.set(row.key, ys);
      y += tileHeight;
      const inBand = row.tiles.slice(band * columns, (band + 1) * columns);
      const captionLines = Math.max(0, ...inBand.map((t) => t.caption?.length ?? 0));
      if (captionLines > 0) y += TITLE_GAP + captionLines * LINE_HEIGHT;
      y += ROW_GAP;
    }
  }
  const height = y - ROW_GAP + MARGIN;
  const gridWidth = columns * tileWidth + (columns - 1) * COLUMN_GAP;
  const headerWidth = Math.max(0, ...header.map((line, i) => textWidth(line, i === 0 ? 2 : 1)));
  const width = 2 * MARGIN + Math.max(gridWidth, Math.min(headerWidth, 2 * gridWidth));
  return {
    width,
    height,
    scale,
    tileWidth,
    tileHeight,
    tileOrigin(key, sample) {
      const ys = origins.get(key);
      if (!ys || !Number.isInteger(sample) || sample < 0 || sample >= samples) throw new Error(`No tile for row '${key}', sample ${sample}.`);
      return { x: MARGIN + (sample % columns) * (tileWidth + COLUMN_GAP), y: ys[Math.floor(sample / columns)]! };
    },
  };
}

/** Draws `rows` (see {@link layoutGrid}) and returns the canvas with its layout. */
export function renderGrid(rows: readonly GridRow[], options: GridOptions = {}): { canvas: Canvas; layout: GridLayout } {
  const layout = layoutGrid(rows, options);
  const { scale, tileWidth, tileHeight } = layout;
  const canvas = new Canvas(layout.width, layout.height, COLORS.background);
  const header = options.header ?? [];
  const usable = layout.width - 2 * MARGIN;
  header.forEach((line, i) => {
    const s = i === 0 ? 2 : 1;
    const y = i === 0 ? MARGIN : MARGIN + 2 * LINE_HEIGHT + (i - 1) * LINE_HEIGHT;
    canvas.drawText(truncate(line, charsThatFit(usable, s)), MARGIN, y, COLORS.header, s);
  });
  const samples = rows[0]!.tiles.length;
  const columns = Math.max(1, Math.min(options.columns ?? samples, samples));
  const captionChars = charsThatFit(tileWidth);
  rows.forEach((row) => {
    row.tiles.forEach((tile, sample) => {
      const { x, y } = layout.tileOrigin(row.key, sample);
      if (sample % columns === 0) {
        canvas.drawText(truncate(row.title, charsThatFit(usable)), MARGIN, y - TITLE_GAP - LINE_HEIGHT + 2, COLORS.title);
        if (sample > 0 && row === rows[0]) {
          const lineY = y - TITLE_GAP - LINE_HEIGHT - Math.ceil(BAND_GAP / 2) - 2;
          canvas.fillRect(MARGIN, lineY, usable, 1, COLORS.separator);
        }
      }
      canvas.drawImage(tile.image, x, y, scale);
      if (tile.cellGrid && tile.cellGrid > 1) {
        for (const edge of cellEdges(tile.image.height, tile.cellGrid).slice(1, -1)) canvas.fillRect(x, y + edge * scale, tileWidth, 1, COLORS.cellLines, 0.35);
        for (const edge of cellEdges(tile.image.width, tile.cellGrid).slice(1, -1)) canvas.fillRect(x + edge * scale, y, 1, tileHeight, COLORS.cellLines, 0.35);
      }
      // Outlines about a tenth of a cell wide (1 to 3 pixels), so that small cells stay visible.
      const cellPixels = tile.cellGrid ? Math.floor(Math.min(tile.image.height, tile.image.width) / tile.cellGrid) * scale : tileWidth / 4;
      const thickness = Math.max(1, Math.min(3, Math.round(cellPixels / 10)));
      for (const [y0, x0, y1, x1] of tile.outlines ?? []) {
        if (y1 > y0 && x1 > x0) canvas.strokeRect(x + x0 * scale, y + y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale, COLORS.outline, thickness);
      }
      const caption = (tile.caption ?? []).map((line) => truncate(line, captionChars));
      canvas.drawLines(caption, x, y + tileHeight + TITLE_GAP + 1, COLORS.caption);
    });
  });
  return { canvas, layout };
}
