// The Fashion-MNIST comparison of the mixing methods (issue 13): every method × seed, then the
// best attentive variant (by mean final VALIDATION accuracy) again with labelMode 'attention';
// writes docs/results/fashion-mnist.json, which `npm run report:fashion-mnist` turns into
// docs/results.md and docs/results/fashion-mnist.png.
//
//   npm run experiment:fashion-mnist [-- --quick] [--seeds 1,2,3] [--dir DIR] [--out FILE]
//
// Installs Debian's dataset-fashion-mnist with apt-get if its files are missing (here only, never
// in CI). Resumes: runs already in the output file (same settings) are kept and skipped, and the
// file is rewritten after every run, so an interrupted experiment loses at most one run.
// --quick is a smoke run (1 seed, tiny sizes) written to a temporary file, not docs/.
//
// The settings, one for every method, and why:
// - Data: the first 8000 images of the training files to train on, the last 5000 of them as the
//   validation split (held out; it chooses the best attentive variant), the full t10k test set
//   (10 000) evaluated each epoch and used for nothing but the report. 10 epochs, batch 64.
// - Size: measured on the 2-core machine while others ran (wasm, this network): an epoch costs
//   about 0.85 ms per training image (3.2–5.5 s for 4096) and evaluating about 0.18 ms per image
//   (0.9 s for 5000). So an epoch of 8000 + 15 000 evaluated is about 9.5 s; 7 methods × 3 seeds
//   + 3 attention-label runs = 24 runs of 10 epochs, plus 3 teachers, make about 40–45 minutes.
//   10 000 training images would be about 50.
// - Network (examples/training/methods.ts): conv 12-24-48 with two max pools, the last conv
//   ('features') 7×7, global AVERAGE pooling (the garment fills the image; and the CAM is exact
//   for average pooling), dense 10; Adam 0.003; initial weights, batch order and mixing stream
//   seeded per seed, the same for every method.
// - Mixing: each sample mixed with probability 0.5 (mode 'elem'): in 10 epochs a small network
//   hardly overfits, and mixing every sample would mostly slow it down; mixup alpha 0.2 (the mixup
//   paper's ImageNet value: mild blends, for a short run); cutMix alpha 1 (the CutMix paper);
//   oneof: mixup or cutMix per sample, weights 1:1. Attentive: grid 7 (4×4-pixel cells, matching
//   the 7×7 feature map of the network and the teacher), top N drawn per sample as
//   N = round((1 − λ)·49) with λ ~ Beta(1, 1), so the pasted area is distributed as CutMix's box
//   (alpha 1) and the methods differ in WHERE they paste, not how much. attentive-cam: 3 epochs
//   (30 %) of cutMix, then the CAM. attentive-teacher: the same network trained 10 epochs without
//   mixing from its own seed (seed + 1000), its 'features' channel mean precomputed once.
// - 1 channel: saliencyExtractor takes any number of channels (only 3 are read as RGB), and
//   attentiveCutMix, cutMix and mixup any C; the grey images go through as [N, 28, 28, 1].
import { spawnSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import { FASHION_MNIST_DEBIAN_DIR, FASHION_MNIST_FILES, loadFashionMnist } from '../examples/training/fashion_mnist.js';
import { type Epoch, METHODS, type Method, type MixSettings, type Network, type Split, type Teacher, describeNetwork, isAttentive, makeTeacher, trainRun } from '../examples/training/methods.js';
import { registerWasmConvGradients } from '../examples/training/wasm_conv_grad.js';

export interface Run {
  method: Method;
  labelMode: 'area' | 'attention';
  seed: number;
  epochs: Epoch[];
  /** Seconds per training epoch, the mean. */
  secondsPerEpoch: number;
  /** attentive-cam: the mean epoch with the CAM minus the mean cutMix warm-up epoch (the CAM's cost). */
  camSecondsPerEpoch?: number;
  /** attentive-teacher: the seed's teacher (see `teachers`). */
  teacherSeed?: number;
}

export interface TeacherRecord {
  seed: number;
  trainSeconds: number;
  precomputeSeconds: number;
  valAccuracy: number;
  losses: number[];
}

export interface Results {
  command: string;
  settings: Record<string, unknown>;
  runs: Run[];
  teachers: TeacherRecord[];
  bestAttentive?: { method: Method; meanFinalValAccuracy: Record<string, number> };
}

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, seeds: { type: 'string' }, dir: { type: 'string', default: FASHION_MNIST_DEBIAN_DIR }, out: { type: 'string' } },
});
const quick = values.quick!;
const dir = values.dir!;
const seeds = (values.seeds ?? (quick ? '1' : '1,2,3')).split(',').map(Number);
const out = values.out ?? (quick ? join(tmpdir(), 'fashion-mnist-quick.json') : 'docs/results/fashion-mnist.json');
const sizes = quick ? { samples: 256, val: 128, test: 256, epochs: 2, camWarmup: 1 } : { samples: 8000, val: 5000, test: 10_000, epochs: 10, camWarmup: 3 };
const batchSize = 64;
const network: Network = { filters: [12, 24, 48], pooling: 'avg' };
const mix: MixSettings = { prob: 0.5, mixupAlpha: 0.2, cutmixAlpha: 1, grid: 7, topN: { alpha: 1 }, labelMode: 'area', camWarmup: sizes.camWarmup };

function ensureData(): void {
  const files = [...Object.values(FASHION_MNIST_FILES.train), ...Object.values(FASHION_MNIST_FILES.test)].map((f) => join(dir, f));
  if (files.every((f) => existsSync(f))) return;
  if (dir !== FASHION_MNIST_DEBIAN_DIR) throw new Error(`Fashion-MNIST files missing in '${dir}'.`);
  console.log('Installing Debian\'s dataset-fashion-mnist (apt-get) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', '-qq', 'dataset-fashion-mnist'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', '-qq', 'dataset-fashion-mnist'], { stdio: 'inherit', env });
  }
  if (r.status !== 0 || !files.every((f) => existsSync(f))) throw new Error('Could not install dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist, as root).');
}

function save(results: Results): void {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(`${out}.tmp`, `${JSON.stringify(results, null, 1)}\n`);
  renameSync(`${out}.tmp`, out);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  ensureData();
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('wasm'))) throw new Error('The wasm backend failed to initialise.');
  await tf.ready();
  registerWasmConvGradients();
  const require = createRequire(import.meta.url);
  const settings = {
    data: `Fashion-MNIST from ${dir} (Debian dataset-fashion-mnist)`,
    trainSplit: `the first ${sizes.samples} images of the training files`,
    validationSplit: `the last ${sizes.val} images of the training files (held out; chooses the best attentive variant)`,
    testSplit: `the first ${sizes.test} images of t10k (reported only)`,
    ...sizes,
    batchSize,
    seeds,
    network: describeNetwork([28, 28, 1], 10, network),
    mix: { ...mix, labelMode: 'area (then attention for the best attentive variant)', oneof: 'mixup or cutMix per sample, weights 1:1, mode elem', mode: 'elem' },
    why: quick
      ? 'a --quick smoke run: tiny sizes'
      : 'sized to about 40-45 minutes on 2 cores: an epoch costs ~0.85 ms per training image and ~0.18 ms per evaluated image (wasm, measured on the 2-core machine); see the header of scripts/experiment-fashion-mnist.ts',
    tfjs: (require('@tensorflow/tfjs-core/package.json') as { version: string }).version,
    backend: tf.getBackend(),
    node: process.version,
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
  };
  const command = `npm run experiment:fashion-mnist${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  let results: Results = { command, settings, runs: [], teachers: [] };
  if (existsSync(out)) {
    const previous = JSON.parse(readFileSync(out, 'utf8')) as Results;
    const comparable = (s: Record<string, unknown>) => JSON.stringify({ ...s, cpu: undefined, node: undefined, cores: undefined, seeds: undefined });
    if (comparable(previous.settings) === comparable(settings)) {
      results = { ...previous, command, settings: { ...settings, seeds: [...new Set([...((previous.settings.seeds as number[]) ?? []), ...seeds])] } };
      console.log(`Resuming ${out}: ${results.runs.length} runs done`);
    } else {
      console.log(`${out} holds runs of other settings: starting afresh (the old file is kept as ${out}.old)`);
      renameSync(out, `${out}.old`);
    }
  }

  const train = loadFashionMnist(dir, 'train', { count: sizes.samples });
  const val = loadFashionMnist(dir, 'train', { start: -sizes.val });
  const test = loadFashionMnist(dir, 'test', { count: sizes.test });
  const data: { train: Split; val: Split; test: Split } = { train, val, test };
  const teacherRoot = quick ? join(tmpdir(), 'fashion-mnist-quick-teachers') : '.cache/fashion-mnist/teachers';
  const teachers = new Map<number, Teacher>();
  const started = performance.now();
  const base = tf.memory().numTensors;

  const runOne = async (method: Method, labelMode: 'area' | 'attention', seed: number) => {
    if (results.runs.some((r) => r.method === method && r.labelMode === labelMode && r.seed === seed)) return;
    const common = { seed, epochs: sizes.epochs, batchSize, numClasses: 10, network, mix: { ...mix, labelMode }, train: data.train, val: data.val };
    let teacherMaps: tf.Tensor3D | undefined;
    if (method === 'attentive-teacher') {
      if (!teachers.has(seed)) {
        const teacher = await makeTeacher(common, join(teacherRoot, `seed-${seed}`));
        teachers.set(seed, teacher);
        results.teachers = [...results.teachers.filter((t) => t.seed !== seed), { seed, trainSeconds: teacher.trainSeconds, precomputeSeconds: teacher.precomputeSeconds, valAccuracy: teacher.valAccuracy, losses: teacher.epochs.map((e) => e.loss) }];
        console.log(`teacher seed ${seed}: ${teacher.trainSeconds.toFixed(1)} s, val acc ${teacher.valAccuracy.toFixed(4)}, maps in ${teacher.precomputeSeconds.toFixed(1)} s`);
      }
      teacherMaps = teachers.get(seed)!.maps;
    }
    const before = tf.memory().numTensors;
    const epochs = await trainRun({ ...common, method, test: data.test, teacherMaps, onEpoch: (e) => process.stdout.write(`  ${method} ${labelMode} seed ${seed} epoch ${e.epoch}: loss ${e.loss.toFixed(3)} val ${e.valAccuracy.toFixed(4)} test ${e.testAccuracy!.toFixed(4)} (${e.seconds.toFixed(1)} s)\n`) });
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) throw new Error(`${method} seed ${seed} left ${leaked} tensors allocated.`);
    const run: Run = { method, labelMode, seed, epochs, secondsPerEpoch: mean(epochs.map((e) => e.seconds)) };
    if (method === 'attentive-cam') {
      const warm = epochs.filter((e) => e.mixer === 'cutmix').map((e) => e.seconds);
      const cam = epochs.filter((e) => e.mixer === 'attentive-cam').map((e) => e.seconds);
      if (warm.length > 0 && cam.length > 0) run.camSecondsPerEpoch = mean(cam) - mean(warm);
    }
    if (method === 'attentive-teacher') run.teacherSeed = seed;
    results.runs.push(run);
    save(results);
    const done = results.runs.length;
    console.log(`${method} (${labelMode}) seed ${seed}: final val ${epochs.at(-1)!.valAccuracy.toFixed(4)}, test ${epochs.at(-1)!.testAccuracy!.toFixed(4)}; ${done} runs, ${((performance.now() - started) / 60000).toFixed(1)} min so far`);
  };

  try {
    for (const seed of seeds) for (const method of METHODS) await runOne(method, 'area', seed);
    const attentive = METHODS.filter(isAttentive);
    const meanFinalValAccuracy = Object.fromEntries(attentive.map((m) => [m, mean(results.runs.filter((r) => r.method === m && r.labelMode === 'area').map((r) => r.epochs.at(-1)!.valAccuracy))]));
    const best = attentive.reduce((a, b) => (meanFinalValAccuracy[b]! > meanFinalValAccuracy[a]! ? b : a));
    results.bestAttentive = { method: best, meanFinalValAccuracy };
    console.log(`best attentive variant by mean final validation accuracy: ${best}`);
    for (const seed of seeds) await runOne(best, 'attention', seed);
    save(results);
  } finally {
    tf.dispose([train, val, test, [...teachers.values()].map((t) => t.maps)]);
    if (quick) rmSync(teacherRoot, { recursive: true, force: true });
  }
  const left = tf.memory().numTensors - base + 6; // the six split tensors, made before `base`, are disposed
  console.log(`wrote ${out} (${results.runs.length} runs${left !== 0 ? `; ${left} tensors left` : ''}) in ${((performance.now() - started) / 60000).toFixed(1)} min`);
}

try {
  await main();
} catch (e) {
  console.error(`experiment-fashion-mnist: ${(e as Error).message}`);
  process.exitCode = 1;
}
