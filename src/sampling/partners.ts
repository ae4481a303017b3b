import { type Rng, uniformInt } from './rng.js';

/**
 * How each sample's partner is chosen:
 * - `'shuffle'`: a seeded random derangement of the batch, uniform over the permutations that
 *   pair no sample with itself, so that every sample of a batch of two or more is mixed with
 *   another (the CutMix paper and Keras shuffle, and leave about one sample a batch unmixed);
 * - `'flip'`: sample i is paired with sample B − 1 − i (timm; the middle sample of an odd batch is paired with itself);
 * - `'roll'`: sample i is paired with sample i − 1, and sample 0 with the last one (torchvision).
 * @public
 */
export type PartnerStrategy = 'shuffle' | 'flip' | 'roll';

/** The partner strategies, for validation. */
export const PARTNER_STRATEGIES: readonly PartnerStrategy[] = ['shuffle', 'flip', 'roll'];

/** `partners[i]` is the sample that sample i is mixed with. Only `'shuffle'` draws from `rng`. */
export function samplePartners(batchSize: number, strategy: PartnerStrategy, rng: Rng): number[] {
  const indices = Array.from({ length: batchSize }, (_, i) => i);
  switch (strategy) {
    case 'flip':
      return indices.reverse();
    case 'roll':
      return indices.map((i) => (i + batchSize - 1) % batchSize);
    case 'shuffle':
      return batchSize < 2 ? indices : sampleDerangement(batchSize, rng);
  }
}

/**
 * Shuffles until no sample keeps its place: a uniform random permutation is a derangement with
 * probability about 1/e, so this takes e shuffles on average, each uniform over the
 * permutations, which makes the one kept uniform over the derangements.
 */
function sampleDerangement(batchSize: number, rng: Rng): number[] {
  let indices: number[] = [];
  for (let attempt = 0; attempt < MAX_SHUFFLES; attempt++) {
    indices = shuffled(batchSize, rng);
    if (indices.every((p, i) => p !== i)) return indices;
  }
  // Only a stream that is not random gets here (a test double returning a constant): the last
  // shuffle with each fixed point swapped with its neighbour, so that every Rng gets an answer.
  for (let i = 0; i < batchSize; i++) {
    if (indices[i] !== i) continue;
    const j = (i + 1) % batchSize;
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices;
}

/**
 * A uniform stream fails 200 shuffles in a row with probability below 10⁻³⁵ (B = 3 is the worst
 * case: a third of its permutations are derangements; from B = 4 on, about 1/e of them).
 */
const MAX_SHUFFLES = 200;

/** A uniform random permutation (Fisher–Yates, from the end). */
function shuffled(batchSize: number, rng: Rng): number[] {
  const indices = Array.from({ length: batchSize }, (_, i) => i);
  for (let i = batchSize - 1; i > 0; i--) {
    const j = uniformInt(rng, i + 1);
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices;
}
