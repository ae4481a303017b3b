// The public face of attentive-cutmix: exports only.
export { attentiveCutMix } from './mix/attentive_cutmix.js';
export { mixup, applyMixup } from './mix/mixup.js';
export { cutMix, applyCutMix } from './mix/cutmix.js';
export { mixLabels } from './mix/labels.js';
export type { MixResult, CutMixResult, AttentiveCutMixResult, MixupOptions, CutMixOptions, AttentiveCutMixOptions, LabelMode } from './mix/types.js';
export type { Labels, LabelOptions } from './mix/inputs.js';
export { sampleMixupParams, sampleCutMixParams } from './sampling/params.js';
export type { MixParams, CutMixParams, MixMode, SamplingOptions, CutMixSamplingOptions } from './sampling/params.js';
export type { Box } from './sampling/boxes.js';
export type { PartnerStrategy } from './sampling/partners.js';
export { createRng } from './sampling/rng.js';
export type { Rng, RngState, Seed } from './sampling/rng.js';
export type { AttentionExtractor } from './attention/extractor.js';
export { saliencyExtractor } from './attention/saliency.js';
export type { SaliencyOptions } from './attention/saliency.js';
export { loadAttentionExtractor, listFeatureNodes } from './attention/graph_model.js';
export type { GraphExtractorOptions, GraphAttentionExtractor, FeatureNode, Normalization } from './attention/graph_model.js';
export type { ModelSource } from './attention/model_files.js';
