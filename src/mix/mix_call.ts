import type { Tensor3D } from '@tensorflow/tfjs-core';

import type { Rng, Seed } from '../sampling/rng.js';

/** What the work of one call of a mixer gets besides the batch: the call's seed and maps, and the schedule's factor of `prob`. */
export interface MixCall {
  seed: Seed | Rng | undefined;
  attention: Tensor3D | undefined;
  /** The schedule's factor at this call; 1 without a schedule. */
  probFactor: number;
}
