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
  const { base, logU } = sampleLogGammaParts(rng, shape);
  return shape < 1 ? base + logU / shape : base;
}

/**
 * The logarithm of a Gamma(shape) draw in two parts, `base + logU / shape` (logU is 0 for a
 * shape ≥ 1): for a shape below 1, Gamma(a) = Gamma(a + 1) · U^(1/a) (Marsaglia–Tsang, section 6),
 * in logs. Kept apart because for a subnormal shape logU / shape overflows to −Infinity.
 */
function sampleLogGammaParts(rng: Rng, shape: number): { base: number; logU: number } {
  if (shape < 1) {
    const u = 1 - rng.uniform();
    return { base: sampleLogGammaParts(rng, shape + 1).base, logU: Math.log(u) };
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
      return { base: Math.log(d) + Math.log(v), logU: 0 };
    }
  }
  // Only a stream that is not random gets here (a test double returning a constant): the draw at
  // x = 0 (v = 1), so that every Rng keeping its contract gives an answer.
  return { base: Math.log(d), logU: 0 };
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
  const x = sampleLogGammaParts(rng, a);
  const y = sampleLogGammaParts(rng, b);
  const logX = a < 1 ? x.base + x.logU / a : x.base;
  const logY = b < 1 ? y.base + y.logU / b : y.base;
  // X / (X + Y) = 1 / (1 + exp(log Y − log X)), finite for any pair of finite logs.
  let difference = logY - logX;
  if (Number.isNaN(difference)) {
    // Both logs are −Infinity: shapes so small (subnormal) that log(U) / shape overflows. The
    // uniforms' terms, taken over the smaller shape first, stay finite, and their difference
    // decides (λ is then 0 or 1, as Beta(ε, ε) is in the limit).
    const m = Math.min(a, b);
    difference = y.base - x.base + (y.logU * (m / b) - x.logU * (m / a)) / m;
  }
  return 1 / (1 + Math.exp(difference));
}
