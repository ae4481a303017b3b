import { type Rng, uniformInt } from './rng.js';

/**
 * How each sample's partner is chosen:
 * - `'shuffle'`: a seeded random permutation of the batch (the CutMix paper, Keras);
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
      // Fisher–Yates, from the end.
      for (let i = batchSize - 1; i > 0; i--) {
        const j = uniformInt(rng, i + 1);
        [indices[i], indices[j]] = [indices[j]!, indices[i]!];
      }
      return indices;
  }
}
