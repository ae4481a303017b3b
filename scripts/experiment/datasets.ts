// The experiments' datasets: which images each split takes, how big each part is, and the network
// and training schedule, the same for every method.
//
// Both datasets come from Debian's dataset-fashion-mnist. Of the 60 000 images of its training
// files, the student trains on the first `train`, the validation split is the last `val` (held
// out; it makes every choice), and the teacher trains on everything in between (`teacher` images,
// none of the student's or the validation split's). The test split is t10k (`test` images), used
// for nothing but the report.
//
// - fashion-mnist: the images as they are, 28 × 28.
// - fashion-mnist-clutter: each split made into clutter (examples/training/clutter.ts) from its own
//   images, 40 × 40: garments scaled by 0.5–0.8 at a random place, 5 fragments of other garments
//   of the same split around them.
import * as tf from '@tensorflow/tfjs-core';

import { CLUTTER_DEFAULTS, type GreyImages, makeCluttered } from '../../examples/training/clutter.js';
import { readFashionMnist } from '../../examples/training/fashion_mnist.js';
import type { Split } from '../../examples/training/methods.js';
import type { Network } from '../../examples/training/network.js';
import { samplesSheet } from './samples.js';

export const DATASETS = ['fashion-mnist', 'fashion-mnist-clutter'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface Sizes {
  /** Student training images (the first of the training files). */
  train: number;
  /** Validation images (the last of the training files). */
  val: number;
  /** Teacher training images (between the two), and its epochs. */
  teacher: number;
  teacherEpochs: number;
  /** Test images (the first of t10k). */
  test: number;
  /** The student's epochs, the test split evaluated every `testEvery` and at the last. */
  epochs: number;
  testEvery: number;
  /** attentive-cam: epochs of cutMix first. */
  camWarmup: number;
  batchSize: number;
}

export interface ExperimentDataset {
  name: DatasetName;
  description: string;
  side: number;
  network: Network;
  sizes: Sizes;
  quickSizes: Sizes;
  /** Reads one part of it as tensors. */
  load(dir: string, part: 'train' | 'val' | 'teacher' | 'test', sizes: Sizes): Split;
  /** A PNG of the first training images, where they are not Fashion-MNIST's own. */
  samples?(dir: string, sizes: Sizes): Buffer;
  /** Where the object of every student training image lies (top, left, side per image), where the dataset knows. */
  objectBoxes?(dir: string, sizes: Sizes): Int32Array;
}

/** The records of the source files each part takes. */
function range(part: 'train' | 'val' | 'teacher' | 'test', sizes: Sizes): { split: 'train' | 'test'; start: number; count: number } {
  switch (part) {
    case 'train':
      return { split: 'train', start: 0, count: sizes.train };
    case 'teacher':
      return { split: 'train', start: sizes.train, count: sizes.teacher };
    case 'val':
      return { split: 'train', start: -sizes.val, count: sizes.val };
    case 'test':
      return { split: 'test', start: 0, count: sizes.test };
  }
}

function read(dir: string, part: 'train' | 'val' | 'teacher' | 'test', sizes: Sizes): GreyImages {
  const { split, start, count } = range(part, sizes);
  const { pixels, labels, total } = readFashionMnist(dir, split, { start, count });
  if (split === 'train' && sizes.train + sizes.teacher + sizes.val > total) {
    throw new Error(`train ${sizes.train} + teacher ${sizes.teacher} + val ${sizes.val} images exceed the ${total} of the training files: the parts must not overlap.`);
  }
  return { pixels, labels, count: labels.length, side: 28 };
}

const toSplit = ({ pixels, labels, count, side }: GreyImages): Split => ({ images: tf.tensor4d(pixels, [count, side, side, 1]), labels: tf.tensor1d(labels, 'int32') });

const cluttered = (dir: string, part: 'train' | 'val' | 'teacher' | 'test', sizes: Sizes, count?: number) => makeCluttered(read(dir, part, sizes), { seed: `clutter-${part}` }, 0, count);

const QUICK: Sizes = { train: 64, val: 32, teacher: 64, teacherEpochs: 1, test: 32, epochs: 2, testEvery: 1, camWarmup: 1, batchSize: 32 };

export const FASHION_MNIST: ExperimentDataset = {
  name: 'fashion-mnist',
  description: 'Fashion-MNIST (Debian dataset-fashion-mnist), 28 × 28 grey',
  side: 28,
  network: { stages: [[8], [16, 16], [32, 32]], pooling: 'avg', batchNorm: true, learningRate: 0.003, schedule: 'cosine' },
  sizes: { train: 4000, val: 2000, teacher: 54_000, teacherEpochs: 10, test: 10_000, epochs: 30, testEvery: 5, camWarmup: 6, batchSize: 64 },
  quickSizes: QUICK,
  load: (dir, part, sizes) => toSplit(read(dir, part, sizes)),
};

export const FASHION_MNIST_CLUTTER: ExperimentDataset = {
  name: 'fashion-mnist-clutter',
  description: `Fashion-MNIST in clutter (examples/training/clutter.ts), ${CLUTTER_DEFAULTS.side} × ${CLUTTER_DEFAULTS.side} grey: each garment scaled by ${CLUTTER_DEFAULTS.scale.join('–')} at a random place among ${CLUTTER_DEFAULTS.fragments} fragments of other garments of its split`,
  side: CLUTTER_DEFAULTS.side,
  network: { stages: [[8], [16, 16], [32, 32]], pooling: 'avg', batchNorm: true, learningRate: 0.003, schedule: 'cosine' },
  sizes: { train: 4000, val: 2000, teacher: 54_000, teacherEpochs: 10, test: 10_000, epochs: 30, testEvery: 5, camWarmup: 6, batchSize: 64 },
  quickSizes: QUICK,
  load: (dir, part, sizes) => toSplit(cluttered(dir, part, sizes)),
  samples: (dir, sizes) => samplesSheet(cluttered(dir, 'train', sizes, 24)),
  objectBoxes: (dir, sizes) => cluttered(dir, 'train', sizes).boxes,
};

export const DATASET_BY_NAME: Record<DatasetName, ExperimentDataset> = { 'fashion-mnist': FASHION_MNIST, 'fashion-mnist-clutter': FASHION_MNIST_CLUTTER };
