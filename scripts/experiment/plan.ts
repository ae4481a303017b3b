// What the experiments run: the runs of the main comparison and of the N ablation, each named by
// its method and settings, and keyed so that a resumed experiment knows what is done.
//
// The main comparison, every run with every sample mixed (prob 1), at ≥ 5 seeds:
// - none; mixup with alpha 0.2 and with alpha 1 (the validation split picks one; both reported);
//   cutmix (alpha 1);
// - attentive-teacher: the paper's setting, the teacher's top N = 6 of 7 × 7 cells, area labels;
// - its controls at the same N: attentive-random (uniform cells), attentive-least (the teacher's
//   least attended cells), cutmix-same-area (one box of 6 cells' area);
// - the other attention sources at N = 6: attentive-cam, attentive-saliency;
// - attentive-teacher-beta: OpenMixup's variant, N drawn per sample (Beta(1, 1));
// - the methods added later (issue 17), at their defaults: resizemix, saliencymix (built-in
//   saliency, alpha 1), fmix (alpha 1, decay 3).
// The ablation, at ≥ 3 seeds: attentive-teacher with N in {1, 3, 9, 12, 15} (N = 6 is the main
// comparison's).
import type { CellCount } from '../../src/index.js';
import type { Method } from '../../examples/training/methods.js';

export interface RunSpec {
  method: Method;
  seed: number;
  /** The number of cells pasted (attentive methods, cutmix-same-area): fixed, or drawn. */
  topN?: CellCount;
  /** mixup's or cutmix's Beta alpha. */
  alpha?: number;
  part: 'main' | 'ablation';
}

export interface Plan {
  seeds: number[];
  ablationSeeds: number[];
  /** The paper's N. */
  topN: number;
  ablationTopN: number[];
  mixupAlphas: number[];
  cutmixAlpha: number;
}

export const PLAN: Plan = { seeds: [1, 2, 3, 4, 5], ablationSeeds: [1, 2, 3], topN: 6, ablationTopN: [1, 3, 9, 12, 15], mixupAlphas: [0.2, 1], cutmixAlpha: 1 };

/** The plan of a --quick run: one seed, one ablation N. */
export const QUICK_PLAN: Plan = { ...PLAN, seeds: [1], ablationSeeds: [1], ablationTopN: [3] };

/** The configurations of the main comparison, without their seeds, in report order. */
export function mainConfigurations(plan: Plan): Omit<RunSpec, 'seed'>[] {
  const part = 'main' as const;
  const n = plan.topN;
  return [
    { method: 'none', part },
    ...plan.mixupAlphas.map((alpha) => ({ method: 'mixup' as const, alpha, part })),
    { method: 'cutmix', alpha: plan.cutmixAlpha, part },
    { method: 'attentive-teacher', topN: n, part },
    { method: 'attentive-random', topN: n, part },
    { method: 'attentive-least', topN: n, part },
    { method: 'cutmix-same-area', topN: n, part },
    { method: 'attentive-cam', topN: n, part },
    { method: 'attentive-saliency', topN: n, part },
    { method: 'attentive-teacher-beta', topN: { alpha: 1 }, part },
    { method: 'resizemix', part },
    { method: 'saliencymix', alpha: plan.cutmixAlpha, part },
    { method: 'fmix', alpha: plan.cutmixAlpha, part },
  ];
}

/** Every run, seed by seed (so that each finished seed completes a set of paired runs), the ablation last. */
export function planRuns(plan: Plan): RunSpec[] {
  const main = plan.seeds.flatMap((seed) => mainConfigurations(plan).map((c) => ({ ...c, seed })));
  const ablation = plan.ablationSeeds.flatMap((seed) => plan.ablationTopN.map((topN) => ({ method: 'attentive-teacher' as const, topN, seed, part: 'ablation' as const })));
  return [...main, ...ablation];
}

/** A configuration's name in tables and plots: the method, and its alpha or N where it has one to tell apart. */
export function configurationName(spec: Pick<RunSpec, 'method' | 'alpha' | 'topN'>): string {
  if (spec.method === 'mixup') return `mixup α=${spec.alpha}`;
  if (spec.method === 'attentive-teacher-beta' && typeof spec.topN === 'object') return `attentive-teacher-beta (N ~ Beta(${spec.topN.alpha}))`;
  if (typeof spec.topN === 'number' && spec.method !== 'cutmix-same-area') return `${spec.method} N=${spec.topN}`;
  return spec.method;
}

/** What identifies a run: its configuration and seed. */
export function runKey(spec: Pick<RunSpec, 'method' | 'alpha' | 'topN' | 'seed'>): string {
  return `${configurationName(spec)} seed=${spec.seed}${spec.method === 'cutmix-same-area' ? ` N=${spec.topN}` : ''}`;
}
