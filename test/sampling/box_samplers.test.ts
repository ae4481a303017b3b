import { describe, expect, it } from 'vitest';

import { createRng, sampleResizeMixParams, sampleSaliencyMixParams } from '../../src/index.js';

describe('sampleResizeMixParams', () => {
  it('draws boxes of ⌊τH⌋ × ⌊τW⌋ for τ in scale, at every origin where they fit, the last row and column included', () => {
    const [H, W] = [10, 16];
    const rng = createRng('resize-boxes');
    const [bottom, right] = [new Set<number>(), new Set<number>()];
    for (let t = 0; t < 500; t++) {
      const { boxes, lambda } = sampleResizeMixParams([2, H, W], { seed: rng, partner: 'flip', scale: [0.3, 0.5] });
      const [y0, x0, y1, x1] = boxes[0]!;
      const [h, w] = [y1 - y0, x1 - x0];
      expect(h).toBeGreaterThanOrEqual(3);
      expect(h).toBeLessThanOrEqual(5);
      // One τ: ⌊τ·10⌋ = h and ⌊τ·16⌋ = w for some τ in [0.3, 0.5].
      expect(Math.max(h / H, w / W)).toBeLessThan(Math.min((h + 1) / H, (w + 1) / W));
      expect(y0 >= 0 && x0 >= 0 && y1 <= H && x1 <= W).toBe(true);
      expect(lambda[0]).toBe(Math.fround(1 - (h * w) / (H * W)));
      if (y1 === H) bottom.add(h);
      if (x1 === W) right.add(w);
    }
    expect(bottom.size).toBeGreaterThan(0);
    expect(right.size).toBeGreaterThan(0);
  });

  it('keeps at least one pixel a side, and leaves self-paired samples unmixed', () => {
    const params = sampleResizeMixParams([3, 4, 4], { seed: 1, partner: 'flip', scale: [0.01, 0.01], mode: 'elem' });
    expect(params.boxes[0]![2] - params.boxes[0]![0]).toBe(1);
    expect(params.boxes[1]).toEqual([0, 0, 0, 0]);
    expect(params.lambda[1]).toBe(1);
  });

  it('changes nothing else when prob changes: the samples still mixed keep their boxes', () => {
    const all = sampleResizeMixParams([8, 20, 20], { seed: 3, mode: 'elem' });
    const some = sampleResizeMixParams([8, 20, 20], { seed: 3, mode: 'elem', prob: 0.5 });
    expect(some.partners).toEqual(all.partners);
    some.boxes.forEach((box, i) => expect(box).toEqual(some.lambda[i] === 1 ? [0, 0, 0, 0] : all.boxes[i]));
    expect(some.lambda.filter((l) => l < 1).length).toBeGreaterThan(0);
  });
});

describe('sampleSaliencyMixParams', () => {
  it('draws CutMix-sized boxes, ⌊H·√(1−λ)⌋ × ⌊W·√(1−λ)⌋, [0, 0] where nothing is pasted', () => {
    const [H, W] = [20, 50];
    const params = sampleSaliencyMixParams([64, H, W], { seed: 'sizes', mode: 'elem', prob: 0.7 });
    let unmixed = 0;
    params.sizes.forEach(([h, w]) => {
      if (h * w === 0) return void unmixed++;
      expect(Math.abs(h / H - w / W)).toBeLessThan(1 / H); // the same √(1−λ) for both sides
    });
    expect(unmixed).toBeGreaterThan(0);
    expect(params).toMatchObject({ height: H, width: W });
    expect(sampleSaliencyMixParams([1, 8, 8], { seed: 0 }).sizes).toEqual([[0, 0]]);
  });

  it('is the same for the same seed, and keeps the sizes of the samples still mixed when prob changes', () => {
    expect(sampleSaliencyMixParams([6, 9, 9], { seed: 4, mode: 'elem' })).toEqual(sampleSaliencyMixParams([6, 9, 9], { seed: 4, mode: 'elem' }));
    const all = sampleSaliencyMixParams([6, 30, 30], { seed: 4, mode: 'elem' });
    const some = sampleSaliencyMixParams([6, 30, 30], { seed: 4, mode: 'elem', prob: 0.5 });
    some.sizes.forEach((size, i) => expect(size).toEqual(size[0] === 0 ? [0, 0] : all.sizes[i]));
  });
});
