// The random parameters of a mix whose method is drawn, per batch or per sample, from several:
// drawn on the CPU, apart from their application (src/mix/one_of.ts).
import { sampleBeta } from './beta.js';
import { type Box, EMPTY_BOX, boxArea, sampleCenteredBox, sampleMinMaxBox } from './boxes.js';
import { type CellCount, drawCellCount } from './cell_count.js';
import { type FMixDraw, drawFMixNoise, fmixMasks } from './fmix.js';
import { noiseSpectrum } from './fourier_noise.js';
import type { ResolvedSampling } from './params.js';
import { samplePartners } from './partners.js';
import { drawResizeBox } from './resizemix.js';
import { drawSaliencySize } from './saliencymix.js';

/** A method to draw: what its parameters need. */
export type OneOfMethod =
  | { kind: 'mixup'; alpha: number }
  | { kind: 'cutMix'; alpha: number; minMax: readonly [number, number] | undefined }
  | { kind: 'attentiveCutMix'; topN: CellCount; grid: number }
  | { kind: 'resizeMix'; scale: readonly [number, number] }
  | { kind: 'saliencyMix'; alpha: number }
  | { kind: 'fmix'; alpha: number; decay: number };

/** The drawn parameters, one entry per sample. */
export interface OneOfParams {
  readonly partners: readonly number[];
  /** The index into the methods of each sample's method. */
  readonly methods: readonly number[];
  /** Whether each sample is mixed (by `prob`, and not paired with itself). */
  readonly mixed: readonly boolean[];
  /**
   * mixup: the drawn lambda; cutMix, resizeMix, fmix: the exact kept share; 1 for unmixed samples
   * and for attentiveCutMix and saliencyMix (whose lambda the attention gives).
   */
  readonly lambda: readonly number[];
  /** cutMix: the pasted box; resizeMix: the box the partner is scaled into; empty for every other sample. */
  readonly boxes: readonly Box[];
  /** attentiveCutMix: how many cells are pasted; 0 for every other sample. */
  readonly counts: readonly number[];
  /** saliencyMix: the box size `[h, w]`; `[0, 0]` for every other sample. */
  readonly sizes: readonly (readonly [number, number])[];
  /** fmix: the masks `[B·H·W]` (1 where the partner shows), zeros for every other sample; absent where no fmix can be drawn. */
  readonly masks: Uint8Array | undefined;
}

interface Decision {
  method: number;
  mixed: boolean;
  lambda: number;
  box: Box;
  count: number;
  size: readonly [number, number];
  noise: FMixDraw | null;
}

/**
 * The weights scaled by one power of two so that the largest lies near 1: a power-of-two scaling
 * is exact, so the draws are those of the weights as given, and their sum cannot overflow (weights
 * near the largest double would add up to Infinity and always pick the last method).
 */
export function scaledWeights(weights: readonly number[]): number[] {
  const exponent = -Math.floor(Math.log2(Math.max(...weights)));
  // In two factors: 2^exponent alone overflows for the smallest (subnormal) weights.
  const half = Math.trunc(exponent / 2);
  return weights.map((w) => w * 2 ** half * 2 ** (exponent - half));
}

/**
 * Draws partners, then for the batch (`'batch'` mode) or each sample (`'elem'`) a decision: one
 * uniform for the method (by `weights`), one for `prob`, then the method's own draw (lambda, a
 * box, a number of cells, a box size, or lambda and noise), made even when the decision is
 * "unmixed" so that `prob` leaves the other draws as they are. A sample paired with itself is
 * unmixed. `weights` come from {@link scaledWeights}.
 */
export function drawOneOfParams(batchSize: number, height: number, width: number, sampling: ResolvedSampling, methods: readonly OneOfMethod[], weights: readonly number[]): OneOfParams {
  const { rng, prob, mode, partner } = sampling;
  const partners = samplePartners(batchSize, partner, rng);
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = (box: Box) => Math.fround(1 - boxArea(box) / (height * width));
  const decide = (): Decision => {
    const u = rng.uniform() * total;
    let method = 0;
    for (let acc = weights[0]!; method < methods.length - 1 && u >= acc; acc += weights[++method]!);
    const mixed = rng.uniform() < prob;
    const m = methods[method]!;
    const none = { method, mixed, lambda: 1, box: EMPTY_BOX, count: 0, size: [0, 0] as const, noise: null };
    switch (m.kind) {
      case 'mixup':
        return { ...none, lambda: Math.fround(sampleBeta(rng, m.alpha, m.alpha)) };
      case 'cutMix': {
        const drawn = m.minMax ? sampleMinMaxBox(rng, height, width, m.minMax) : sampleCenteredBox(rng, height, width, sampleBeta(rng, m.alpha, m.alpha));
        const box = boxArea(drawn) === 0 ? EMPTY_BOX : drawn;
        return { ...none, lambda: exact(box), box };
      }
      case 'resizeMix': {
        const box = drawResizeBox(rng, height, width, m.scale);
        return { ...none, lambda: exact(box), box };
      }
      case 'attentiveCutMix':
        return { ...none, count: drawCellCount(rng, m.topN, m.grid * m.grid) };
      case 'saliencyMix':
        return { ...none, size: drawSaliencySize(rng, height, width, m.alpha) };
      case 'fmix':
        return { ...none, noise: drawFMixNoise(rng, m.alpha, noiseSpectrum(height, width, m.decay)) };
    }
  };
  const shared = mode === 'batch' ? decide() : undefined;
  const decisions = partners.map((p, i) => {
    const d = shared ?? decide();
    return p === i ? { ...d, mixed: false } : d;
  });
  const fmix = methods.some((m) => m.kind === 'fmix') ? fmixMasks(decisions.map((d) => (d.mixed ? d.noise : null)), height, width) : undefined;
  return {
    partners,
    methods: decisions.map((d) => d.method),
    mixed: decisions.map((d) => d.mixed),
    lambda: decisions.map((d, i) => (!d.mixed ? 1 : d.noise ? fmix!.lambda[i]! : d.lambda)),
    boxes: decisions.map((d) => (d.mixed ? d.box : EMPTY_BOX)),
    counts: decisions.map((d) => (d.mixed ? d.count : 0)),
    sizes: decisions.map((d) => (d.mixed && d.size[0] * d.size[1] > 0 ? d.size : ([0, 0] as const))),
    masks: fmix?.masks,
  };
}
