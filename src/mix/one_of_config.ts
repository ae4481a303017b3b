// The config of a mixer that draws its method, per batch or per sample, from several: checked
// once, when the mixer is made.
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';

import { type AttentionExtractor, EXTRACTOR_OPTION, assertAttentionSource } from '../attention/extractor.js';
import { saliencyExtractor } from '../attention/saliency.js';
import { customOption, oneOfOption, resolveOptions } from '../options.js';
import type { CellCount } from '../sampling/cell_count.js';
import { type OneOfMethod, scaledWeights } from '../sampling/one_of.js';
import { CUTMIX_SAMPLING_OPTIONS, SAMPLING_OPTIONS, type SamplingOptions, samplingOf } from '../sampling/params.js';
import { argumentError, assertKnownOptions, describe } from '../validation.js';
import { ATTENTIVE_OPTIONS, assertTopNFits } from './attentive_cutmix.js';
import { FMIX_OPTIONS } from './fmix.js';
import { LABEL_OPTIONS, type LabelOptions, type Labels } from './inputs.js';
import type { MixCall } from './mix_call.js';
import { type OneOfAttention, type OneOfResult, oneOfWith } from './one_of.js';
import { RESIZEMIX_OPTIONS } from './resizemix.js';
import type { ScheduledConfig } from './schedule.js';
import type { AttentiveCutMixOptions, CutMixOptions, FMixOptions, LabelMode, MixupOptions, ResizeInterpolation, ResizeMixOptions, SaliencyMixOptions } from './types.js';

/**
 * One method a {@link OneOfConfig} may draw: `method` and its own options (those shared by all
 * the methods, such as `prob`, `mode`, `partner`, `seed` and the label options, go in the config).
 * @public
 */
export type OneOfChoice =
  | ({ method: 'mixup' } & Pick<MixupOptions, 'alpha'>)
  | ({ method: 'cutMix' } & Pick<CutMixOptions, 'alpha' | 'minMax'>)
  | ({ method: 'attentiveCutMix'; extractor?: AttentionExtractor } & Pick<AttentiveCutMixOptions, 'topN' | 'grid' | 'labelMode'>)
  | ({ method: 'resizeMix' } & Pick<ResizeMixOptions, 'scale' | 'interpolation'>)
  | ({ method: 'saliencyMix'; extractor?: AttentionExtractor } & Pick<SaliencyMixOptions, 'alpha'>)
  | ({ method: 'fmix' } & Pick<FMixOptions, 'alpha' | 'decay'>);

/**
 * The config of a {@link Mixer} that draws its method from several (timm's `switch_prob`, Keras'
 * RandomChoice, mmpretrain's OneOf): with `mode: 'batch'` one method for the whole batch, with
 * `'elem'` one per sample, drawn by `weights`.
 * @public
 */
export interface OneOfConfig extends Omit<SamplingOptions, 'alpha'>, LabelOptions, ScheduledConfig {
  /** The methods to draw from, each with its own options; at most one each of attentiveCutMix, saliencyMix and resizeMix. */
  oneOf: readonly OneOfChoice[];
  /** How often each is drawn, relative to the others: positive numbers, one per method. Default: all alike. */
  weights?: readonly number[];
}

/** What the config gives the mixer: its options as checked, and the work of one call. */
export interface OneOfRunner {
  options: Record<string, unknown>;
  run(images: Tensor | TensorLike, labels: Labels, call: MixCall): OneOfResult;
  /** Whether `extras.attention` may be given: there is an attentiveCutMix or a saliencyMix to use it. */
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
  resizeMix: { scale: RESIZEMIX_OPTIONS.scale, interpolation: RESIZEMIX_OPTIONS.interpolation },
  saliencyMix: { alpha: SAMPLING_OPTIONS.alpha, extractor: EXTRACTOR_OPTION },
  fmix: { alpha: FMIX_OPTIONS.alpha, decay: FMIX_OPTIONS.decay },
};
const CHOICE_METHOD = oneOfOption(Object.keys(CHOICE_OPTIONS) as OneOfChoice['method'][]);
/** The methods a oneOf may hold once only: each has one attention source, or one interpolation, for the whole batch. */
const AT_MOST_ONCE: readonly OneOfChoice['method'][] = ['attentiveCutMix', 'saliencyMix', 'resizeMix'];

/** Checks a {@link OneOfConfig} for `op` and returns what its mixer runs. */
export function oneOfRunner(op: string, config: object): OneOfRunner {
  const shared = resolveOptions(op, SHARED_OPTIONS, config, 'config');
  const choices = shared.oneOf!.map((choice, i) => resolveChoice(op, `config.oneOf[${i}]`, choice));
  const weights = shared.weights ?? choices.map(() => 1);
  if (weights.length !== choices.length) {
    throw argumentError(op, 'config.weights', `one weight per method of config.oneOf (${choices.length})`, `${weights.length} (${describe(weights)})`);
  }
  for (const kind of AT_MOST_ONCE) {
    const count = choices.filter((c) => c.kind === kind).length;
    if (count > 1) throw argumentError(op, 'config.oneOf', `a list with at most one ${kind}`, `${count} of them`);
  }
  const choiceOf = (kind: OneOfChoice['method']) => choices.find((c) => c.kind === kind);
  const [attentive, saliency, resize] = [choiceOf('attentiveCutMix'), choiceOf('saliencyMix'), choiceOf('resizeMix')];
  const byDefault = attentive || saliency ? saliencyExtractor() : undefined; // one extractor, run once, where both take the default
  const methods = choices.map(methodOf);
  const drawWeights = scaledWeights(weights);
  return {
    options: { ...shared, oneOf: choices, weights },
    takesAttention: attentive !== undefined || saliency !== undefined,
    run(images, labels, call) {
      const sampling = samplingOf({ ...shared, seed: call.seed ?? shared.seed, prob: shared.prob * call.probFactor });
      const sourceOf = (extractor: AttentionExtractor | undefined) => {
        const source = call.attention ?? extractor ?? byDefault!;
        assertAttentionSource('oneOf mixer', 'attention', source);
        return source;
      };
      const attention: OneOfAttention = {
        ...(attentive ? { attentive: { topN: attentive.topN!, grid: attentive.grid!, labelMode: attentive.labelMode!, source: sourceOf(attentive.extractor) } } : {}),
        ...(saliency ? { saliency: { source: sourceOf(saliency.extractor) } } : {}),
      };
      return oneOfWith('oneOf mixer', images, labels, methods, drawWeights, attention, resize?.interpolation, sampling, shared);
    },
  };
}

/** What the sampling of a choice needs. */
function methodOf(c: ResolvedChoice): OneOfMethod {
  switch (c.kind) {
    case 'mixup':
    case 'saliencyMix':
      return { kind: c.kind, alpha: c.alpha! };
    case 'cutMix':
      return { kind: 'cutMix', alpha: c.alpha!, minMax: c.minMax };
    case 'attentiveCutMix':
      return { kind: 'attentiveCutMix', topN: c.topN!, grid: c.grid! };
    case 'resizeMix':
      return { kind: 'resizeMix', scale: c.scale! };
    case 'fmix':
      return { kind: 'fmix', alpha: c.alpha!, decay: c.decay! };
  }
}

/** A choice as checked: its method and whichever of the options it takes. */
interface ResolvedChoice {
  kind: OneOfChoice['method'];
  alpha?: number;
  minMax?: readonly [number, number];
  topN?: CellCount;
  grid?: number;
  labelMode?: LabelMode;
  extractor?: AttentionExtractor;
  scale?: readonly [number, number];
  interpolation?: ResizeInterpolation;
  decay?: number;
}

function resolveChoice(op: string, arg: string, choice: unknown): ResolvedChoice {
  if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) throw argumentError(op, arg, 'an object { method, …its options }', describe(choice));
  const { method, ...options } = choice as { method?: unknown };
  const kind = CHOICE_METHOD.check(op, `${arg}.method`, method)!;
  for (const name of Object.keys(options)) {
    if (name in SHARED_OPTIONS) throw argumentError(op, `${arg}.${name}`, 'given at the top of the config, where it applies to every method', describe((options as Record<string, unknown>)[name]));
  }
  assertKnownOptions(op, options, Object.keys(CHOICE_OPTIONS[kind]), arg);
  const resolved = resolveOptions(op, CHOICE_OPTIONS[kind], options, arg) as Omit<ResolvedChoice, 'kind'>;
  if (kind === 'attentiveCutMix') assertTopNFits(op, `${arg}.topN`, (options as { topN?: unknown }).topN, resolved.topN!, resolved.grid!);
  return { kind, ...resolved };
}
