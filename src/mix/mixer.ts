import type { Tensor, Tensor3D, TensorLike } from '@tensorflow/tfjs-core';

import { type AttentionExtractor, EXTRACTOR_OPTION, assertAttentionSource } from '../attention/extractor.js';
import { saliencyExtractor } from '../attention/saliency.js';
import { customOption, numberOption, oneOfOption, resolveOptions } from '../options.js';
import { SEED_OPTION } from '../sampling/params.js';
import type { Rng, Seed } from '../sampling/rng.js';
import { argumentError } from '../validation.js';
import { ATTENTIVE_OPTIONS, attentiveCutMixWith, resolveAttentiveOptions } from './attentive_cutmix.js';
import { CUTMIX_OPTIONS, cutMixWith } from './cutmix.js';
import { FMIX_OPTIONS, fmixWith } from './fmix.js';
import type { Labels } from './inputs.js';
import type { MixCall } from './mix_call.js';
import { MIXUP_OPTIONS, mixupWith } from './mixup.js';
import type { OneOfResult } from './one_of.js';
import { type OneOfConfig, oneOfRunner } from './one_of_config.js';
import { RESIZEMIX_OPTIONS, resizeMixWith } from './resizemix.js';
import { SALIENCYMIX_OPTIONS, saliencyMixWith } from './saliencymix.js';
import { type ResolvedSchedule, SCHEDULE_OPTION, type ScheduledConfig, dependsOnEpoch, scheduleFactor } from './schedule.js';
import type {
  AttentiveCutMixOptions,
  AttentiveCutMixResult,
  CutMixOptions,
  CutMixResult,
  FMixOptions,
  FMixResult,
  MixResult,
  MixupOptions,
  ResizeMixOptions,
  ResizeMixResult,
  SaliencyMixOptions,
  SaliencyMixResult,
} from './types.js';

/**
 * The config of a {@link Mixer} of {@link mixup}: its options and `method: 'mixup'`.
 * @public
 */
export interface MixupConfig extends MixupOptions, ScheduledConfig {
  method: 'mixup';
}

/**
 * The config of a {@link Mixer} of {@link cutMix}: its options and `method: 'cutMix'`.
 * @public
 */
export interface CutMixConfig extends CutMixOptions, ScheduledConfig {
  method: 'cutMix';
}

/**
 * The config of a {@link Mixer} of {@link attentiveCutMix}: its options, `method: 'attentiveCutMix'`,
 * and the `extractor` (default {@link saliencyExtractor}`()`, made once).
 * @public
 */
export interface AttentiveCutMixConfig extends AttentiveCutMixOptions, ScheduledConfig {
  method: 'attentiveCutMix';
  extractor?: AttentionExtractor;
}

/**
 * The config of a {@link Mixer} of {@link resizeMix}: its options and `method: 'resizeMix'`.
 * @public
 */
export interface ResizeMixConfig extends ResizeMixOptions, ScheduledConfig {
  method: 'resizeMix';
}

/**
 * The config of a {@link Mixer} of {@link saliencyMix}: its options, `method: 'saliencyMix'`, and
 * the `extractor` (default {@link saliencyExtractor}`()`, made once).
 * @public
 */
export interface SaliencyMixConfig extends SaliencyMixOptions, ScheduledConfig {
  method: 'saliencyMix';
  extractor?: AttentionExtractor;
}

/**
 * The config of a {@link Mixer} of {@link fmix}: its options and `method: 'fmix'`.
 * @public
 */
export interface FMixConfig extends FMixOptions, ScheduledConfig {
  method: 'fmix';
}

/**
 * The config of {@link createMixer}: one method and its options, or several to draw from.
 * @public
 */
export type MixerConfig = MixupConfig | CutMixConfig | AttentiveCutMixConfig | ResizeMixConfig | SaliencyMixConfig | FMixConfig | OneOfConfig;

/**
 * What a {@link Mixer}'s `mix` may get besides the batch.
 * @public
 */
export interface MixExtras {
  /** The seed of this call, in place of the config's: a {@link Seed}, or an {@link Rng} to share. */
  seed?: Seed | Rng;
  /** attentiveCutMix and saliencyMix only: the batch's attention maps, float32 `[B, h, w]`, in place of the extractor (see {@link precomputeAttention}). */
  attention?: Tensor3D;
  /** The 0-based epoch of the batch, for a mixer whose schedule depends on the epoch (required there). */
  epoch?: number;
  /** The 0-based step of the batch, for the schedule; default: the number of this mixer's earlier `mix` calls. */
  step?: number;
}

/**
 * A mixing op with its options checked once: `mix` does only the work of a call.
 * @public
 */
export interface Mixer<R extends MixResult = MixResult> {
  /** The op it stands for, or `'oneOf'` for a mixer that draws its method from several. */
  readonly method: MixerMethod;
  /** The options as checked, with every default filled in (the extractor's aside). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * Mixes a batch as the op does with the config's options: the same result, bit for bit, for
   * the same seed.
   */
  mix(images: Tensor | TensorLike, labels: Labels, extras?: MixExtras): R;
}

/**
 * What a {@link Mixer} does: one of the ops, or `'oneOf'`.
 * @public
 */
export type MixerMethod = 'mixup' | 'cutMix' | 'attentiveCutMix' | 'resizeMix' | 'saliencyMix' | 'fmix' | 'oneOf';

const METHODS: readonly Exclude<MixerMethod, 'oneOf'>[] = ['mixup', 'cutMix', 'attentiveCutMix', 'resizeMix', 'saliencyMix', 'fmix'];
const METHOD_OPTION = oneOfOption(METHODS);
/** The methods that take attention: an extractor in their config, maps in `extras.attention`. */
const ATTENTION_METHODS: readonly MixerMethod[] = ['attentiveCutMix', 'saliencyMix'];

/** The options of each method's mixer (`schedule` besides, for every one). */
export const MIXER_OPTIONS = {
  mixup: MIXUP_OPTIONS,
  cutMix: CUTMIX_OPTIONS,
  attentiveCutMix: { ...ATTENTIVE_OPTIONS, extractor: EXTRACTOR_OPTION },
  resizeMix: RESIZEMIX_OPTIONS,
  saliencyMix: { ...SALIENCYMIX_OPTIONS, extractor: EXTRACTOR_OPTION },
  fmix: FMIX_OPTIONS,
};

/** True for a {@link Mixer}. */
export function isMixer(value: unknown): value is Mixer {
  const m = value as Partial<Mixer> | null;
  return typeof m === 'object' && m !== null && typeof m.mix === 'function' && ([...METHODS, 'oneOf'] as readonly unknown[]).includes(m.method);
}
/** What `mix` takes besides the batch; the maps are checked against the batch when it is known. */
const EXTRAS = {
  seed: SEED_OPTION,
  attention: customOption('attention maps (a float32 Tensor3D [B, h, w])', (v): v is Tensor3D => v !== undefined),
  epoch: numberOption({ min: 0, integer: true }),
  step: numberOption({ min: 0, integer: true }),
};
/**
 * Makes a {@link Mixer}: every option is checked here, once (an unknown or invalid option throws
 * now, naming it), and `mix(images, labels, extras?)` then does only the work of a call, with the
 * same result as the function it stands for. The anchors: timm's `Mixup(...)`, torchvision's
 * `CutMix(...)`, the Keras `CutMix` layer.
 *
 * A number or string `seed` in the config starts a fresh stream at every call, as the
 * function's own `seed` does (the same seed, the same mix); an {@link Rng} is shared by the calls;
 * `extras.seed` stands in for it in one call.
 *
 * `schedule` turns mixing off from an epoch or a step on, or scales `prob` by a function of them
 * (see {@link MixSchedule}): `mix` then takes the batch's `epoch` (and `step`, else its own count
 * of calls) in `extras`, and mixes exactly as the function would with `prob` times the
 * schedule's factor.
 *
 * @param config - `method` (`'mixup'`, `'cutMix'`, `'attentiveCutMix'`, `'resizeMix'`,
 *   `'saliencyMix'` or `'fmix'`) and that function's options, with `extractor` for the two that
 *   take attention; or `oneOf` (see {@link OneOfConfig}); and `schedule`.
 * @returns The mixer.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-cpu';
 * import { createMixer, cutMix } from 'attentive-cutmix';
 *
 * const mixer = createMixer({ method: 'cutMix', numClasses: 10, alpha: 1, mode: 'elem' }); // checked here, once
 * const xs = tf.randomUniform([8, 32, 32, 3]);
 * const ys = tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32');
 * const a = mixer.mix(xs, ys, { seed: 3 });
 * const b = cutMix(xs, ys, { numClasses: 10, alpha: 1, mode: 'elem', seed: 3 }); // the same, bit for bit
 * tf.dispose([xs, ys, a, b]);
 * ```
 * @public
 */
export function createMixer<C extends MixerConfig>(config: C): Mixer<MixerResult<C>> {
  return makeMixer('createMixer', config) as Mixer<MixerResult<C>>;
}

/**
 * What the mixer of a config gives: the result of the function it stands for.
 * @public
 */
export type MixerResult<C extends MixerConfig> = C extends OneOfConfig
  ? OneOfResult
  : C extends CutMixConfig
    ? CutMixResult
    : C extends AttentiveCutMixConfig
      ? AttentiveCutMixResult
      : C extends ResizeMixConfig
        ? ResizeMixResult
        : C extends SaliencyMixConfig
          ? SaliencyMixResult
          : C extends FMixConfig
            ? FMixResult
            : MixResult;

/** A mixer made for `op` (createMixer, or mixDataset from a method's name and options). */
export function makeMixer(op: string, config: unknown): Mixer {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw argumentError(op, 'config', 'an object { method, …options } or { oneOf, …options }', String(config));
  const { schedule: given, ...rest } = config as { schedule?: unknown };
  const schedule = given === undefined ? undefined : SCHEDULE_OPTION.check(op, 'options.schedule', given);
  if ('oneOf' in rest) {
    const { options, run, takesAttention } = oneOfRunner(op, rest);
    return mixer('oneOf', options, run, schedule, takesAttention);
  }
  const { method, ...options } = rest as { method?: unknown };
  const name = METHOD_OPTION.check(op, 'config.method', method)!;
  switch (name) {
    case 'mixup': {
      const opts = resolveOptions(op, MIXER_OPTIONS.mixup, options);
      return mixer(name, opts, (images, labels, call) => mixupWith(name, images, labels, forCall(opts, call)), schedule);
    }
    case 'cutMix': {
      const opts = resolveOptions(op, MIXER_OPTIONS.cutMix, options);
      return mixer(name, opts, (images, labels, call) => cutMixWith(name, images, labels, forCall(opts, call)), schedule);
    }
    case 'resizeMix': {
      const opts = resolveOptions(op, MIXER_OPTIONS.resizeMix, options);
      return mixer(name, opts, (images, labels, call) => resizeMixWith(name, images, labels, forCall(opts, call)), schedule);
    }
    case 'fmix': {
      const opts = resolveOptions(op, MIXER_OPTIONS.fmix, options);
      return mixer(name, opts, (images, labels, call) => fmixWith(name, images, labels, forCall(opts, call)), schedule);
    }
    case 'attentiveCutMix': {
      const { extractor, ...opts } = resolveAttentiveOptions(op, options, MIXER_OPTIONS.attentiveCutMix);
      const source = extractor ?? saliencyExtractor();
      return mixer(name, { ...opts, extractor }, (images, labels, call) => attentiveCutMixWith(name, images, labels, attentionOf(name, call, source), forCall(opts, call)), schedule);
    }
    case 'saliencyMix': {
      const { extractor, ...opts } = resolveOptions(op, MIXER_OPTIONS.saliencyMix, options);
      const source = extractor ?? saliencyExtractor();
      return mixer(name, { ...opts, extractor }, (images, labels, call) => saliencyMixWith(name, images, labels, attentionOf(name, call, source), forCall(opts, call)), schedule);
    }
  }
}

function mixer(method: MixerMethod, options: Record<string, unknown>, run: (images: Tensor | TensorLike, labels: Labels, call: MixCall) => MixResult, schedule: ResolvedSchedule | undefined, takesAttention = ATTENTION_METHODS.includes(method)): Mixer {
  const name = `${method} mixer`;
  let calls = 0;
  return {
    method,
    options: Object.freeze({ ...options, ...(schedule ? { schedule } : {}) }),
    mix(images, labels, extras) {
      const given = resolveOptions(name, EXTRAS, extras, 'extras');
      if (given.attention !== undefined && !takesAttention) {
        throw argumentError(name, 'extras.attention', `given only to a mixer that can choose attentiveCutMix or saliencyMix, not a ${method} one`, 'attention maps');
      }
      const step = given.step ?? calls;
      calls++;
      let probFactor = 1;
      if (schedule) {
        if (given.epoch === undefined && dependsOnEpoch(schedule)) {
          throw argumentError(name, 'extras.epoch', 'the 0-based epoch of the batch, for a mixer whose schedule depends on the epoch (offEpoch, prob)', 'undefined');
        }
        probFactor = scheduleFactor(name, 'options.schedule', schedule, { epoch: given.epoch ?? 0, step });
      }
      return run(images, labels, { seed: given.seed, attention: given.attention, probFactor });
    },
  };
}

/** The options of one call: the call's own seed where it has one, and `prob` times the schedule's factor. */
function forCall<T extends { seed: Seed | Rng | undefined; prob: number }>(options: T, call: MixCall): T {
  if (call.seed === undefined && call.probFactor === 1) return options;
  return { ...options, seed: call.seed ?? options.seed, prob: options.prob * call.probFactor };
}

/** The attention of one call of `method`'s mixer: the call's maps, else the mixer's extractor. */
function attentionOf(method: string, call: MixCall, source: AttentionExtractor): AttentionExtractor | Tensor3D {
  const attention = call.attention ?? source;
  assertAttentionSource(`${method} mixer`, 'attention', attention);
  return attention;
}
