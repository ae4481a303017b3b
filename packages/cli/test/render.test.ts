// The drawing pieces shared by the demo and the preview command: the bitmap font, the canvas and
// its PNG, the heat map, the grid layout and the captions.
import { describe, expect, it } from 'vitest';

import { Canvas, toByte } from '../src/canvas.js';
import { ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, canRender, charsThatFit, glyph, textWidth, truncate } from '../src/font.js';
import { COLORS, COLUMN_GAP, MARGIN, type GridRow, cellRect, displayScale, layoutGrid, renderGrid } from '../src/grid.js';
import { heatmapImage, rampColor } from '../src/heatmap.js';
import { labelShares, resultCaption } from '../src/preview.js';
import { readPng } from './helpers.js';

const solid = (size: number, [r, g, b]: readonly [number, number, number]) => ({
  height: size,
  width: size,
  data: Float32Array.from({ length: size * size * 3 }, (_, k) => [r, g, b][k % 3]!),
});

describe('the bitmap font', () => {
  it('has a 5-pixel-wide glyph of 7 to 9 rows for every printable ASCII character and the symbols the captions use', () => {
    const chars = [...Array.from({ length: 95 }, (_, k) => String.fromCharCode(32 + k)), ...'λα·×…–−—²←→≤≥'];
    for (const ch of chars) {
      expect(canRender(ch), ch).toBe(true);
      const rows = glyph(ch);
      expect(rows.length, ch).toBeGreaterThanOrEqual(7);
      expect(rows.length, ch).toBeLessThanOrEqual(GLYPH_HEIGHT);
      for (const row of rows) expect(row.length, ch).toBe(GLYPH_WIDTH);
    }
    // Letters are told apart: no two characters share a glyph, spaces and dashes aside.
    const seen = new Map<string, string>();
    for (const ch of chars.filter((c) => !' –−—-'.includes(c))) {
      const key = JSON.stringify(glyph(ch));
      expect(seen.get(key), `${ch} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, ch);
    }
  });

  it('draws a character it lacks as "?"', () => {
    expect(canRender('é')).toBe(false);
    expect(glyph('é')).toEqual(glyph('?'));
  });

  it('measures, fits and cuts text', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('abc')).toBe(3 * ADVANCE - 1);
    expect(textWidth('λ 0.78', 2)).toBe(2 * (6 * ADVANCE - 1));
    expect(charsThatFit(3 * ADVANCE - 1)).toBe(3);
    expect(charsThatFit(3 * ADVANCE - 2)).toBe(2);
    expect(truncate('short', 5)).toBe('short');
    expect(truncate('longer text', 6)).toBe('longe…');
    expect(truncate('x', 0)).toBe('');
  });
});

describe('the canvas', () => {
  it('writes a PNG of its exact pixels', () => {
    const canvas = new Canvas(7, 5, [10, 20, 30]);
    canvas.setPixel(2, 1, [255, 0, 0]);
    canvas.fillRect(4, 2, 2, 2, [0, 255, 0]);
    canvas.setPixel(0, 0, [255, 255, 255], 0.5);
    const png = readPng(canvas.toPng());
    expect([png.width, png.height]).toEqual([7, 5]);
    const at = (x: number, y: number) => Array.from(png.data.subarray((y * 7 + x) * 4, (y * 7 + x) * 4 + 4));
    expect(at(2, 1)).toEqual([255, 0, 0, 255]);
    expect(at(5, 3)).toEqual([0, 255, 0, 255]);
    expect(at(6, 4)).toEqual([10, 20, 30, 255]);
    expect(at(0, 0)).toEqual([133, 138, 143, 255]);
  });

  it('enlarges images by whole pixels (nearest) and clips values to [0, 1]', () => {
    const canvas = new Canvas(6, 4);
    canvas.drawImage({ height: 2, width: 3, data: Float32Array.from([0, 0.5, 1, 1.5, -1, NaN, 0.2, 0.2, 0.2, 1, 0, 0, 0, 1, 0, 0, 0, 1]) }, 0, 0, 2);
    expect(canvas.getPixel(0, 0)).toEqual([0, 128, 255]);
    expect(canvas.getPixel(1, 1)).toEqual([0, 128, 255]);
    expect(canvas.getPixel(2, 0)).toEqual([255, 0, 0]);
    expect(canvas.getPixel(5, 3)).toEqual([0, 0, 255]);
    expect([toByte(0.5), toByte(2), toByte(-3), toByte(NaN)]).toEqual([128, 255, 0, 0]);
  });

  it('outlines inside the rectangle and writes text in the glyphs\' pixels', () => {
    const canvas = new Canvas(20, 12);
    canvas.strokeRect(1, 1, 6, 5, [0, 0, 0], 2);
    expect(canvas.getPixel(1, 1)).toEqual([0, 0, 0]);
    expect(canvas.getPixel(6, 5)).toEqual([0, 0, 0]);
    expect(canvas.getPixel(3, 3)).toEqual([255, 255, 255]);
    expect(canvas.getPixel(7, 1)).toEqual([255, 255, 255]);
    const after = canvas.drawText('I', 10, 2, [200, 0, 0]);
    expect(after).toBe(10 + ADVANCE);
    expect(canvas.getPixel(12, 2)).toEqual([200, 0, 0]); // the middle of I's top bar
    expect(canvas.getPixel(10, 2)).toEqual([255, 255, 255]);
  });

  it('refuses an empty canvas', () => {
    expect(() => new Canvas(0, 3)).toThrow(/at least 1 × 1/);
  });
});

describe('the heat map', () => {
  it('stretches the map to the image by nearest cells and scales it to its own range', () => {
    const black = solid(4, [0, 0, 0]);
    const heat = heatmapImage([1, 3, 5, 3], 2, 2, black, 0);
    const px = (x: number, y: number) => Array.from(heat.data.subarray((y * 4 + x) * 3, (y * 4 + x) * 3 + 3));
    expect(px(0, 0)).toEqual(Array.from(Float32Array.from(rampColor(0))));
    expect(px(1, 1)).toEqual(px(0, 0));
    expect(px(3, 3)).toEqual(Array.from(Float32Array.from(rampColor(0.5))));
    expect(px(0, 3)).toEqual(Array.from(Float32Array.from(rampColor(1))));
  });

  it('treats a flat map and non-finite values as no attention', () => {
    const grey = solid(2, [0.5, 0.5, 0.5]);
    const flat = heatmapImage([2, 2, 2, 2], 2, 2, grey);
    const withNaN = heatmapImage([NaN, Infinity, 0, 0], 2, 2, grey);
    expect(Array.from(flat.data)).toEqual(Array.from(withNaN.data));
  });
});

describe('captions', () => {
  it('gives whole percentages that add up to 100, the base first', () => {
    expect(labelShares([0.775, 0.225, 0], 0)).toEqual([
      { index: 0, percent: 78 },
      { index: 1, percent: 22 },
    ]);
    expect(labelShares([0.3, 0, 0.7], 0)).toEqual([
      { index: 0, percent: 30 },
      { index: 2, percent: 70 },
    ]);
    expect(labelShares([1 / 3, 1 / 3, 1 / 3], 2).reduce((s, e) => s + e.percent, 0)).toBe(100);
    expect(labelShares([0, 0.997, 0.003], 1)).toEqual([{ index: 1, percent: 100 }]);
  });

  it('rounds a lambda one way whatever the order of the classes: a tied half goes to the base, as lambda.toFixed(2) rounds it', () => {
    const shares = (row: number[], first: number) => labelShares(row, first).map((e) => e.percent);
    // λ = 0.625 and 0.375, the base's class before and after the partner's, and in float32 (as the mixed labels come).
    for (const [lambda, base] of [[0.625, 63], [0.375, 38]] as const) {
      const f32 = (v: number) => Math.fround(v);
      expect(shares([lambda, 1 - lambda], 0), `λ ${lambda}, base class 0`).toEqual([base, 100 - base]);
      expect(shares([1 - lambda, lambda], 1), `λ ${lambda}, base class 1`).toEqual([base, 100 - base]);
      expect(shares([0, f32(1 - lambda), 0, f32(lambda)], 3), `λ ${lambda}, float32`).toEqual([base, 100 - base]);
      expect(Math.round(Number(lambda.toFixed(2)) * 100)).toBe(base);
    }
    // Three equal shares: the base gets the extra point, then the lower class.
    expect(labelShares([1 / 3, 1 / 3, 1 / 3], 2)).toEqual([
      { index: 2, percent: 34 },
      { index: 0, percent: 33 },
      { index: 1, percent: 33 },
    ]);
  });

  it('puts lambda and the label on one line when they fit, else on more', () => {
    expect(resultCaption(0.7812, ['78% disc', '22% ring'], 40)).toEqual(['λ 0.78 · 78% disc + 22% ring']);
    expect(resultCaption(0.7812, ['78% disc', '22% ring'], 20)).toEqual(['λ 0.78', '78% disc + 22% ring']);
    expect(resultCaption(0.7812, ['78% IMG_2034', '22% IMG_2077'], 20)).toEqual(['λ 0.78', '78% IMG_2034', '+ 22% IMG_2077']);
  });
});

describe('the grid', () => {
  const rows = (samples: number, size: number): GridRow[] => [
    { key: 'a', title: 'first', tiles: Array.from({ length: samples }, (_, i) => ({ image: solid(size, [i / samples, 0, 0]), caption: ['x'] })) },
    { key: 'b', title: 'second', tiles: Array.from({ length: samples }, () => ({ image: solid(size, [0, 1, 0]), outlines: [cellRect(0, 2, size, size)], cellGrid: 2 })) },
  ];

  it('enlarges small images by a whole factor', () => {
    expect(displayScale(32)).toBe(4);
    expect(displayScale(48)).toBe(3);
    expect(displayScale(224)).toBe(1);
  });

  it('uses the library\'s cell partition', () => {
    expect(cellRect(0, 7, 48, 48)).toEqual([0, 0, 6, 6]);
    expect(cellRect(8, 7, 48, 32)).toEqual([6, 4, 13, 9]);
    expect(cellRect(48, 7, 48, 48)).toEqual([41, 41, 48, 48]);
  });

  it('places every tile where the layout says, in bands of columns', () => {
    const { canvas, layout } = renderGrid(rows(5, 10), { scale: 3, columns: 2 });
    expect(layout.tileWidth).toBe(30);
    expect(layout.width).toBe(2 * MARGIN + 2 * 30 + COLUMN_GAP);
    expect(layout.tileOrigin('a', 0).x).toBe(MARGIN);
    expect(layout.tileOrigin('a', 3).x).toBe(MARGIN + 30 + COLUMN_GAP);
    expect(layout.tileOrigin('a', 2).y).toBeGreaterThan(layout.tileOrigin('b', 1).y); // a new band
    for (let i = 0; i < 5; i++) {
      const { x, y } = layout.tileOrigin('a', i);
      expect(canvas.getPixel(x + 15, y + 15)).toEqual([Math.round((255 * i) / 5), 0, 0]);
      const b = layout.tileOrigin('b', i);
      expect(canvas.getPixel(b.x, b.y)).toEqual([...COLORS.outline]); // cell 0's outline
      expect(canvas.getPixel(b.x + 29, b.y + 29)).toEqual([0, 255, 0]);
    }
    expect(() => layout.tileOrigin('c', 0)).toThrow(/No tile/);
    expect(() => layout.tileOrigin('a', 5)).toThrow(/No tile/);
  });

  it('refuses rows of different lengths or image sizes', () => {
    const bad = rows(2, 8);
    expect(() => layoutGrid([bad[0]!, { ...bad[1]!, tiles: bad[1]!.tiles.slice(1) }])).toThrow(/Row 'b' has 1 tiles, but the grid has 2 samples/);
    expect(() => layoutGrid([bad[0]!, { key: 'c', title: '', tiles: [{ image: solid(9, [0, 0, 0]) }, { image: solid(8, [0, 0, 0]) }] }])).toThrow(/Row 'c' has an image of 9 × 9/);
  });
});
