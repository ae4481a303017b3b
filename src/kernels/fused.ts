// The library's own kernels, registered with tfjs on first use (importing the library registers
// nothing). Where the current backend has one, the ops run it; elsewhere they run the composite
// of standard tfjs ops, which gives the same results.
import { type NamedAttrMap, type NamedTensorMap, type Tensor, engine, getBackend, getKernel, registerKernel } from '@tensorflow/tfjs-core';

import { blendPartnersHost, pasteRectsHost, selectCellsHost } from './host_kernels.js';
import { blendPartnersWebGL, pasteRectsWebGL } from './webgl_kernels.js';
import { blendPartnersWebGPU, pasteRectsWebGPU } from './webgpu_kernels.js';

/** `x` with rectangles `[B, N, 4]` of each sample's partner pasted over it. */
export const PASTE_RECTS = 'AttentiveCutMixPasteRects';
/** `lambda[b]·x[b] + (1 − lambda[b])·x[partners[b]]`, exact where lambda is 0 or 1. */
export const BLEND_PARTNERS = 'AttentiveCutMixBlendPartners';
/** The topN cells of each partner's map, their rectangles, the kept share lambda and the chosen-cell mask. */
export const SELECT_CELLS = 'AttentiveCutMixSelectCells';

let registered = false;
let fusedEnabled = true;

function registerOnce(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['cpu', 'wasm']) {
    registerKernel({ kernelName: PASTE_RECTS, backendName, kernelFunc: pasteRectsHost });
    registerKernel({ kernelName: BLEND_PARTNERS, backendName, kernelFunc: blendPartnersHost });
    registerKernel({ kernelName: SELECT_CELLS, backendName, kernelFunc: selectCellsHost });
  }
  registerKernel({ kernelName: PASTE_RECTS, backendName: 'webgl', kernelFunc: pasteRectsWebGL });
  registerKernel({ kernelName: BLEND_PARTNERS, backendName: 'webgl', kernelFunc: blendPartnersWebGL });
  registerKernel({ kernelName: PASTE_RECTS, backendName: 'webgpu', kernelFunc: pasteRectsWebGPU });
  registerKernel({ kernelName: BLEND_PARTNERS, backendName: 'webgpu', kernelFunc: blendPartnersWebGPU });
}

/** Whether the current backend runs `kernelName` as a fused kernel. */
export function hasFusedKernel(kernelName: string): boolean {
  if (!fusedEnabled) return false;
  registerOnce();
  return getKernel(kernelName, getBackend()) !== undefined;
}

/** Runs a fused kernel through the engine, so that tidy, profile and memory accounting see it. */
export function runFused<T extends Tensor | Tensor[]>(kernelName: string, inputs: NamedTensorMap, attrs: NamedAttrMap = {}): T {
  return engine().runKernel(kernelName, inputs, attrs) as T;
}

/**
 * Turns the fused kernels off (or on again), so that tests can compare them with the composite
 * path on the same backend. Not part of the public API.
 */
export function setFusedKernelsEnabled(enabled: boolean): void {
  fusedEnabled = enabled;
}
