// The config of a mixer that draws its method, per batch or per sample, from several: checked
// once, when the mixer is made.
import type { Tensor, Tensor3D, TensorLike } from '@tensorflow/tfjs-core';

import { type AttentionExtractor, EXTRACTOR_OPTION, assertAttentionSource } from '../attention/extractor.js';
import { saliencyExtractor } from '../attention/saliency.js';
import { type ResolvedOptions, customOption, oneOfOption, resolveOptions } from '../options.js';
import type { CellCount } from '../sampling/cell_count.js';
import { type OneOfMethod, scaledWeights } from '../sampling/one_of.js';
import { CUTMIX_SAMPLING_OPTIONS, SAMPLING_OPTIONS, type SamplingOptions, samplingOf } from '../sampling/params.js';
import type { Rng, Seed } from '../sampling/rng.js';
import { argumentError, assertKnownOptions, describe } from '../validation.js';
import { ATTENTIVE_OPTIONS, assertTopNFits } from './attentive_cutmix.js';
import { LABEL_OPTIONS, type LabelOptions, type Labels } from './inputs.js';
import { type OneOfResult, oneOfWith } from './one_of.js';
import type { AttentiveCutMixOptions, CutMixOptions, MixupOptions } from './types.js';

/**
 * One method a {@link OneOfConfig} may draw: `method` and its own options (those shared by all
 * the methods, such as `prob`, `mode`, `partner`, `seed` and the label options, go in the config).
 * @public
 */
export type OneOfChoice =
  | ({ method: 'mixup' } & Pick<MixupOptions, 'alpha'>)
  | ({ method: 'cutMix' } & Pick<CutMixOptions, 'alpha' | 'minMax'>)
  | ({ method: 'attentiveCutMix'; extractor?: AttentionExtractor } & Pick<AttentiveCutMixOptions, 'topN' | 'grid' | 'labelMode'>);

/**
 * The config of a {@link Mixer} that draws its method from several (timm's `switch_prob`, Keras'
 * RandomChoice, mmpretrain's OneOf): with `mode: 'batch'` one method for the whole batch, with
 * `'elem'` one per sample, drawn by `weights`.
 * @public
 */
export interface OneOfConfig extends Omit<SamplingOptions, 'alpha'>, LabelOptions {
  /** The methods to draw from, each with its own options; at most one attentiveCutMix. */
  oneOf: readonly OneOfChoice[];
  /** How often each is drawn, relative to the others: positive numbers, one per method. Default: all alike. */
  weights?: readonly number[];
}

/** What the config gives the mixer: its options as checked, and the work of one call. */
export interface OneOfRunner {
  options: Record<string, unknown>;
  run(images: Tensor | TensorLike, labels: Labels, extras: { seed: Seed | Rng | undefined; attention: Tensor3D | undefined }): OneOfResult;
  /** Whether `extras.attention` may be given: there is an attentiveCutMix to use it. */
  takesAttention: boolean;
}

const SHARED_OPTIONS = {
  oneOf: customOption('a non-empty list of { method, …its options }', (v): v is readonly unknown[] => Array.isArray(v) && v.length > 0),
  weights: customOption('a list of positive numbers', (v): v is readonly number[] => Array.isArray(v) && v.every((w) => typeof w === 'number' && Number.isFinite(w) && w > 0)),
  prob: SAMPLING_OPTIONS.prob,
  mode: SAMPLING_OPTIONS.mode,
  partner: SAMPLING_OPTIONS.partner,
  seed: SAMPLING_OPTIONS.seed,
  ...LABEL_OPTIONS,
};

/** Each method's own options. */
const CHOICE_OPTIONS = {
  mixup: { alpha: SAMPLING_OPTIONS.alpha },
  cutMix: { alpha: SAMPLING_OPTIONS.alpha, minMax: CUTMIX_SAMPLING_OPTIONS.minMax },
  attentiveCutMix: { topN: ATTENTIVE_OPTIONS.topN, grid: ATTENTIVE_OPTIONS.grid, labelMode: ATTENTIVE_OPTIONS.labelMode, extractor: EXTRACTOR_OPTION },
};
const CHOICE_METHOD = oneOfOption(Object.keys(CHOICE_OPTIONS) as OneOfChoice['method'][]);

/** Checks a {@link OneOfConfig} for `op` and returns what its mixer runs. */
export function oneOfRunner(op: string, config: object): OneOfRunner {
  const shared = resolveOptions(op, SHARED_OPTIONS, config, 'config');
  const choices = shared.oneOf!.map((choice, i) => resolveChoice(op, `config.oneOf[${i}]`, choice));
  const weights = shared.weights ?? choices.map(() => 1);
  if (weights.length !== choices.length) {
    throw argumentError(op, 'config.weights', `one weight per method of config.oneOf (${choices.length})`, `${weights.length} (${describe(weights)})`);
  }
  const attentives = choices.filter((c) => c.kind === 'attentiveCutMix');
  if (attentives.length > 1) throw argumentError(op, 'config.oneOf', 'a list with at most one attentiveCutMix', `${attentives.length} of them`);
  const attentive = attentives[0] as (OneOfMethod & ResolvedOptions<typeof CHOICE_OPTIONS.attentiveCutMix>) | undefined;
  const source = attentive ? (attentive.extractor ?? saliencyExtractor()) : undefined;
  const methods = choices.map(({ kind, alpha, minMax, topN, grid }) => ({ kind, alpha, minMax, topN, grid }) as OneOfMethod);
  const drawWeights = scaledWeights(weights);
  return {
    options: { ...shared, oneOf: choices, weights },
    takesAttention: attentive !== undefined,
    run(images, labels, extras) {
      const sampling = samplingOf({ ...shared, seed: extras.seed ?? shared.seed });
      const attention = extras.attention ?? source;
      if (attention !== undefined) assertAttentionSource('oneOf mixer', 'attention', attention);
      const given = attentive && attention ? { topN: attentive.topN, grid: attentive.grid, labelMode: attentive.labelMode, attention } : undefined;
      return oneOfWith('oneOf mixer', images, labels, methods, drawWeights, given, sampling, shared);
    },
  };
}

type ResolvedChoice = { kind: OneOfChoice['method'] } & Record<string, unknown> & { alpha?: number; minMax?: readonly [number, number]; topN: CellCount; grid: number };

function resolveChoice(op: string, arg: string, choice: unknown): ResolvedChoice {
  if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) throw argumentError(op, arg, 'an object { method, …its options }', describe(choice));
  const { method, ...options } = choice as { method?: unknown };
  const kind = CHOICE_METHOD.check(op, `${arg}.method`, method)!;
  for (const name of Object.keys(options)) {
    if (name in SHARED_OPTIONS) throw argumentError(op, `${arg}.${name}`, 'given at the top of the config, where it applies to every method', describe((options as Record<string, unknown>)[name]));
  }
  assertKnownOptions(op, options, Object.keys(CHOICE_OPTIONS[kind]));
  const resolved = resolveOptions(op, CHOICE_OPTIONS[kind], options, arg) as Record<string, unknown>;
  if (kind === 'attentiveCutMix') assertTopNFits(op, `${arg}.topN`, (options as { topN?: unknown }).topN, resolved.topN as CellCount, resolved.grid as number);
  return { kind, ...resolved } as ResolvedChoice;
}
