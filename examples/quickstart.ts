// The smallest use of the library: mix a batch of generated images with attentiveCutMix, cutMix
// and mixup on the cpu backend and print what happened to each sample. Run with `npx tsx examples/quickstart.ts`.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { attentiveCutMix, createRng, cutMix, mixup, saliencyExtractor } from 'attentive-cutmix';

const CLASSES = ['red square', 'green square', 'blue square', 'yellow square'];

/** A 32×32 image of one coloured square on a grey background. */
function squareImage(color: [number, number, number], top: number, left: number): tf.Tensor3D {
  return tf.tidy(() => {
    const rows = tf.reshape(tf.range(0, 32), [32, 1, 1]);
    const cols = tf.reshape(tf.range(0, 32), [1, 32, 1]);
    const inside = tf.logicalAnd(
      tf.logicalAnd(tf.greaterEqual(rows, top), tf.less(rows, top + 12)),
      tf.logicalAnd(tf.greaterEqual(cols, left), tf.less(cols, left + 12)),
    );
    return tf.where(tf.tile(inside, [1, 1, 3]), tf.mul(tf.ones([32, 32, 3]), tf.tensor1d(color)), tf.fill([32, 32, 3], 0.5)) as tf.Tensor3D;
  });
}

tf.env().set('PROD', true);
await tf.setBackend('cpu');

const images = tf.tidy(() =>
  tf.stack([squareImage([1, 0, 0], 2, 2), squareImage([0, 1, 0], 18, 4), squareImage([0, 0, 1], 10, 10), squareImage([1, 1, 0], 4, 18)]),
) as tf.Tensor4D;
const labels = tf.tensor1d([0, 1, 2, 3], 'int32');
const rng = createRng(7); // one seeded stream: reproducible, yet every call draws anew

const describeRow = (row: number[]) =>
  row.map((p, k) => [p, CLASSES[k]] as const).filter(([p]) => p > 0).map(([p, name]) => `${(100 * p).toFixed(1)}% ${name}`).join(' + ');

for (const [name, result] of [
  ['attentiveCutMix (built-in saliency, 4 × 4 grid, top 2 cells)', attentiveCutMix(images, labels, saliencyExtractor(), { numClasses: 4, seed: rng, grid: 4, topN: 2 })],
  ['cutMix', cutMix(images, labels, { numClasses: 4, seed: rng, mode: 'elem' })],
  ['mixup', mixup(images, labels, { numClasses: 4, seed: rng, mode: 'elem', alpha: 0.4 })],
] as const) {
  console.log(`\n${name}:`);
  const [lambda, partners, mixed] = [result.lambda.arraySync(), result.partners.arraySync(), result.labels.arraySync()];
  const boxes = 'boxes' in result ? result.boxes.arraySync() : undefined;
  const cells = 'cells' in result ? result.cells.arraySync() : undefined;
  lambda.forEach((lam, i) => {
    const where = boxes ? `  box [y0, x0, y1, x1] = [${boxes[i]!.join(', ')}]` : cells ? `  cells [${cells[i]!.join(', ')}]` : '';
    console.log(`  sample ${i}: partner ${partners[i]}, lambda ${lam.toFixed(4)}${where}\n    label: ${describeRow(mixed[i]!)}`);
  });
  tf.dispose(result);
}
tf.dispose([images, labels]);
console.log(`\ntensors still allocated: ${tf.memory().numTensors}`);
