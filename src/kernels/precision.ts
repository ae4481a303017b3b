// What a backend's storage can hold exactly. Many phones' GPUs cannot render to float32 textures;
// tfjs's webgl backend then keeps every tensor, int32 ones included, in float16 textures
// (WEBGL_RENDER_FLOAT32_ENABLED false; WEBGL_FORCE_F16_TEXTURES forces it), where integers are
// exact only up to 2048. The ops pass partner indices, pixel coordinates, cell indices and class
// ids through tensors: past that limit they would be rounded and mix the wrong pixels and labels
// without a word, so such a call is refused instead (see docs/backends.md for what holds there).
import { env, getBackend } from '@tensorflow/tfjs-core';

/** The largest integer below which every integer is exact in float16 (an 11-bit significand). */
export const HALF_FLOAT_EXACT = 2048;

/** Whether the current backend stores tensors in float16 textures. */
export function halfFloatTextures(): boolean {
  // The flag exists only where the webgl backend is loaded, and is read only when it is in use.
  return getBackend() === 'webgl' && env().getBool('WEBGL_RENDER_FLOAT32_ENABLED') === false;
}

/**
 * The lowest finite value the current backend stores: −65504 in float16 textures, −(2 − 2⁻²³)·2¹²⁷
 * elsewhere. A stand-in for "below every finite value" that stays finite: −Infinity does not
 * survive every backend (webgl on half-float textures over SwiftShader turns ±Infinity into NaN).
 */
export function lowestFinite(): number {
  return halfFloatTextures() ? -65504 : -3.4028234663852886e38;
}

/** The integers a call passes through tensors, by what they are. */
export interface ExactNeeds {
  /** B: partner indices go up to B − 1. */
  batch?: number;
  /** Image height and width: pixel coordinates go up to them. */
  height?: number;
  width?: number;
  /** grid: cell indices and counts go up to grid². */
  grid?: number;
  /** numClasses of labels given as class ids. */
  classes?: number;
  /** The attention maps' height and width: their row and column spans go up to them. */
  mapHeight?: number;
  mapWidth?: number;
}

/**
 * Refuses, on a backend with half-float textures, a call whose indices, coordinates or ids would
 * exceed {@link HALF_FLOAT_EXACT}, naming the limit, what exceeds it, and what to do instead.
 */
export function assertExactOnBackend(op: string, needs: ExactNeeds): void {
  if (!halfFloatTextures()) return;
  const { batch, height = 0, width = 0, grid, classes, mapHeight = 0, mapWidth = 0 } = needs;
  const limit = HALF_FLOAT_EXACT;
  const side = Math.floor(Math.sqrt(limit));
  const problems: [boolean, string, string][] = [
    [batch !== undefined && batch > limit, `a batch of ${batch} samples`, `mix batches of at most ${limit} samples`],
    [Math.max(height, width) > limit, `images of ${height} × ${width} pixels`, `use images of at most ${limit} pixels a side`],
    [grid !== undefined && grid * grid > limit, `a grid of ${grid} × ${grid} = ${grid! * grid!} cells`, `use a grid of at most ${side} × ${side} cells`],
    [classes !== undefined && classes > limit, `class ids up to ${classes! - 1} (numClasses ${classes})`, `give the labels as one-hot or soft rows [B, ${classes}], exact for any number of classes`],
    [Math.max(mapHeight, mapWidth) > limit, `attention maps of ${mapHeight} × ${mapWidth}`, `give maps of at most ${limit} a side`],
  ];
  const problem = problems.find(([exceeds]) => exceeds);
  if (problem === undefined) return;
  const [, what, fix] = problem;
  throw new Error(
    `'${op}' cannot give exact results for ${what} on this backend: webgl stores every tensor here in half-float (float16) textures ` +
      `(WEBGL_RENDER_FLOAT32_ENABLED is false, as on many phones' GPUs), which hold integers exactly only up to ${limit}, ` +
      `so indices and coordinates past it would be rounded and mix the wrong pixels and labels. To mix it here, ${fix}; ` +
      'or use a backend that stores float32 (webgl on a GPU that renders to float32 textures, webgpu, wasm or cpu).',
  );
}
