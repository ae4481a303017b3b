// The library's own kernels, registered with tfjs on first use (importing the library registers
// nothing). Where the current backend has one, the ops run it; elsewhere they run the composite
// of standard tfjs ops, which gives the same results.
import { type NamedAttrMap, type NamedTensorMap, type Tensor, engine, getBackend, getKernel, registerKernel } from '@tensorflow/tfjs-core';

import { HOST_KERNEL_CONFIGS } from './host_kernels.js';
import { WEBGL_KERNEL_CONFIGS } from './webgl_kernels.js';
import { WEBGPU_KERNEL_CONFIGS } from './webgpu_kernels.js';

export { BLEND_PARTNERS, PASTE_CELLS, PASTE_MASK, PASTE_RECTS, PEAK_BOXES, POOL_CELLS, RESIZE_PASTE, SELECT_CELLS } from './kernel_names.js';

let registered = false;
let fusedEnabled = true;

function registerOnce(): void {
  if (registered) return;
  registered = true;
  for (const config of [...HOST_KERNEL_CONFIGS, ...WEBGL_KERNEL_CONFIGS, ...WEBGPU_KERNEL_CONFIGS]) registerKernel(config);
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
