import seedrandom from 'seedrandom';

import { argumentError, describe, errorMessage } from '../validation.js';

/**
 * A seed: the same seed always gives the same stream of random numbers.
 * Numbers and strings are both accepted; `1` and `'1'` give the same stream.
 * @public
 */
export type Seed = number | string;

/**
 * The saved state of an {@link Rng}: a plain, JSON-serialisable object.
 * Store it in a training checkpoint and pass it to {@link createRng} to resume the stream
 * exactly where it was.
 * @public
 */
export interface RngState {
  /** The generator the state belongs to (seedrandom's ARC4). */
  readonly algorithm: 'arc4';
  /** ARC4 index `i`, in [0, 255]. */
  readonly i: number;
  /** ARC4 index `j`, in [0, 255]. */
  readonly j: number;
  /** ARC4 permutation: each of 0…255 once. A state that breaks these rules is corrupt, and {@link createRng} refuses it. */
  readonly S: readonly number[];
}

/**
 * A seeded source of uniform random numbers, shared by consecutive calls so that each call
 * draws new parameters while the whole stream stays reproducible.
 *
 * Any object with a `uniform()` method can be passed where an `Rng` is expected (a test double,
 * a generator of your own); {@link createRng} makes the library's own, which can also save its state.
 * @public
 */
export interface Rng {
  /** A uniform number in [0, 1). Any other value (NaN, a negative number, a raw integer) is refused when it is drawn, with an error naming it. */
  uniform(): number;
  /** A snapshot of the generator's state, when the generator supports it. */
  state?(): RngState;
}

/**
 * The library's own {@link Rng}, as {@link createRng} makes it: its `state()` is always there, so
 * a checkpoint can save it without a non-null assertion.
 * @public
 */
export interface ResumableRng extends Rng {
  /** A snapshot of the generator's state: JSON-serialisable, and `createRng(state)` resumes the stream from it. */
  state(): RngState;
}

/**
 * Creates a seeded random number generator (seedrandom's ARC4, 53-bit uniforms).
 *
 * @param seed - A {@link Seed} to start a new stream, a saved {@link RngState} to resume one,
 *   or nothing for an unpredictable stream seeded from the platform's entropy.
 * @returns A {@link ResumableRng}: an {@link Rng} whose `state()` can be saved and restored.
 *
 * @example
 * ```ts fragment
 * const rng = createRng(42);
 * const a = cutMix(images, labels, { numClasses: 10, seed: rng }); // differs from…
 * const b = cutMix(images, labels, { numClasses: 10, seed: rng }); // …this one
 * const checkpoint = JSON.stringify(rng.state());
 * const resumed = createRng(JSON.parse(checkpoint)); // continues exactly where rng is now
 * tf.dispose([a, b]);
 * ```
 * @public
 */
export function createRng(seed?: Seed | RngState): ResumableRng {
  if (seed !== undefined && typeof seed === 'object') {
    assertRngState(seed);
    const state = { i: seed.i, j: seed.j, S: [...seed.S] };
    return wrap(seedrandom('', { state }));
  }
  if (seed !== undefined && typeof seed !== 'number' && typeof seed !== 'string') {
    throw argumentError('createRng', 'seed', 'a number, a string or a saved RngState', describe(seed));
  }
  if (typeof seed === 'number' && !Number.isFinite(seed)) {
    throw argumentError('createRng', 'seed', 'a finite number', String(seed));
  }
  const prng = seed === undefined ? seedrandom(undefined, { entropy: true, state: true }) : seedrandom(seedKey(String(seed)), { state: true });
  return wrap(prng);
}

/**
 * The ARC4 key for a seed: a 128-bit hash of it, as 32 hex digits. seedrandom repeats a short key
 * to fill ARC4's 256-byte schedule, so the seed strings themselves would collide whenever one
 * repeats another ('1' and '11', '12' and '1212'); keys of one fixed length cannot.
 */
function seedKey(seed: string): string {
  // cyrb128 (public domain): four 32-bit lanes mixed over the UTF-16 code units.
  let [h1, h2, h3, h4] = [1779033703, 3144134277, 1013904242, 2773480762];
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  [h1, h2, h3, h4] = [h1 ^ h2 ^ h3 ^ h4, h2 ^ h1, h3 ^ h1, h4 ^ h1];
  return [h1, h2, h3, h4].map((h) => (h >>> 0).toString(16).padStart(8, '0')).join('');
}

/** A uniform integer in [0, n). */
export function uniformInt(rng: Rng, n: number): number {
  return Math.min(n - 1, Math.floor(rng.uniform() * n));
}

/**
 * Resolves the `seed` option of the public functions: an `Rng` is used as it is (the caller's
 * stream advances; each draw of one not made by {@link createRng} is checked), a seed starts a
 * fresh stream, nothing gives an unpredictable one.
 */
export function toRng(seed: Seed | Rng | undefined): Rng {
  if (!isRng(seed)) return createRng(seed);
  return OWN.has(seed) ? seed : checkedRng(seed);
}

/** The generators {@link createRng} made, whose draws need no check. */
const OWN = new WeakSet<Rng>();

/**
 * A custom Rng whose every draw is checked: a value outside [0, 1) (NaN, a negative number, a raw
 * integer) would pair samples with themselves or draw nonsense, so it is refused at once.
 */
function checkedRng(rng: Rng): Rng {
  return {
    uniform: () => {
      let u: unknown;
      try {
        u = rng.uniform();
      } catch (e) {
        throw new Error(`The Rng passed as seed threw from uniform(): ${errorMessage(e)}`, { cause: e });
      }
      if (typeof u === 'number' && u >= 0 && u < 1) return u;
      const hint = typeof u === 'number' && Number.isInteger(u) && u >= 1 ? '; a generator of raw integers must divide them by their range (by 2 ** 32 for 32-bit words)' : '';
      throw new Error(`The Rng passed as seed returned ${describe(u)} from uniform(), which must return a number in [0, 1)${hint}.`);
    },
  };
}

/** True for an object that can serve as an {@link Rng}. */
export function isRng(value: unknown): value is Rng {
  return typeof value === 'object' && value !== null && typeof (value as Rng).uniform === 'function';
}

function wrap(prng: seedrandom.StatefulPRNG<seedrandom.State.Arc4>): ResumableRng {
  const rng: ResumableRng = {
    uniform: () => prng.double(),
    state: () => {
      const { i, j, S } = prng.state();
      return { algorithm: 'arc4', i, j, S: [...S] };
    },
  };
  OWN.add(rng);
  return rng;
}

/**
 * Checks a saved state as ARC4 keeps it: indices in [0, 255] and S a permutation of 0…255. Any
 * other table is corrupt, and some never give a draw (an all-zero one makes every ARC4 byte 0,
 * and seedrandom's double() waits for a non-zero byte forever).
 */
function assertRngState(state: object): asserts state is RngState {
  const fault = rngStateFault(state as Partial<RngState>);
  if (fault !== undefined) {
    throw argumentError('createRng', 'seed', "a number, a string or a state saved by rng.state() ({ algorithm: 'arc4', i, j: integers in [0, 255], S: a permutation of 0…255 })", fault);
  }
}

/** What is wrong with a state, or undefined. */
function rngStateFault(s: Partial<RngState>): string | undefined {
  if (s.algorithm !== 'arc4') return `${describe(s)} whose algorithm is ${describe(s.algorithm)}`;
  for (const index of ['i', 'j'] as const) {
    const v = s[index];
    if (!(Number.isInteger(v) && v! >= 0 && v! <= 255)) return `a state whose ${index} must be an integer in [0, 255], but is ${describe(v)}`;
  }
  if (!Array.isArray(s.S) || s.S.length !== 256) return `a state whose S is ${describe(s.S)}, not 256 bytes`;
  const seen = new Array<number>(256).fill(0);
  for (const v of s.S) {
    if (!(Number.isInteger(v) && v >= 0 && v < 256)) return `a state whose S holds ${describe(v)}, not a byte`;
    seen[v] = seen[v]! + 1;
  }
  const repeated = seen.findIndex((n) => n > 1);
  return repeated < 0 ? undefined : `a state whose S is not a permutation of 0…255: ${repeated} appears ${seen[repeated]} times`;
}
