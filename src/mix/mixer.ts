import type { Tensor, Tensor3D, TensorLike } from '@tensorflow/tfjs-core';

import { type AttentionExtractor, EXTRACTOR_OPTION, assertAttentionSource } from '../attention/extractor.js';
import { saliencyExtractor } from '../attention/saliency.js';
import { type ResolvedOptions, customOption, oneOfOption, resolveOptions } from '../options.js';
import { SEED_OPTION } from '../sampling/params.js';
import type { Rng, Seed } from '../sampling/rng.js';
import { argumentError } from '../validation.js';
import { ATTENTIVE_OPTIONS, attentiveCutMixWith, resolveAttentiveOptions } from './attentive_cutmix.js';
import { CUTMIX_OPTIONS, cutMixWith } from './cutmix.js';
import type { Labels } from './inputs.js';
import { MIXUP_OPTIONS, mixupWith } from './mixup.js';
import type { OneOfResult } from './one_of.js';
import { type OneOfConfig, oneOfRunner } from './one_of_config.js';
import type { AttentiveCutMixOptions, AttentiveCutMixResult, CutMixOptions, CutMixResult, MixResult, MixupOptions } from './types.js';

/**
 * The config of a {@link Mixer} of {@link mixup}: its options and `method: 'mixup'`.
 * @public
 */
export interface MixupConfig extends MixupOptions {
  method: 'mixup';
}

/**
 * The config of a {@link Mixer} of {@link cutMix}: its options and `method: 'cutMix'`.
 * @public
 */
export interface CutMixConfig extends CutMixOptions {
  method: 'cutMix';
}

/**
 * The config of a {@link Mixer} of {@link attentiveCutMix}: its options, `method: 'attentiveCutMix'`,
 * and the `extractor` (default {@link saliencyExtractor}`()`, made once).
 * @public
 */
export interface AttentiveCutMixConfig extends AttentiveCutMixOptions {
  method: 'attentiveCutMix';
  extractor?: AttentionExtractor;
}

/**
 * The config of {@link createMixer}: one method and its options, or several to draw from.
 * @public
 */
export type MixerConfig = MixupConfig | CutMixConfig | AttentiveCutMixConfig | OneOfConfig;

/**
 * What a {@link Mixer}'s `mix` may get besides the batch.
 * @public
 */
export interface MixExtras {
  /** The seed of this call, in place of the config's: a {@link Seed}, or an {@link Rng} to share. */
  seed?: Seed | Rng;
  /** attentiveCutMix only: the batch's attention maps, float32 `[B, h, w]`, in place of the extractor (see {@link precomputeAttention}). */
  attention?: Tensor3D;
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
export type MixerMethod = 'mixup' | 'cutMix' | 'attentiveCutMix' | 'oneOf';

const METHODS: readonly Exclude<MixerMethod, 'oneOf'>[] = ['mixup', 'cutMix', 'attentiveCutMix'];
const METHOD_OPTION = oneOfOption(METHODS);
const ATTENTIVE_CONFIG = { ...ATTENTIVE_OPTIONS, extractor: EXTRACTOR_OPTION };

/** The options of each method's mixer. */
export const MIXER_OPTIONS = { mixup: MIXUP_OPTIONS, cutMix: CUTMIX_OPTIONS, attentiveCutMix: ATTENTIVE_CONFIG };

/** True for a {@link Mixer}. */
export function isMixer(value: unknown): value is Mixer {
  const m = value as Partial<Mixer> | null;
  return typeof m === 'object' && m !== null && typeof m.mix === 'function' && ([...METHODS, 'oneOf'] as readonly unknown[]).includes(m.method);
}
/** What `mix` takes besides the batch; the maps are checked against the batch when it is known. */
const EXTRAS = { seed: SEED_OPTION, attention: customOption('attention maps (a float32 Tensor3D [B, h, w])', (v): v is Tensor3D => v !== undefined) };
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
 * @param config - `method` (`'mixup'`, `'cutMix'` or `'attentiveCutMix'`) and that function's
 *   options, with `extractor` for `'attentiveCutMix'`.
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
export type MixerResult<C extends MixerConfig> = C extends OneOfConfig ? OneOfResult : C extends CutMixConfig ? CutMixResult : C extends AttentiveCutMixConfig ? AttentiveCutMixResult : MixResult;

/** A mixer made for `op` (createMixer, or mixDataset from a method's name and options). */
export function makeMixer(op: string, config: unknown): Mixer {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw argumentError(op, 'config', 'an object { method, …options } or { oneOf, …options }', String(config));
  if ('oneOf' in config) {
    const { options, run, takesAttention } = oneOfRunner(op, config);
    return mixer('oneOf', options, run, takesAttention);
  }
  const { method, ...options } = config as { method?: unknown };
  const name = METHOD_OPTION.check(op, 'config.method', method)!;
  switch (name) {
    case 'mixup': {
      const opts = resolveOptions(op, MIXER_OPTIONS.mixup, options);
      return mixer(name, opts, (images, labels, extras) => mixupWith(name, images, labels, withSeed(opts, extras)));
    }
    case 'cutMix': {
      const opts = resolveOptions(op, MIXER_OPTIONS.cutMix, options);
      return mixer(name, opts, (images, labels, extras) => cutMixWith(name, images, labels, withSeed(opts, extras)));
    }
    case 'attentiveCutMix': {
      const { extractor, ...opts } = resolveAttentiveOptions(op, options, MIXER_OPTIONS.attentiveCutMix);
      const source = extractor ?? saliencyExtractor();
      return mixer(name, { ...opts, extractor }, (images, labels, extras) => {
        const attention = extras.attention ?? source;
        assertAttentionSource(name, 'attention', attention);
        return attentiveCutMixWith(name, images, labels, attention, withSeed(opts, extras));
      });
    }
  }
}

type Extras = ResolvedOptions<typeof EXTRAS>;

function mixer(method: MixerMethod, options: Record<string, unknown>, run: (images: Tensor | TensorLike, labels: Labels, extras: Extras) => MixResult, takesAttention = method === 'attentiveCutMix'): Mixer {
  return {
    method,
    options: Object.freeze({ ...options }),
    mix(images, labels, extras) {
      const given = resolveOptions(`${method} mixer`, EXTRAS, extras, 'extras');
      if (given.attention !== undefined && !takesAttention) {
        throw argumentError(`${method} mixer`, 'extras.attention', `given only to a mixer that can choose attentiveCutMix, not a ${method} one`, 'attention maps');
      }
      return run(images, labels, given);
    },
  };
}

/** The options of one call: the call's own seed where it has one. */
function withSeed<T extends { seed: Seed | Rng | undefined }>(options: T, extras: Extras): T {
  return extras.seed === undefined ? options : { ...options, seed: extras.seed };
}
