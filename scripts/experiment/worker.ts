// One worker process of the experiment runner (scripts/experiment/run.ts): its own tfjs on the
// wasm backend (single-threaded in Node, so one worker uses one core), the dataset's splits loaded
// once, then jobs from the runner one at a time: train the teacher, measure where pasted cells fall
// (on_object.ts), or train one run. Results go
// back as messages; the runner writes them.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import { type Split, teacherMaps, trainRun, trainTeacher, usesTeacher } from '../../examples/training/methods.js';
import { precomputeAttention, saliencyExtractor } from '../../src/index.js';
import { registerFastBatchNormGradient, registerWasmConvGradients } from '../../src/training.js';
import { DATASET_BY_NAME, type DatasetName, type Sizes } from './datasets.js';
import type { RunSpec } from './plan.js';
import { meanBoxShare, pastedOnObject, randomMaps } from './on_object.js';
import type { FromWorker, OnObjectRecord, RunRecord, TeacherRecord, ToWorker } from './protocol.js';

const send = (message: FromWorker): void => void process.send!(message);

const [name, dir, quick] = process.argv.slice(2) as [DatasetName, string, string];
const dataset = DATASET_BY_NAME[name];
const sizes: Sizes = quick === 'quick' ? dataset.quickSizes : dataset.sizes;

tf.env().set('PROD', true);
if (!(await tf.setBackend('wasm'))) throw new Error('The wasm backend failed to initialise.');
await tf.ready();
registerWasmConvGradients(); // tfjs-backend-wasm 4.22 cannot train conv2d layers without it
registerFastBatchNormGradient();

const splits = { train: dataset.load(dir, 'train', sizes), val: dataset.load(dir, 'val', sizes), test: dataset.load(dir, 'test', sizes) };
let maps: { folder: string; maps: tf.Tensor3D } | undefined;
/** The attentive grid of every run, the teacher's maps and the measurement of where cells fall. */
const GRID = 7;

async function runTeacher(folder: string, seed: number): Promise<TeacherRecord> {
  const train: Split = dataset.load(dir, 'teacher', sizes);
  try {
    const teacher = await trainTeacher(
      { seed, epochs: sizes.teacherEpochs, batchSize: sizes.batchSize, numClasses: 10, network: dataset.network, train, val: splits.val, test: splits.test, onEpoch: (epoch, loss) => send({ type: 'progress', text: `teacher epoch ${epoch}/${sizes.teacherEpochs}: loss ${loss.toFixed(4)}` }) },
      folder,
    );
    return { seed, images: train.labels.shape[0], epochs: sizes.teacherEpochs, folder, trainSeconds: teacher.trainSeconds, losses: teacher.losses, valAccuracy: teacher.valAccuracy, testAccuracy: teacher.testAccuracy! };
  } finally {
    tf.dispose(train);
  }
}

/** The teacher's maps over the training split, kept for the runs that follow; the seconds they took, if made now. */
async function loadTeacherMaps(teacherFolder: string): Promise<number | undefined> {
  if (maps?.folder === teacherFolder) return undefined;
  maps?.maps.dispose();
  const started = performance.now();
  maps = { folder: teacherFolder, maps: await teacherMaps(teacherFolder, splits.train.images, GRID) };
  return (performance.now() - started) / 1000;
}

async function runOnObject(teacherFolder: string, topN: number, topNs: number[]): Promise<OnObjectRecord> {
  const started = performance.now();
  const boxes = dataset.objectBoxes!(dir, sizes);
  await loadTeacherMaps(teacherFolder);
  const teacher = await maps!.maps.data<'float32'>();
  const saliencyMaps = await precomputeAttention(splits.train.images, saliencyExtractor(), { grid: GRID, batchSize: 250 });
  const saliency = await saliencyMaps.data<'float32'>();
  saliencyMaps.dispose();
  const count = boxes.length / 3;
  const at = (values: Float32Array) => pastedOnObject(values, boxes, dataset.side, GRID, topN);
  return {
    images: count,
    grid: GRID,
    topN,
    boxShare: meanBoxShare(boxes, dataset.side),
    sources: { teacher: at(teacher), 'teacher-least': at(teacher.map((v) => -v)), saliency: at(saliency), random: at(randomMaps(count, GRID, 'on-object-random')) },
    teacherByTopN: topNs.map((n) => ({ topN: n, ...pastedOnObject(teacher, boxes, dataset.side, GRID, n) })),
    seconds: (performance.now() - started) / 1000,
  };
}

async function runOne(spec: RunSpec, teacherFolder: string | undefined): Promise<RunRecord> {
  let mapsSeconds: number | undefined;
  if (usesTeacher(spec.method)) {
    if (!teacherFolder) throw new Error(`${spec.method} needs the teacher, and the runner sent none.`);
    mapsSeconds = await loadTeacherMaps(teacherFolder);
  }
  const before = tf.memory().numTensors;
  const started = performance.now();
  const epochs = await trainRun({
    method: spec.method,
    seed: spec.seed,
    epochs: sizes.epochs,
    batchSize: sizes.batchSize,
    numClasses: 10,
    network: dataset.network,
    mix: { prob: 1, mixupAlpha: spec.alpha ?? 1, cutmixAlpha: spec.alpha ?? 1, grid: GRID, topN: spec.topN ?? 6, labelMode: 'area', camWarmup: sizes.camWarmup },
    ...splits,
    testEvery: sizes.testEvery,
    teacherMaps: maps?.maps,
    onEpoch: (e) =>
      send({
        type: 'progress',
        text: `epoch ${e.epoch}/${sizes.epochs}: loss ${e.loss.toFixed(3)} acc ${e.accuracy.toFixed(3)} val ${e.valAccuracy.toFixed(4)} (${e.valLoss.toFixed(3)})${e.testAccuracy === null ? '' : ` test ${e.testAccuracy.toFixed(4)}`} ${e.seconds.toFixed(1)}+${e.evalSeconds.toFixed(1)} s`,
      }),
  });
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`${spec.method} seed ${spec.seed} left ${leaked} tensors allocated.`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const record: RunRecord = { ...spec, labelMode: 'area', prob: 1, epochs, secondsPerEpoch: mean(epochs.map((e) => e.seconds)), totalSeconds: (performance.now() - started) / 1000 };
  if (mapsSeconds !== undefined) record.teacherMapsSeconds = mapsSeconds;
  if (spec.method === 'attentive-cam') {
    const warm = epochs.filter((e) => e.mixer === 'cutmix').map((e) => e.seconds);
    const cam = epochs.filter((e) => e.mixer === 'attentive-cam').map((e) => e.seconds);
    if (warm.length > 0 && cam.length > 0) record.camSecondsPerEpoch = mean(cam) - mean(warm);
  }
  return record;
}

const perform = (message: ToWorker): Promise<void> => {
  switch (message.type) {
    case 'teacher':
      return runTeacher(message.folder, message.seed).then((teacher) => send({ type: 'teacher-done', teacher }));
    case 'run':
      return runOne(message.spec, message.teacherFolder).then((run) => send({ type: 'run-done', run }));
    case 'on-object':
      return runOnObject(message.teacherFolder, message.topN, message.topNs).then((onObject) => send({ type: 'on-object-done', onObject }));
  }
};

process.on('message', (message: ToWorker) => {
  const job = perform(message);
  job.catch((e: Error) => send({ type: 'error', message: e.stack ?? e.message }));
});
send({ type: 'ready' });
