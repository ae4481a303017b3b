// The conformance suite in Node: every case on cpu and wasm, compared with cpu; and a check that
// the suite notices a backend that gets one element wrong.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';

import { CASES } from './cases.js';
import { conformanceProblems, halfFloatProblems } from './compare.js';
import { type BackendReport, type ModelSources, runConformance, watchReadbacks } from './runner.js';
import { cutMix } from '../../src/index.js';
import { cellOf } from '../support/tensors.js';

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

  describe('checks of half-float runs (on reports made on cpu, then changed as a half-float backend could change them)', () => {
    const SALIENCY = CASES.find((c) => c.name.startsWith('attentiveCutMix, built-in saliency'))!.name;
    const MIXUP = CASES[0]!.name;
    let withInputs: BackendReport;
    beforeAll(async () => {
      withInputs = await runConformance('cpu', model, true, true);
    }, 120_000);
    /** The report with inputs, its case `name` changed by `change` (its outputs' values, by name). */
    const changed = (name: string, change: (outputs: Record<string, { shape: number[]; values: number[] }>) => void): BackendReport => {
      const report = structuredClone({ ...withInputs, backend: 'half', halfFloat: true });
      change(report.cases[name]!.outputs);
      return report;
    };
    /** The first sample of the saliency case (topN 5) that pastes cells. */
    const mixedRow = (o: Record<string, { values: number[] }>) => Math.floor(o.cells!.values.findIndex((c) => c >= 0) / 5);
    const problemsOf = (report: BackendReport, name: string) => halfFloatProblems({ ...reference, cases: { [name]: reference.cases[name]! } }, report);

    it('accepts results equal to cpu, and floats within float16 rounding of them', () => {
      expect(CASES.flatMap((c) => problemsOf(withInputs, c.name))).toEqual([]);
      expect(problemsOf(changed(MIXUP, (o) => (o.images!.values[3] = Math.fround(o.images!.values[3]! * (1 + 2 ** -11)))), MIXUP)).toEqual([]);
    });

    it('accepts a sample given other cells than on cpu, pasted exactly, with their lambda', () => {
      const report = changed(SALIENCY, (o) => {
        const [, H, W, C] = o.images!.shape as [number, number, number, number];
        const topN = o.cells!.shape[1]!;
        const i = mixedRow(o);
        const cells = Array.from({ length: 16 }, (_, c) => c).filter((c) => !o.cells!.values.slice(i * topN, (i + 1) * topN).includes(c)).slice(0, o.cells!.values.slice(i * topN, (i + 1) * topN).filter((c) => c >= 0).length);
        cells.forEach((c, k) => (o.cells!.values[i * topN + k] = c));
        const partner = o.partners!.values[i]!;
        let pasted = 0;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const from = cells.includes(cellOf(y, x, H, W, 4)) ? partner : i;
            if (from === partner) pasted++;
            for (let c = 0; c < C; c++) o.images!.values[((i * H + y) * W + x) * C + c] = o['input 0']!.values[((from * H + y) * W + x) * C + c]!;
          }
        }
        o.lambda!.values[i] = Math.fround(1 - pasted / (H * W));
      });
      expect(problemsOf(report, SALIENCY)).toEqual([]);
    });

    it.each<[string, string, (o: Record<string, { shape: number[]; values: number[] }>) => void, RegExp]>([
      ['a partner changed', MIXUP, (o) => (o.partners!.values[0] = (o.partners!.values[0]! + 1) % 5), /› partners on half: element 0/],
      ['a blended value off by 1 %', MIXUP, (o) => (o.images!.values[7] = o.images!.values[7]! * 1.01 + 0.01), /› images on half: element 7/],
      ['a cell listed twice', SALIENCY, (o) => (o.cells!.values[mixedRow(o) * 5 + 1] = o.cells!.values[mixedRow(o) * 5]!), /› cells on half: row \d lists \[/],
      ['a cell off the grid', SALIENCY, (o) => (o.cells!.values[mixedRow(o) * 5] = 16), /› cells on half: row \d lists \[16/],
      ['other cells listed than were pasted', SALIENCY, (o) => (o.cells!.values[mixedRow(o) * 5] = [...Array(16).keys()].find((c) => !o.cells!.values.slice(mixedRow(o) * 5, mixedRow(o) * 5 + 5).includes(c))!), /› images on half: sample \d at \(/],
    ])('finds %s', (_, name, change, pattern) => {
      expect(problemsOf(changed(name, change), name)).toContainEqual(expect.stringMatching(pattern));
    });
  });
});
