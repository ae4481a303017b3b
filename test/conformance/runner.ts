// Runs the conformance cases on one backend and reports outputs and guarantees as plain JSON, so
// that the same code serves Node (vitest) and the browser (a bundled page driven by playwright).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { type ModelSource, camExtractor, loadAttentionExtractor } from '../../src/index.js';
import { setFusedKernelsEnabled } from '../../src/kernels/fused.js';
import { halfFloatTextures } from '../../src/kernels/precision.js';
import { CASES, type CaseContext, reporting } from './cases.js';

export interface TensorReport {
  shape: number[];
  dtype: string;
  values: number[];
}

export interface CaseReport {
  /** The grid of each `cells` output (ConformanceCase.grids). */
  grids: Readonly<Record<string, number>>;
  /** Attention maps computed on the device (ConformanceCase.computedMaps). */
  computedMaps: readonly string[];
  outputs: Record<string, TensorReport>;
  /** Reads of tensor data issued while the op ran, outside kernel execution. */
  readbacks: string[];
  /** Kernels of one call, for batches of 4 and of 32; not counted in half-float runs (the kernels are those of the float32 run). */
  kernels: { b4: string[]; b32: string[] };
  /** Tensors left allocated after the outputs were disposed. */
  leaked: number;
  /** Float outputs compared bit for bit where the fused kernels run (see ConformanceCase.exact). */
  exact: readonly string[];
  /** `cells` outputs half-float textures give exactly (ConformanceCase.halfFloatExact). */
  halfFloatExact: readonly string[];
}

export interface BackendReport {
  backend: string;
  /** Whether the backend stored tensors in half-float textures (webgl with WEBGL_RENDER_FLOAT32_ENABLED false). */
  halfFloat: boolean;
  cases: Record<string, CaseReport>;
}

/** Where the cases' models come from: a path in Node, a URL served by the test's server in a browser. */
export interface ModelSources {
  /** tiny-cnn, a graph model, for loadAttentionExtractor. */
  graph: ModelSource;
  /** keras-cnn, a layers model, for loadAttentionExtractor. */
  layers: ModelSource;
  /** keras-cnn as tfjs-layers loads it itself: a URL, or in Node (where tfjs-layers reads no file) an IOHandler. */
  layersModel: string | tf.io.IOHandler;
}

/** The batch size the outputs are compared at: odd, to catch pairing bugs. */
const BATCH = 5;
const READ_METHODS = ['dataSync', 'data', 'arraySync', 'array', 'bufferSync', 'buffer'] as const;

/**
 * Runs every case on `backend`; with `fused: false`, on the composite path even where the library
 * has fused kernels. On a backend with half-float textures (or with `reportInputs`) the cases
 * also report their inputs, which compare.ts checks the results against; on half-float textures
 * kernels are not counted.
 */
export async function runConformance(backend: string, sources: ModelSources, fused = true, reportInputs = false): Promise<BackendReport> {
  if (!(await tf.setBackend(backend))) throw new Error(`Backend '${backend}' failed to initialise.`);
  setFusedKernelsEnabled(fused);
  await tf.ready();
  const halfFloat = halfFloatTextures();
  // Loaded on the backend under test, so that their weights live there.
  const layersModel = await tfl.loadLayersModel(sources.layersModel);
  const context: CaseContext = {
    graphExtractor: await loadAttentionExtractor(sources.graph, { normalization: 'unit' }),
    layersExtractor: await loadAttentionExtractor(sources.layers, { normalization: 'unit' }),
    modelExtractor: await loadAttentionExtractor(layersModel, { featureNode: 'pool1' }),
    camExtractor: camExtractor(layersModel, { featureLayer: 'features', classifierLayer: 'logits' }),
  };
  const cases: Record<string, CaseReport> = {};
  try {
    for (const c of CASES) {
      const before = tf.memory().numTensors;
      const readbacks: string[] = [];
      reporting.inputs = halfFloat || reportInputs;
      let outputs: Record<string, tf.Tensor>;
      try {
        outputs = watchReadbacks(readbacks, () => c.run(context, BATCH));
      } finally {
        reporting.inputs = false;
      }
      const report: Record<string, TensorReport> = {};
      for (const [key, t] of Object.entries(outputs)) report[key] = { shape: t.shape, dtype: t.dtype, values: Array.from(await t.data()) };
      tf.dispose(outputs);
      const leaked = tf.memory().numTensors - before;
      const kernels = halfFloat ? { b4: [], b32: [] } : { b4: await kernelsOf(() => c.run(context, 4)), b32: await kernelsOf(() => c.run(context, 32)) };
      cases[c.name] = { outputs: report, readbacks, kernels, leaked, exact: c.exact ?? [], grids: c.grids ?? {}, computedMaps: c.computedMaps ?? [], halfFloatExact: c.halfFloatExact ?? [] };
    }
  } finally {
    context.graphExtractor.dispose?.();
    context.layersExtractor.dispose?.();
    context.modelExtractor.dispose?.();
    layersModel.dispose();
    setFusedKernelsEnabled(true);
  }
  return { backend: `${backend}${halfFloat ? ' f16' : ''}${fused ? '' : ' (composite)'}`, halfFloat, cases };
}

async function kernelsOf(run: () => Record<string, tf.Tensor>): Promise<string[]> {
  let outputs: tf.Tensor[] = [];
  const info = await tf.profile(() => (outputs = Object.values(run())));
  tf.dispose(outputs);
  return info.kernelNames;
}

/**
 * Runs `fn` while counting every read of tensor data that does not come from inside a kernel
 * (some cpu and wasm kernels read their inputs; that is not a read back).
 */
export function watchReadbacks<T>(log: string[], fn: () => T): T {
  const engine = tf.engine() as unknown as { state: { kernelDepth: number } };
  const restore: (() => void)[] = [];
  const watch = (owner: object, method: string, label: string) => {
    const original = (owner as Record<string, unknown>)[method];
    if (typeof original !== 'function') return;
    (owner as Record<string, unknown>)[method] = function (this: unknown, ...args: unknown[]) {
      if (engine.state.kernelDepth === 0) log.push(label);
      return original.apply(this, args);
    };
    restore.push(() => ((owner as Record<string, unknown>)[method] = original));
  };
  for (const m of READ_METHODS) watch(tf.Tensor.prototype, m, `tensor.${m}`);
  for (const m of ['read', 'readSync', 'readToGPU']) watch(tf.backend(), m, `backend.${m}`);
  try {
    return fn();
  } finally {
    for (const r of restore) r();
  }
}
