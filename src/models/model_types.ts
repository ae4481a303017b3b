// The model objects the extractors take, typed structurally where their packages are optional,
// and how to tell them apart.
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Tensor, io } from '@tensorflow/tfjs-core';

/**
 * The format of a model: a graph model (tfjs-converter) or a layers model (Keras format, tfjs-layers).
 * @public
 */
export type ModelFormat = 'graph-model' | 'layers-model';

/**
 * A GraphModel however it was loaded (`loadGraphModel` or `loadGraphModelSync`).
 * @public
 */
export type AnyGraphModel = GraphModel | GraphModel<io.IOHandlerSync>;

/**
 * The parts of a `tf.LayersModel` (`@tensorflow/tfjs-layers`, also in `@tensorflow/tfjs`) the
 * extractors use; every `tf.LayersModel` and `tf.Sequential` is one.
 * @public
 */
export interface LayersModelLike {
  readonly name: string;
  readonly layers: readonly LayerLike[];
  readonly inputs: readonly { readonly shape: readonly (number | null)[] }[];
  /** Runs the model up to the named symbolic tensors, in inference mode. */
  execute(inputs: Tensor | Tensor[], outputs: string | string[]): Tensor | Tensor[];
  dispose(): unknown;
}

/**
 * The parts of a tfjs-layers `Layer` the extractors use.
 * @public
 */
export interface LayerLike {
  readonly name: string;
  /** The layer's output in the model's graph (throws for a layer used more than once). */
  readonly output: { readonly name: string; readonly shape: readonly (number | null)[] } | readonly { readonly name: string }[];
  getClassName(): string;
  getConfig(): object;
  /** The layer's weights: the variables themselves, not copies (a Dense layer: kernel, then bias). */
  getWeights(): Tensor[];
}

/** True for an object that looks like a `tf.LayersModel`. */
export function isLayersModel(value: unknown): value is LayersModelLike {
  const m = value as Partial<LayersModelLike> | null;
  return typeof m === 'object' && m !== null && Array.isArray(m.layers) && Array.isArray(m.inputs) && typeof m.execute === 'function';
}

/** True for an object that looks like a `GraphModel`. */
export function isGraphModel(value: unknown): value is AnyGraphModel {
  const m = value as Partial<AnyGraphModel> | null;
  return typeof m === 'object' && m !== null && typeof m.execute === 'function' && Array.isArray(m.inputNodes) && typeof m.save === 'function';
}
