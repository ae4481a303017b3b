// Fused kernels for the webgl backend: one shader pass each, where the composite path runs a
// gather, a mask and a select (or two multiplies, an add and two selects). Written against the
// backend's public `runWebGLProgram`; the backend package is imported for its types only, so the
// library's code never loads it.
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

import { BLEND_PARTNERS, PASTE_RECTS } from './kernel_names.js';

type WebGLProgram = GPGPUProgram;

const COORDS = ['coords.x', 'coords.y', 'coords.z', 'coords.w'];
const COORD_TYPES: Record<number, string> = { 2: 'ivec2', 3: 'ivec3', 4: 'ivec4' };

/** `PasteRects` (see host_kernels.ts) as one shader: each output pixel reads the base or the partner. */
const pasteRectsWebGL: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, rects, base } = inputs as { x: TensorInfo; partners: TensorInfo; rects: TensorInfo; base?: TensorInfo };
  const webgl = backend as MathBackendWebGL;
  const perSample = rects.shape[1]!;
  const keep = base ? 'Base' : 'X';
  if (perSample === 0) {
    // No rectangle: a copy (an empty input texture is not allowed).
    const copy: WebGLProgram = { variableNames: [keep], outputShape: x.shape, userCode: `void main() { ivec4 c = getOutputCoords(); setOutput(get${keep}(c.x, c.y, c.z, c.w)); }` };
    return webgl.runWebGLProgram(copy, [base ?? x], x.dtype);
  }
  const program: WebGLProgram = {
    variableNames: ['X', 'Partners', 'Rects', ...(base ? ['Base'] : [])],
    outputShape: x.shape,
    userCode: `
      void main() {
        ivec4 coords = getOutputCoords();
        float y = float(coords.y);
        float x = float(coords.z);
        bool inside = false;
        for (int n = 0; n < ${perSample}; n++) {
          if (y >= getRects(coords.x, n, 0) && x >= getRects(coords.x, n, 1) && y < getRects(coords.x, n, 2) && x < getRects(coords.x, n, 3)) {
            inside = true;
          }
        }
        if (inside) {
          setOutput(getX(int(round(getPartners(coords.x))), coords.y, coords.z, coords.w));
        } else {
          setOutput(get${keep}(coords.x, coords.y, coords.z, coords.w));
        }
      }`,
  };
  return webgl.runWebGLProgram(program, [x, partners, rects, ...(base ? [base] : [])], x.dtype);
};

/** `BlendPartners` (see host_kernels.ts) as one shader, exact where lambda is 0 or 1. */
const blendPartnersWebGL: KernelFunc = ({ inputs, backend }) => {
  const { x, partners, lambda } = inputs as { x: TensorInfo; partners: TensorInfo; lambda: TensorInfo };
  const rest = COORDS.slice(1, x.shape.length).join(', ');
  const program: WebGLProgram = {
    variableNames: ['X', 'Partners', 'Lambda'],
    outputShape: x.shape,
    userCode: `
      void main() {
        ${COORD_TYPES[x.shape.length]} coords = getOutputCoords();
        float w = getLambda(coords.x);
        float base = getX(coords.x, ${rest});
        float other = getX(int(round(getPartners(coords.x))), ${rest});
        setOutput(w == 1.0 ? base : w == 0.0 ? other : w * base + (1.0 - w) * other);
      }`,
  };
  return (backend as MathBackendWebGL).runWebGLProgram(program, [x, partners, lambda], 'float32');
};

/** The webgl kernels. */
export const WEBGL_KERNEL_CONFIGS: KernelConfig[] = [
  { kernelName: PASTE_RECTS, backendName: 'webgl', kernelFunc: pasteRectsWebGL },
  { kernelName: BLEND_PARTNERS, backendName: 'webgl', kernelFunc: blendPartnersWebGL },
];
