// The random parameters of a mix whose method is drawn, per batch or per sample, from several:
// drawn on the CPU, apart from their application (src/mix/one_of.ts).
import { sampleBeta } from './beta.js';
import { type Box, EMPTY_BOX, boxArea, sampleCenteredBox, sampleMinMaxBox } from './boxes.js';
import { type CellCount, drawCellCount } from './cell_count.js';
import type { ResolvedSampling } from './params.js';
import { samplePartners } from './partners.js';

/** A method to draw: what its parameters need. */
export type OneOfMethod =
  | { kind: 'mixup'; alpha: number }
  | { kind: 'cutMix'; alpha: number; minMax: readonly [number, number] | undefined }
  | { kind: 'attentiveCutMix'; topN: CellCount; grid: number };

/** The drawn parameters, one entry per sample. */
export interface OneOfParams {
  readonly partners: readonly number[];
  /** The index into the methods of each sample's method. */
  readonly methods: readonly number[];
  /** Whether each sample is mixed (by `prob`, and not paired with itself). */
  readonly mixed: readonly boolean[];
  /** mixup: the drawn lambda; cutMix: the kept share of its box; 1 for unmixed samples and for attentiveCutMix (whose lambda the cells give). */
  readonly lambda: readonly number[];
  /** cutMix: the pasted box; empty for every other sample. */
  readonly boxes: readonly Box[];
  /** attentiveCutMix: how many cells are pasted; 0 for every other sample. */
  readonly counts: readonly number[];
}

interface Decision {
  method: number;
  mixed: boolean;
  lambda: number;
  box: Box;
  count: number;
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
 * box, or a number of cells), made even when the decision is "unmixed" so that `prob` leaves the
 * other draws as they are. A sample paired with itself is unmixed. `weights` come from
 * {@link scaledWeights}.
 */
export function drawOneOfParams(batchSize: number, height: number, width: number, sampling: ResolvedSampling, methods: readonly OneOfMethod[], weights: readonly number[]): OneOfParams {
  const { rng, prob, mode, partner } = sampling;
  const partners = samplePartners(batchSize, partner, rng);
  const total = weights.reduce((a, b) => a + b, 0);
  const decide = (): Decision => {
    const u = rng.uniform() * total;
    let method = 0;
    for (let acc = weights[0]!; method < methods.length - 1 && u >= acc; acc += weights[++method]!);
    const mixed = rng.uniform() < prob;
    const m = methods[method]!;
    if (m.kind === 'mixup') return { method, mixed, lambda: Math.fround(sampleBeta(rng, m.alpha, m.alpha)), box: EMPTY_BOX, count: 0 };
    if (m.kind === 'cutMix') {
      const drawn = m.minMax ? sampleMinMaxBox(rng, height, width, m.minMax) : sampleCenteredBox(rng, height, width, sampleBeta(rng, m.alpha, m.alpha));
      const box = boxArea(drawn) === 0 ? EMPTY_BOX : drawn;
      return { method, mixed, lambda: Math.fround(1 - boxArea(box) / (height * width)), box, count: 0 };
    }
    return { method, mixed, lambda: 1, box: EMPTY_BOX, count: drawCellCount(rng, m.topN, m.grid * m.grid) };
  };
  const shared = mode === 'batch' ? decide() : undefined;
  const decisions = partners.map((p, i) => {
    const d = shared ?? decide();
    return p === i ? { ...d, mixed: false } : d;
  });
  return {
    partners,
    methods: decisions.map((d) => d.method),
    mixed: decisions.map((d) => d.mixed),
    lambda: decisions.map((d) => (d.mixed ? d.lambda : 1)),
    boxes: decisions.map((d) => (d.mixed ? d.box : EMPTY_BOX)),
    counts: decisions.map((d) => (d.mixed ? d.count : 0)),
  };
}
