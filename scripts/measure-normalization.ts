// How much the normalisation changes where a pretrained model attends: on real photographs, the
// top 6 of 7×7 cells of a model's feature map (as attentiveCutMix ranks them) under the
// normalisation the loader finds in the model, and under the others. Not a test: it needs the
// data `node scripts/real-data.mjs` prepares in .cache/real-data/.
//
//   npx tsx scripts/measure-normalization.ts
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

import { type Normalization, attentiveCutMix, loadAttentionExtractor } from '../src/index.js';
import { data, loadPhotos, resized } from './real_photos.js';

const TOP = 6;
const NAMED: Normalization[] = ['unit', 'pixels', 'symmetric', 'imagenet'];

await tf.setBackend('wasm');
tf.env().set('PROD', true);
const photos = loadPhotos();

/** The cells attentiveCutMix pastes from each photo (its partner, with flip on a batch of two copies). */
function topCells(extractor: Parameters<typeof attentiveCutMix>[2], image: tf.Tensor4D): number[] {
  return tf.tidy(() => {
    const pair = tf.concat([image, image]) as tf.Tensor4D;
    const { cells } = attentiveCutMix(pair, [0, 1], extractor, { numClasses: 2, grid: 7, topN: TOP, partner: 'roll' });
    return Array.from(cells.dataSync()).slice(0, TOP);
  });
}

for (const folder of ['mobilenet_v2_mid', 'mobilenet_v2']) {
  const file = join(data, 'models', folder, 'model.json');
  const found = await loadAttentionExtractor(file);
  console.log(`\n${folder}: ${found.format}, ${found.featureNode}; found '${found.normalization}': ${found.normalizationReason}`);
  const images = photos.map((p) => resized(p, found.inputSize[0]));
  const scaled = images.map((x) => tf.div(x, 255) as tf.Tensor4D); // [0, 1] float32, as training images usually are
  const reference = scaled.map((x) => topCells(found, x));
  for (const normalization of NAMED.filter((n) => n !== found.normalization)) {
    const other = await loadAttentionExtractor(file, { normalization });
    const cells = scaled.map((x) => topCells(other, x));
    const shared = cells.map((c, i) => c.filter((j) => reference[i]!.includes(j)).length);
    const differ = shared.filter((n) => n < TOP).length;
    const mean = shared.reduce((a, b) => a + b, 0) / shared.length;
    console.log(`  '${normalization}' instead: other top ${TOP} cells on ${differ} of ${photos.length} photos; ${mean.toFixed(2)} of ${TOP} shared on average`);
    other.dispose();
  }
  found.dispose();
  tf.dispose([...images, ...scaled]);
}
