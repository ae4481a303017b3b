// A real training loop with the library: a small CNN (tfjs-layers) trained through
// model.fitDataset on a tf.data pipeline whose batches go through mixDataset, once per mixing
// method, from the same initial weights and the same batches, on the wasm backend. Prints the
// validation accuracy of each method (and the test accuracy, where the data has a test set).
//
//   npx tsx examples/training/train.ts [--method METHOD[,METHOD...]|all]
//       [--epochs N] [--samples N] [--val N] [--test N] [--batch-size N] [--prob P] [--seed S]
//       [--grid G] [--top-n N|alpha] [--cam-warmup W] [--label-mode area|attention]
//       [--cifar DIR | --fashion-mnist DIR] [--teacher-dir DIR]
//
// The methods (examples/training/methods.ts): none, mixup, cutmix, oneof (mixup or cutMix per
// sample), attentive-saliency (also 'attentive': the built-in saliency extractor), attentive-cam
// (W epochs of cutMix, then the model's own CAM), attentive-teacher (a teacher trained first
// without mixing, saved as model.json + weights, loaded with loadAttentionExtractor, its maps
// precomputed once). --label-mode applies to every attentive method.
//
// Without --cifar or --fashion-mnist it trains on generated images (examples/training/shapes.ts):
// six classes of small shapes at random places on cluttered, textured backgrounds. With --cifar DIR
// it reads CIFAR-10's binary files from DIR (examples/training/cifar10.ts) and validates on
// test_batch. With --fashion-mnist DIR (Debian: apt-get install dataset-fashion-mnist, DIR
// /usr/share/datasets/fashion-mnist) it trains on the first --samples images of the training files,
// validates on their last --val images (held out: never trained on) and reports the t10k test
// accuracy each epoch, which chooses nothing. `npm run experiment:fashion-mnist` runs the full
// comparison over seeds (scripts/experiment-fashion-mnist.ts).
//
// The default run is short and shows the pipeline more than the methods: in 8 epochs the unmixed
// baseline learns fastest. In a 30-epoch run on the shapes (seed 1, about 4½ minutes for four
// methods) the baseline overfits (training loss 0.02, validation accuracy 0.84) and mixup (0.90),
// CutMix (0.86) and Attentive CutMix (0.90) all end above it; one seed, so differences of a few
// points among the mixers are noise.
//
// Training on wasm needs registerWasmConvGradients (attentive-cutmix/training): tfjs-backend-wasm
// 4.22 has no Conv2DBackpropFilter kernel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import type { CellCount, LabelMode } from '../../src/index.js';
import { registerWasmConvGradients } from '../../src/training.js';
import { CIFAR10_CLASSES, loadCifar10 } from './cifar10.js';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from './fashion_mnist.js';
import { type Epoch, METHODS, METHOD_ALIASES, type Method, type MixSettings, type Split, teacherMaps as mapsOfTeacher, trainRun, trainTeacher, usesTeacher } from './methods.js';
import type { Network } from './network.js';
import { SHAPE_CLASSES, makeShapeSet } from './shapes.js';

const USAGE =
  `usage: npx tsx examples/training/train.ts [--method ${[...METHODS, 'all'].join('|')}] [--epochs N] [--samples N] [--val N] [--test N] ` +
  '[--batch-size N] [--prob P] [--seed S] [--grid G] [--top-n N|alpha] [--cam-warmup W] [--label-mode area|attention] [--cifar DIR | --fashion-mnist DIR] [--teacher-dir DIR]';

interface Settings {
  methods: Method[];
  epochs: number;
  samples: number;
  val: number;
  test: number;
  batchSize: number;
  seed: number;
  mix: MixSettings;
  cifar: string | undefined;
  fashionMnist: string | undefined;
  teacherDir: string | undefined;
}

function parseSettings(argv: string[]): Settings {
  const { values } = parseArgs({
    args: argv,
    options: {
      method: { type: 'string', default: 'all' },
      epochs: { type: 'string' },
      samples: { type: 'string' },
      val: { type: 'string' },
      test: { type: 'string' },
      'batch-size': { type: 'string' },
      prob: { type: 'string' },
      seed: { type: 'string' },
      grid: { type: 'string' },
      'top-n': { type: 'string' },
      'cam-warmup': { type: 'string' },
      'label-mode': { type: 'string', default: 'area' },
      cifar: { type: 'string' },
      'fashion-mnist': { type: 'string' },
      'teacher-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const names = values.method!.split(',');
  const methods: Method[] = [];
  for (const name of names) {
    if (name === 'all') methods.push(...METHODS);
    else if ((METHODS as readonly string[]).includes(name)) methods.push(name as Method);
    else if (name in METHOD_ALIASES) methods.push(METHOD_ALIASES[name]!);
    else throw new Error(`--method must be one of ${[...METHODS, 'all'].join(', ')} (or a comma-separated list of them), but got '${name}'.`);
  }
  const int = (name: string, value: string | undefined, fallback: number, min = 1): number => {
    const n = value === undefined ? fallback : Number(value);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, but got '${value}'.`);
    return n;
  };
  const p = values.prob === undefined ? 0.5 : Number(values.prob);
  if (!(p >= 0 && p <= 1)) throw new Error(`--prob must be a number in [0, 1], but got '${values.prob}'.`);
  const labelMode = values['label-mode'];
  if (labelMode !== 'area' && labelMode !== 'attention') throw new Error(`--label-mode must be area or attention, but got '${labelMode}'.`);
  const { cifar } = values;
  const fashionMnist = values['fashion-mnist'];
  if (cifar && fashionMnist) throw new Error('--cifar and --fashion-mnist exclude each other.');
  const real = cifar ?? fashionMnist;
  const grid = int('grid', values.grid, fashionMnist ? 7 : 4);
  const topN: CellCount = values['top-n'] === 'alpha' ? { alpha: 1 } : int('top-n', values['top-n'], fashionMnist ? 6 : 2, 0);
  const epochs = int('epochs', values.epochs, 8);
  return {
    methods: [...new Set(methods)],
    epochs,
    samples: int('samples', values.samples, real ? 10_000 : 2048, 2),
    val: int('val', values.val, fashionMnist ? 5000 : real ? 2000 : 512),
    test: int('test', values.test, 10_000),
    batchSize: int('batch-size', values['batch-size'], 64, 2),
    seed: int('seed', values.seed, 1, 0),
    mix: { prob: p, mixupAlpha: 0.2, cutmixAlpha: 1, grid, topN, labelMode: labelMode as LabelMode, camWarmup: int('cam-warmup', values['cam-warmup'], Math.max(1, Math.round(epochs * 0.3)), 0) },
    cifar,
    fashionMnist,
    teacherDir: values['teacher-dir'],
  };
}

interface Data {
  train: Split;
  val: Split;
  test?: Split;
  numClasses: number;
  network: Network;
  description: string;
}

const split = ({ images, labels }: Split): Split => ({ images, labels });

function loadData(settings: Settings): Data {
  if (settings.fashionMnist) {
    const dir = settings.fashionMnist;
    const val = loadFashionMnist(dir, 'train', { start: -settings.val });
    if (settings.samples + settings.val > val.total) {
      tf.dispose(val);
      throw new Error(`--samples ${settings.samples} and --val ${settings.val} together exceed the ${val.total} training images: the validation images are held out of them.`);
    }
    const train = loadFashionMnist(dir, 'train', { count: settings.samples });
    const test = loadFashionMnist(dir, 'test', { count: settings.test });
    const description =
      `Fashion-MNIST from ${dir}: ${train.labels.shape[0]} training images (the first of the training files), ${val.labels.shape[0]} validation images (the last of the training files, held out), ` +
      `${test.labels.shape[0]} test images (t10k, reported only), ${FASHION_MNIST_CLASSES.length} classes`;
    return { train: split(train), val: split(val), test: split(test), numClasses: FASHION_MNIST_CLASSES.length, network: { stages: [[12], [24], [48]], pooling: 'avg' }, description };
  }
  if (settings.cifar) {
    const train = loadCifar10(settings.cifar, 'train', settings.samples);
    const val = loadCifar10(settings.cifar, 'test', settings.val);
    const description = `CIFAR-10 from ${settings.cifar}: ${train.labels.shape[0]} training images (of 50000), ${val.labels.shape[0]} test images for validation, ${CIFAR10_CLASSES.length} classes`;
    return { train, val, numClasses: CIFAR10_CLASSES.length, network: { stages: [[12], [24], [48]], pooling: 'max' }, description };
  }
  const train = makeShapeSet(settings.samples, { seed: `train-${settings.seed}` });
  const val = makeShapeSet(settings.val, { seed: `val-${settings.seed}` });
  const description = `generated shapes (examples/training/shapes.ts): ${settings.samples} training and ${settings.val} validation images of 32×32, ${SHAPE_CLASSES.length} classes (${SHAPE_CLASSES.join(', ')})`;
  // Global max pooling: the object is small and anywhere, and averaging its features with the
  // background's makes the network learn far more slowly.
  return { train: { images: train.images, labels: train.labels }, val: { images: val.images, labels: val.labels }, numClasses: SHAPE_CLASSES.length, network: { stages: [[12], [24], [48]], pooling: 'max' }, description };
}

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2));
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('wasm'))) throw new Error('The wasm backend failed to initialise.');
  await tf.ready();
  registerWasmConvGradients(); // tfjs-backend-wasm 4.22 cannot train conv2d layers without it
  const data = loadData(settings);
  const { mix } = settings;
  console.log(`Data: ${data.description}`);
  const topN = typeof mix.topN === 'number' ? `top ${mix.topN}` : `top N drawn (alpha ${mix.topN.alpha})`;
  console.log(
    `Training: ${settings.epochs} epochs, batch ${settings.batchSize}, seed ${settings.seed}, backend ${tf.getBackend()}; ` +
      `each sample mixed with probability ${mix.prob}: mixup alpha ${mix.mixupAlpha}, cutMix alpha ${mix.cutmixAlpha}, attentive grid ${mix.grid} ${topN}, ${mix.labelMode} labels, CAM after ${mix.camWarmup} epochs of cutMix\n`,
  );
  const common = { seed: settings.seed, epochs: settings.epochs, batchSize: settings.batchSize, numClasses: data.numClasses, network: data.network, mix, train: data.train, val: data.val };
  let teacherMaps: tf.Tensor3D | undefined;
  const scratch = settings.teacherDir ? undefined : mkdtempSync(join(tmpdir(), 'teacher-'));
  const outcomes: { method: Method; accuracy: number[]; test: (number | null)[]; seconds: number }[] = [];
  try {
    if (settings.methods.some(usesTeacher)) {
      // The example's teacher: the same network, its own initial weights and batch order, trained
      // without mixing on the same training images (the experiments train theirs on other images).
      const teacher = await trainTeacher({ ...common, seed: settings.seed + 1000 }, settings.teacherDir ?? scratch!);
      const started = performance.now();
      teacherMaps = await mapsOfTeacher(teacher.folder, data.train.images, mix.grid);
      console.log(`  teacher: trained in ${teacher.trainSeconds.toFixed(1)} s (val acc ${teacher.valAccuracy.toFixed(3)}), saved to ${teacher.folder}, maps precomputed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    for (const method of settings.methods) {
      const epochs: Epoch[] = await trainRun({
        ...common,
        method,
        test: data.test,
        teacherMaps,
        onEpoch: (e) =>
          console.log(
            `  ${method.padEnd(9)} epoch ${e.epoch}/${settings.epochs}  loss ${e.loss.toFixed(3)}  val loss ${e.valLoss.toFixed(3)}  val acc ${e.valAccuracy.toFixed(3)}` +
              `${e.testAccuracy === null ? '' : `  test acc ${e.testAccuracy.toFixed(3)}`}  (${e.seconds.toFixed(1)} s)`,
          ),
      });
      outcomes.push({ method, accuracy: epochs.map((e) => e.valAccuracy), test: epochs.map((e) => e.testAccuracy), seconds: epochs.reduce((a, e) => a + e.seconds, 0) });
    }
  } finally {
    tf.dispose([data.train, data.val, data.test ?? [], teacherMaps ?? []]);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }

  console.log('\nValidation accuracy');
  console.log('| method             | last epoch | best epoch | mean of last 2 | time    |');
  console.log('|--------------------|------------|------------|----------------|---------|');
  for (const { method, accuracy, seconds } of outcomes) {
    const last = accuracy.at(-1)!;
    const best = Math.max(...accuracy);
    const tail = accuracy.slice(-2);
    const mean = tail.reduce((a, b) => a + b, 0) / tail.length;
    console.log(`| ${method.padEnd(18)} | ${last.toFixed(3).padStart(10)} | ${best.toFixed(3).padStart(10)} | ${mean.toFixed(3).padStart(14)} | ${`${seconds.toFixed(1)} s`.padStart(7)} |`);
  }
  if (data.test) {
    console.log('\nTest accuracy at the last epoch (reported only; nothing is chosen by it)');
    for (const { method, test } of outcomes) console.log(`  ${method.padEnd(18)} ${test.at(-1)!.toFixed(3)}`);
  }
  if (settings.epochs < 20 && !data.test) {
    console.log(
      `\nMixing is a regulariser: it slows early learning and pays off once the baseline overfits, which ${settings.epochs} epochs` +
        ' are too few to show. For a comparison that means something, train longer (--epochs 30: about 4½ minutes on 2 cores).',
    );
  }
  const left = tf.memory().numTensors;
  if (left > 0) console.log(`\n(${left} tensors still allocated)`);
}

// Errors are reported here rather than left uncaught: the wasm backend's Node glue rethrows
// uncaught errors with a dump of its own source.
try {
  await main();
} catch (e) {
  console.error(`train.ts: ${(e as Error).message}`);
  process.exitCode = 1;
}
