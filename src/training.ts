// The opt-in entry point attentive-cutmix/training: what training a conv net needs on the wasm
// backend (exports only; importing it registers nothing).
export { registerWasmConvGradients } from './gradients/wasm_conv.js';
export { registerFastBatchNormGradient } from './gradients/batch_norm.js';
