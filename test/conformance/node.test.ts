// The conformance suite in Node: every case on cpu and wasm, compared with cpu; and a check that
// the suite notices a backend that gets one element wrong.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';

import { CASES } from './cases.js';
import { conformanceProblems } from './compare.js';
import { type BackendReport, type ModelSources, runConformance, watchReadbacks } from './runner.js';
import { cutMix } from '../../src/index.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/models');
const keras = JSON.parse(readFileSync(join(fixtures, 'keras-cnn/model.json'), 'utf8')) as { modelTopology: object; weightsManifest: [{ weights: tf.io.WeightsManifestEntry[] }] };
const kerasWeights = readFileSync(join(fixtures, 'keras-cnn/group1-shard1of1.bin'));
const model: ModelSources = {
  graph: join(fixtures, 'tiny-cnn/model.json'),
  layers: join(fixtures, 'keras-cnn/model.json'),
  layersModel: tf.io.fromMemory({
    modelTopology: keras.modelTopology,
    weightSpecs: keras.weightsManifest[0].weights,
    weightData: kerasWeights.buffer.slice(kerasWeights.byteOffset, kerasWeights.byteOffset + kerasWeights.byteLength) as ArrayBuffer,
  }),
};
let reference: BackendReport;
const reports = new Map<string, Promise<BackendReport>>();
/** Each backend's report, run once. */
const reportOf = (backend: string) => reports.get(backend) ?? reports.set(backend, runConformance(backend, model)).get(backend)!;

beforeAll(async () => {
  tf.env().set('PROD', true);
  reference = await reportOf('cpu');
}, 120_000);

describe.each(['cpu', 'wasm'])('conformance on %s', (backend) => {
  let report: BackendReport;
  beforeAll(async () => {
    report = await reportOf(backend);
  }, 120_000);

  it.each(CASES.map((c) => c.name))('%s: same outputs as cpu, no read back, kernels independent of B, no leak', (name) => {
    expect(conformanceProblems({ ...reference, cases: { [name]: reference.cases[name]! } }, report)).toEqual([]);
  });
});

describe.each(['cpu', 'wasm'])('kernels on %s', (backend) => {
  it('attentiveCutMix on precomputed maps runs in at most 8 kernels, the fused pooling and selection among them', async () => {
    const report = await reportOf(backend);
    const kernels = report.cases[CASES.find((c) => c.name.startsWith('attentiveCutMix, maps of the image size'))!.name]!.kernels.b32;
    expect(kernels).toEqual(expect.arrayContaining(['AttentiveCutMixPoolCells', 'AttentiveCutMixSelectCells', 'AttentiveCutMixPasteRects']));
    expect(kernels.length, kernels.join(', ')).toBeLessThanOrEqual(8);
  }, 120_000);
});

describe('the conformance suite', () => {
  it('counts reads of tensor data made outside kernels, and only those', async () => {
    await tf.setBackend('cpu');
    const x = tf.zeros([4, 8, 8, 1]) as tf.Tensor4D;
    const ids = tf.tensor1d([0, 1, 2, 3], 'int32');
    const checked: string[] = [];
    tf.dispose(watchReadbacks(checked, () => cutMix(x, ids, { numClasses: 4 }))); // validates the ids: one read
    expect(checked).toContain('tensor.dataSync');
    const unchecked: string[] = [];
    tf.dispose(watchReadbacks(unchecked, () => cutMix(x, ids, { numClasses: 4, validateLabels: false }))); // gather reads inside its kernel
    expect(unchecked).toEqual([]);
    tf.dispose([x, ids]);
  });

  it('fails for a backend whose pasting kernels get one element wrong', async () => {
    // A test double: the cpu backend with every kernel, but the kernels that paste (tf.where on the
    // composite path, the library's fused kernel on cpu) change the first element they write.
    const pasting = ['Select', 'AttentiveCutMixPasteRects'];
    tf.registerBackend('faulty-cpu', () => new MathBackendCPU());
    for (const kernel of tf.getKernelsForBackend('cpu')) {
      const kernelFunc: tf.KernelFunc =
        pasting.includes(kernel.kernelName)
          ? (args) => {
              const out = kernel.kernelFunc(args) as tf.TensorInfo;
              const values = (args.backend as MathBackendCPU).data.get(out.dataId).values as Float32Array | Int32Array;
              values[0] = values[0]! + 1;
              return out;
            }
          : kernel.kernelFunc;
      tf.registerKernel({ ...kernel, backendName: 'faulty-cpu', kernelFunc });
    }
    const faulty = await runConformance('faulty-cpu', model);
    await tf.setBackend('cpu');
    tf.removeBackend('faulty-cpu');
    const problems = conformanceProblems(reference, { ...faulty, backend: 'faulty-cpu' });
    expect(problems).toContainEqual(expect.stringMatching(/^cutMix, elem mode, float32 images › images on faulty-cpu: element 0 is/));
    expect(problems).toContainEqual(expect.stringMatching(/^attentiveCutMix, built-in saliency.* › images on faulty-cpu: element 0/));
  }, 120_000);
});
