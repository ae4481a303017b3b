import type { Rng } from './rng.js';

/** A standard normal draw (Box–Muller); uses two uniforms. */
export function sampleStandardNormal(rng: Rng): number {
  const u1 = 1 - rng.uniform(); // (0, 1]: the log below stays finite
  const u2 = rng.uniform();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * The logarithm of a Gamma(shape, scale 1) draw, by Marsaglia and Tsang (2000).
 *
 * Returned as a logarithm because for a small shape the draw itself underflows to 0 (with
 * shape 0.01, U^(1/shape) is below 1e-300 for a third of all U), and Beta(a, b) = X / (X + Y)
 * would then be 0/0.
 */
export function sampleLogGamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    // Gamma(a) = Gamma(a + 1) · U^(1/a) (Marsaglia–Tsang, section 6), in logs.
    const u = 1 - rng.uniform();
    return sampleLogGamma(rng, shape + 1) + Math.log(u) / shape;
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let attempt = 0; attempt < MAX_REJECTIONS; attempt++) {
    const x = sampleStandardNormal(rng);
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = 1 - rng.uniform();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) {
      return Math.log(d) + Math.log(v);
    }
  }
  // Only a stream that is not random gets here (a test double returning a constant): the draw at
  // x = 0 (v = 1), so that every Rng keeping its contract gives an answer.
  return Math.log(d);
}

/**
 * Rejections before giving up: each proposal is accepted with probability above 0.95 for every
 * shape ≥ 1, so a uniform stream is rejected 64 times in a row with probability below 10⁻⁸³.
 */
const MAX_REJECTIONS = 64;

/** A Gamma(shape, scale 1) draw. */
export function sampleGamma(rng: Rng, shape: number): number {
  return Math.exp(sampleLogGamma(rng, shape));
}

/**
 * A Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a, 1) and Y ~ Gamma(b, 1), both with scale 1
 * (swapping shape and rate here is the keras-cv bug that skewed lambda).
 */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const logX = sampleLogGamma(rng, a);
  const logY = sampleLogGamma(rng, b);
  // X / (X + Y) = 1 / (1 + exp(log Y − log X)), finite for any pair of logs.
  return 1 / (1 + Math.exp(logY - logX));
}
