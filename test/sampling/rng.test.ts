import { describe, expect, expectTypeOf, it } from 'vitest';

import { createRng, type ResumableRng, type RngState } from '../../src/index.js';

const draws = (rng: { uniform(): number }, n: number) => Array.from({ length: n }, () => rng.uniform());

describe('createRng', () => {
  it('gives the same stream for the same seed, and a number seed equals its string', () => {
    expect(draws(createRng(42), 100)).toEqual(draws(createRng(42), 100));
    expect(draws(createRng(42), 10)).toEqual(draws(createRng('42'), 10));
  });

  it('gives different streams for different seeds, and for unseeded generators', () => {
    expect(draws(createRng(1), 10)).not.toEqual(draws(createRng(2), 10));
    expect(draws(createRng(), 10)).not.toEqual(draws(createRng(), 10));
  });

  it('gives different streams for seeds that repeat one another (1 and 11, 12 and 1212)', () => {
    // A short ARC4 key is repeated to fill the key schedule: the raw strings '1' and '11' would collide.
    for (const [a, b] of [[1, 11], [1, 111], [12, 1212], [10, 1010], ['ab', 'abab']] as const) {
      expect(draws(createRng(a), 4)).not.toEqual(draws(createRng(b), 4));
    }
    const firsts = new Set(Array.from({ length: 5000 }, (_, seed) => createRng(seed).uniform()));
    expect(firsts.size).toBe(5000);
  });

  it('draws uniforms in [0, 1) with a mean near 1/2', () => {
    const values = draws(createRng('u'), 20_000);
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / values.length));
  });

  it('resumes exactly from a saved state, also after a JSON round trip', () => {
    const rng = createRng('checkpoint');
    draws(rng, 37);
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const expected = draws(rng, 50);
    expect(draws(createRng(saved), 50)).toEqual(expected);
  });

  it('is typed as a ResumableRng, whose state() is required (no non-null assertion to save a checkpoint)', () => {
    expectTypeOf(createRng(1)).toEqualTypeOf<ResumableRng>();
    expectTypeOf(createRng(1).state).toEqualTypeOf<() => RngState>();
  });

  it('does not share state with the state object it was restored from', () => {
    const rng = createRng(7);
    const saved = rng.state();
    const a = createRng(saved);
    draws(a, 5);
    expect(draws(createRng(saved), 5)).toEqual(draws(createRng(saved), 5));
    expect(saved).toEqual(createRng(7).state());
  });

  it('rejects a malformed state or seed, naming the argument', () => {
    expect(() => createRng({ algorithm: 'arc4', i: 0, j: 0, S: [1, 2] })).toThrow(/Argument 'seed' passed to 'createRng'.*256 bytes/);
    expect(() => createRng(Number.NaN)).toThrow(/Argument 'seed' passed to 'createRng' must be a finite number, but got NaN/);
    expect(() => createRng(true as unknown as number)).toThrow(/Argument 'seed' passed to 'createRng'/);
  });
});
