import { describe, expect, it } from 'vitest';

import { createRng, sampleCutMixParams, sampleMixupParams } from '../../src/index.js';

describe('sampleCutMixParams', () => {
  it('computes lambda from the clipped box area, exactly, per sample', () => {
    const [B, H, W] = [64, 9, 13];
    const params = sampleCutMixParams([B, H, W, 3], { seed: 'exact', mode: 'elem', partner: 'roll' });
    params.boxes.forEach(([y0, x0, y1, x1], i) => {
      expect(params.lambda[i]).toBe(Math.fround(1 - ((y1 - y0) * (x1 - x0)) / (H * W)));
    });
    // Some boxes were clipped at a border, or this test would not test clipping.
    expect(params.boxes.some(([y0, x0, y1, x1]) => y0 === 0 || x0 === 0 || y1 === H || x1 === W)).toBe(true);
  });

  it("keeps the box's aspect with the image's: height from H, width from W", () => {
    const [H, W] = [8, 96];
    const rng = createRng('aspect');
    let inside = 0;
    for (let t = 0; t < 1000; t++) {
      const { boxes } = sampleCutMixParams([2, H, W], { seed: rng, partner: 'flip' });
      const [y0, x0, y1, x1] = boxes[0]!;
      if (y0 === 0 || x0 === 0 || y1 === H || x1 === W || y1 === y0) continue; // clipped or empty
      inside++;
      // Both sides are ⌊size·√(1−λ)⌋ for the same λ, so their fractions differ by under one pixel of H.
      expect(Math.abs((y1 - y0) / H - (x1 - x0) / W)).toBeLessThan(1 / H);
    }
    expect(inside).toBeGreaterThan(100);
  });

  it('uses one box and lambda for the batch in batch mode, one per sample in elem mode', () => {
    const batch = sampleCutMixParams([6, 20, 20], { seed: 1, partner: 'roll' });
    expect(new Set(batch.boxes.map(String)).size).toBe(1);
    expect(new Set(batch.lambda).size).toBe(1);
    const elem = sampleCutMixParams([6, 20, 20], { seed: 1, partner: 'roll', mode: 'elem' });
    expect(new Set(elem.boxes.map(String)).size).toBeGreaterThan(1);
  });

  it('leaves a batch of one, and any sample paired with itself, unmixed: lambda 1, empty box', () => {
    expect(sampleCutMixParams([1, 8, 8], { seed: 0 })).toMatchObject({ lambda: [1], partners: [0], boxes: [[0, 0, 0, 0]] });
    const flip = sampleCutMixParams([5, 8, 8], { seed: 0, partner: 'flip', alpha: 1 });
    expect(flip.lambda[2]).toBe(1);
    expect(flip.boxes[2]).toEqual([0, 0, 0, 0]);
  });
});

describe('prob', () => {
  it('mixes a share prob of the samples in elem mode (applied once, not prob²)', () => {
    for (const prob of [0.3, 0.5, 0.8]) {
      const params = sampleMixupParams(4000, { prob, mode: 'elem', partner: 'roll', alpha: 1, seed: prob });
      const mixed = params.lambda.filter((l) => l !== 1).length / 4000;
      expect(Math.abs(mixed - prob)).toBeLessThan(5 * Math.sqrt((prob * (1 - prob)) / 4000));
    }
  });

  it('mixes a share prob of the batches in batch mode, all samples or none', () => {
    const rng = createRng('batches');
    let mixedBatches = 0;
    for (let t = 0; t < 2000; t++) {
      const { lambda } = sampleCutMixParams([4, 16, 16], { prob: 0.25, seed: rng, partner: 'roll', minMax: [0.25, 0.5] });
      const mixed = lambda.filter((l) => l !== 1).length;
      expect([0, 4]).toContain(mixed);
      if (mixed) mixedBatches++;
    }
    expect(Math.abs(mixedBatches / 2000 - 0.25)).toBeLessThan(5 * Math.sqrt((0.25 * 0.75) / 2000));
  });

  it('does not change the parameters of the samples that stay mixed when prob changes', () => {
    const all = sampleCutMixParams([50, 16, 16], { prob: 1, mode: 'elem', partner: 'roll', seed: 9 });
    const some = sampleCutMixParams([50, 16, 16], { prob: 0.5, mode: 'elem', partner: 'roll', seed: 9 });
    some.boxes.forEach((box, i) => {
      if (some.lambda[i] !== 1) expect(box).toEqual(all.boxes[i]);
    });
  });

  it('mixes nothing with prob 0', () => {
    const params = sampleCutMixParams([5, 8, 8], { prob: 0, mode: 'elem', seed: 2 });
    expect(params.lambda).toEqual([1, 1, 1, 1, 1]);
    expect(params.boxes.every((b) => b.every((v) => v === 0))).toBe(true);
  });
});

describe('seeding', () => {
  it('gives identical parameters for the same seed, and a new draw from a shared Rng each call', () => {
    const opts = { mode: 'elem', alpha: 0.4 } as const;
    expect(sampleMixupParams(16, { ...opts, seed: 'a' })).toEqual(sampleMixupParams(16, { ...opts, seed: 'a' }));
    expect(sampleMixupParams(16, { ...opts, seed: 'a' })).not.toEqual(sampleMixupParams(16, { ...opts, seed: 'b' }));
    const rng = createRng(5);
    const first = sampleMixupParams(16, { ...opts, seed: rng });
    const saved = rng.state();
    const second = sampleMixupParams(16, { ...opts, seed: rng });
    expect(second).not.toEqual(first);
    expect(sampleMixupParams(16, { ...opts, seed: createRng(saved) })).toEqual(second);
  });

  it('takes the batch size or the batch shape, to the same draw', () => {
    expect(sampleMixupParams([16, 32, 32, 3], { mode: 'elem', seed: 5 })).toEqual(sampleMixupParams(16, { mode: 'elem', seed: 5 }));
  });

  it('is random without a seed', () => {
    expect(sampleMixupParams(16, { mode: 'elem' })).not.toEqual(sampleMixupParams(16, { mode: 'elem' }));
  });
});

describe('argument checks', () => {
  it.each([
    [() => sampleMixupParams(0), /Argument 'batch' passed to 'sampleMixupParams' must be an integer >= 1, but got 0/],
    [() => sampleMixupParams([0, 8, 8, 3]), /Argument 'batch' passed to 'sampleMixupParams' must be a batch size B or a shape \[B, …\] of positive integers, but got \[0, 8, 8, 3\]/],
    [() => sampleMixupParams([]), /Argument 'batch' passed to 'sampleMixupParams' must be a batch size B or a shape/],
    [() => sampleMixupParams(4, { alpha: 0 }), /'options.alpha' .* must be a number > 0, but got 0/],
    [() => sampleMixupParams(4, { alpha: -1 }), /'options.alpha'/],
    [() => sampleMixupParams(4, { prob: 1.5 }), /'options.prob' .* must be a number in \[0, 1\], but got 1.5/],
    [() => sampleMixupParams(4, { mode: 'pair' as 'elem' }), /'options.mode' .* must be one of 'batch', 'elem', but got 'pair'/],
    [() => sampleMixupParams(4, { partner: 'random' as 'flip' }), /'options.partner' .* one of 'shuffle', 'flip', 'roll', but got 'random'/],
    [() => sampleMixupParams(4, { seed: {} as unknown as number }), /'options.seed' .* an Rng from createRng/],
    [() => sampleMixupParams(4, { minMax: [0.1, 0.2] } as object), /Unknown option 'minMax' passed to 'sampleMixupParams'/],
    [() => sampleCutMixParams([4, 8], {}), /Argument 'shape' passed to 'sampleCutMixParams' must be \[B, H, W\]/],
    [() => sampleCutMixParams([4, 8, 8], { minMax: [0, 0.5] }), /'options.minMax' .* 0 < lo <= hi <= 1, but got \[0, 0.5\]/],
    [() => sampleCutMixParams([4, 8, 8], { minMax: [0.6, 0.5] }), /'options.minMax'/],
    [() => sampleCutMixParams([4, 8, 8], { minMax: [0.5, 1.5] }), /'options.minMax'/],
    [() => sampleCutMixParams([4, 8, 8], { minMax: 0.5 as unknown as [number, number] }), /'options.minMax' .* but got 0.5/],
  ])('rejects bad arguments with a message that names them (%#)', (call, pattern) => {
    expect(call).toThrow(pattern);
  });
});
