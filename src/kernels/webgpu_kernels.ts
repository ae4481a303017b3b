// Fused kernels for the webgpu backend: one compute pass each, as in webgl_kernels.ts. Written
// against the backend's public `runWebGPUProgram` with programs of the shape tfjs-backend-webgpu's
// own take (a flat dispatch of 64-wide workgroups over the output, `main(index)`); the backend
// package is imported for its types only, so the library's code never loads it. Values read from
// int32 inputs are converted with i32() / f32(), which is the identity when the backend's getter
// already has that type.
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { BLEND_PARTNERS, PASTE_RECTS } from './kernel_names.js';

const COORDS = ['coords.x', 'coords.y', 'coords.z', 'coords.w'];

/** A program over every element of `outputShape`, one invocation each. */
function elementwiseProgram(shaderKey: string, variableNames: string[], outputShape: number[], body: string): WebGPUProgram {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    variableNames,
    outputShape,
    shaderKey,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.ceil(size / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    size: true,
    getUserCode: () => `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          ${body}
        }
      }`,
  };
}

/** `PasteRects` (see host_kernels.ts) as one compute pass. */
const pasteRectsWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, rects, base } = inputs as { x: TensorInfo; partners: TensorInfo; rects: TensorInfo; base?: TensorInfo };
  const perSample = rects.shape[1]!;
  const gpu = backend as WebGPUBackend;
  const keep = base ? 'Base' : 'X';
  if (perSample === 0) {
    const copy = elementwiseProgram(`attentiveCutMixCopy${keep}`, [keep], x.shape, `setOutputAtIndex(index, get${keep}(coords.x, coords.y, coords.z, coords.w));`);
    return gpu.runWebGPUProgram(copy, [base ?? x], x.dtype);
  }
  const program = elementwiseProgram(
    `attentiveCutMixPasteRects${perSample}${keep}`,
    ['X', 'Partners', 'Rects', ...(base ? ['Base'] : [])],
    x.shape,
    `var inside = false;
     for (var n = 0; n < ${perSample}; n++) {
       if (coords.y >= i32(getRects(coords.x, n, 0)) && coords.z >= i32(getRects(coords.x, n, 1)) &&
           coords.y < i32(getRects(coords.x, n, 2)) && coords.z < i32(getRects(coords.x, n, 3))) {
         inside = true;
       }
     }
     if (inside) {
       setOutputAtIndex(index, getX(i32(getPartners(coords.x)), coords.y, coords.z, coords.w));
     } else {
       setOutputAtIndex(index, get${keep}(coords.x, coords.y, coords.z, coords.w));
     }`,
  );
  return gpu.runWebGPUProgram(program, [x, partners, rects, ...(base ? [base] : [])], x.dtype);
};

/** `BlendPartners` (see host_kernels.ts) as one compute pass, exact where lambda is 0 or 1. */
const blendPartnersWebGPU: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, lambda } = inputs as { x: TensorInfo; partners: TensorInfo; lambda: TensorInfo };
  const rest = COORDS.slice(1, x.shape.length).join(', ');
  const program = elementwiseProgram(
    `attentiveCutMixBlendPartners${x.shape.length}`,
    ['X', 'Partners', 'Lambda'],
    x.shape,
    `let w = getLambda(coords.x);
     let base = f32(getX(coords.x, ${rest}));
     let other = f32(getX(i32(getPartners(coords.x)), ${rest}));
     var value = w * base + (1.0 - w) * other;
     if (w == 1.0) { value = base; } else if (w == 0.0) { value = other; }
     setOutputAtIndex(index, value);`,
  );
  return (backend as WebGPUBackend).runWebGPUProgram(program, [x, partners, lambda], 'float32');
};

/** The webgpu kernels. */
export const WEBGPU_KERNEL_CONFIGS: KernelConfig[] = [
  { kernelName: PASTE_RECTS, backendName: 'webgpu', kernelFunc: pasteRectsWebGPU },
  { kernelName: BLEND_PARTNERS, backendName: 'webgpu', kernelFunc: blendPartnersWebGPU },
];
