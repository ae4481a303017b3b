// The public face of attentive-cutmix: exports only.
export { mixup, applyMixup } from './mix/mixup.js';
export { cutMix, applyCutMix } from './mix/cutmix.js';
export { mixLabels } from './mix/labels.js';
export type { MixResult, CutMixResult, MixupOptions, CutMixOptions } from './mix/types.js';
export type { Labels, LabelOptions } from './mix/inputs.js';
export { sampleMixupParams, sampleCutMixParams } from './sampling/params.js';
export type { MixParams, CutMixParams, MixMode, SamplingOptions, CutMixSamplingOptions } from './sampling/params.js';
export type { Box } from './sampling/boxes.js';
export type { PartnerStrategy } from './sampling/partners.js';
export { createRng } from './sampling/rng.js';
export type { Rng, RngState, Seed } from './sampling/rng.js';
