// The cluttered Fashion-MNIST generator (examples/training/clutter.ts): what the experiment's
// second dataset is made of. Its sizes, that it is deterministic and that image i does not depend
// on which range is made, that each label and box follow the garment laid there, that fragments
// come from other garments, and the bilinear resize against a hand computation.
import { describe, expect, it } from 'vitest';

import { CLUTTER_DEFAULTS, type GreyImages, makeCluttered, resizeBilinear } from '../../examples/training/clutter.js';

/** `count` 28 × 28 garments: image n is a filled square of brightness (n + 1)/(count + 1) inside a dark frame. */
function garments(count: number, side = 28): GreyImages {
  const pixels = new Float32Array(count * side * side);
  for (let n = 0; n < count; n++) {
    for (let y = 4; y < side - 4; y++) for (let x = 4; x < side - 4; x++) pixels[n * side * side + y * side + x] = (n + 1) / (count + 1);
  }
  return { pixels, labels: Int32Array.from({ length: count }, (_, n) => (n * 7) % 10), count, side };
}

describe('resizeBilinear', () => {
  it('matches a hand computation with half-pixel centres (2 × 2 up to 4 × 4, and 4 × 4 down to 2 × 2)', () => {
    // up: output pixel o of 4 sits at (o + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25 → clamped 0, 0.25, 0.75, 1
    const up = resizeBilinear(Float32Array.from([0, 1, 2, 3]), 2, 4);
    const row = (a: number, b: number) => [a, a + 0.25 * (b - a), a + 0.75 * (b - a), b];
    const top = row(0, 1);
    const bottom = row(2, 3);
    const expected = [0, 0.25, 0.75, 1].flatMap((t) => top.map((v, i) => v + t * (bottom[i]! - v)));
    expect(Array.from(up)).toEqual(expected.map((v) => Math.fround(v)));
    // down by 2: each output pixel sits at the centre of a 2 × 2 block, the block's mean
    const image = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(Array.from(resizeBilinear(image, 4, 2))).toEqual([2.5, 4.5, 10.5, 12.5]);
  });
});

describe('makeCluttered', () => {
  const source = garments(40);

  it('makes side × side images in [0, 1] whose garments cover a minority of the canvas', () => {
    const set = makeCluttered(source, { seed: 's' });
    const side = CLUTTER_DEFAULTS.side;
    expect(set.side).toBe(side);
    expect(set.count).toBe(40);
    expect(set.pixels.length).toBe(40 * side * side);
    expect(set.boxes.length).toBe(40 * 3);
    expect(Math.min(...set.pixels)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...set.pixels)).toBeLessThanOrEqual(1);
    for (let n = 0; n < set.count; n++) {
      const [top, left, s] = set.boxes.slice(n * 3, n * 3 + 3) as unknown as [number, number, number];
      expect(s).toBeGreaterThanOrEqual(Math.round(28 * CLUTTER_DEFAULTS.scale[0]));
      expect(s).toBeLessThanOrEqual(Math.round(28 * CLUTTER_DEFAULTS.scale[1]));
      expect(top >= 0 && left >= 0 && top + s <= side && left + s <= side).toBe(true);
      expect((s * s) / (side * side)).toBeLessThan(0.5);
    }
  });

  it('is deterministic: the same seed gives the same bytes, another seed other images, and image i is the same whichever range is made', () => {
    const a = makeCluttered(source, { seed: 'x' });
    expect(makeCluttered(source, { seed: 'x' }).pixels).toEqual(a.pixels);
    expect(makeCluttered(source, { seed: 'y' }).pixels).not.toEqual(a.pixels);
    const part = makeCluttered(source, { seed: 'x' }, 10, 5);
    const side = CLUTTER_DEFAULTS.side;
    expect(part.pixels).toEqual(a.pixels.slice(10 * side * side, 15 * side * side));
    expect(Array.from(part.labels)).toEqual(Array.from(a.labels.slice(10, 15)));
    expect(Array.from(part.boxes)).toEqual(Array.from(a.boxes.slice(30, 45)));
  });

  it('lays each garment whole in its box and gives its label; without fragments nothing else is drawn', () => {
    const set = makeCluttered(source, { seed: 'z', fragments: 0 });
    const side = set.side;
    for (let n = 0; n < set.count; n++) {
      expect(set.labels[n]).toBe(source.labels[n]);
      const [top, left, s] = set.boxes.slice(n * 3, n * 3 + 3) as unknown as [number, number, number];
      const expected = resizeBilinear(source.pixels.subarray(n * 784, (n + 1) * 784), 28, s);
      const canvas = set.pixels.subarray(n * side * side, (n + 1) * side * side);
      const made = new Float32Array(side * side);
      for (let y = 0; y < s; y++) made.set(expected.subarray(y * s, (y + 1) * s), (top + y) * side + left);
      expect(canvas).toEqual(made);
      expect(Math.max(...canvas)).toBeGreaterThan(0);
    }
  });

  it('strews fragments of OTHER garments: outside the box only other garments\' brightness appears', () => {
    // each garment's pixels are one brightness, so a fragment tells which garment it came from
    // (bilinear edges blend with the dark frame, so only values at full brightness are counted)
    const set = makeCluttered(source, { seed: 'w' });
    const side = set.side;
    const brightness = (n: number) => Math.fround((n + 1) / 41);
    let fragmentsSeen = 0;
    for (let n = 0; n < set.count; n++) {
      const [top, left, s] = set.boxes.slice(n * 3, n * 3 + 3) as unknown as [number, number, number];
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          if (y >= top && y < top + s && x >= left && x < left + s) continue;
          const v = set.pixels[n * side * side + y * side + x]!;
          const from = Array.from({ length: 40 }, (_, j) => j).find((j) => brightness(j) === v);
          if (from !== undefined) {
            expect(from).not.toBe(n);
            fragmentsSeen++;
          }
        }
      }
    }
    expect(fragmentsSeen).toBeGreaterThan(0);
  });

  it('refuses settings it cannot make, naming them', () => {
    expect(() => makeCluttered(source, { seed: 's', scale: [0.5, 2] })).toThrow(/clutter scale .* inside the 40-px canvas, but got \[0\.5, 2\]/);
    expect(() => makeCluttered(source, { seed: 's', fragmentSize: [0, 4] })).toThrow(/fragmentSize must be whole pixels/);
    expect(() => makeCluttered(source, { seed: 's', fragments: -1 })).toThrow(/fragments must be a whole number >= 0, but got -1/);
    expect(() => makeCluttered(garments(1), { seed: 's' })).toThrow(/at least 2 source images/);
    expect(() => makeCluttered(source, { seed: 's' }, 35, 10)).toThrow(/range \[35, 45\) is outside the 40 source images/);
  });
});
