// Writes the small models the tests load: graph models in the format the TensorFlow.js converter
// produces (model.json with a GraphDef topology, plus one little-endian float32 weight file), and
// a layers model saved by tfjs-layers itself (Keras format). The weights are fixed, so the files
// are reproducible; run `node scripts/make-fixture-models.mjs` after changing this script and
// commit the result under test/fixtures/models/.
import { mkdirSync, writeFileSync } from 'node:fs';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

const b64 = (s) => Buffer.from(s).toString('base64');
const ints = (...v) => ({ list: { i: v.map(String) } });
const shape = (dims) => ({ dim: dims.map((d) => ({ size: String(d) })) });

/** A tiny GraphDef builder: nodes in execution order, weights in manifest order. */
function graph() {
  const nodes = [];
  const weights = [];
  const node = (name, op, input = [], attr = {}) => (nodes.push({ name, op, input, attr }), name);
  return {
    nodes,
    weights,
    input: (name, dims) => node(name, 'Placeholder', [], { dtype: { type: 'DT_FLOAT' }, shape: { shape: shape(dims) } }),
    constant(name, dims, values, dtype = 'float32') {
      weights.push({ name, shape: dims, dtype, values });
      const type = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
      return node(name, 'Const', [], { dtype: { type }, value: { tensor: { dtype: type, tensorShape: shape(dims) } } });
    },
    conv(name, x, kernel, padding = 'SAME') {
      return node(name, 'Conv2D', [x, kernel], {
        T: { type: 'DT_FLOAT' },
        strides: ints(1, 1, 1, 1),
        padding: { s: b64(padding) },
        data_format: { s: b64('NHWC') },
        dilations: ints(1, 1, 1, 1),
      });
    },
    biasAdd: (name, x, bias) => node(name, 'BiasAdd', [x, bias], { T: { type: 'DT_FLOAT' }, data_format: { s: b64('NHWC') } }),
    relu: (name, x) => node(name, 'Relu', [x], { T: { type: 'DT_FLOAT' } }),
    avgPool: (name, x, k) =>
      node(name, 'AvgPool', [x], { T: { type: 'DT_FLOAT' }, ksize: ints(1, k, k, 1), strides: ints(1, k, k, 1), padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') } }),
    mean: (name, x, axes) => node(name, 'Mean', [x, axes], { T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } }),
    mul: (name, x, y) => node(name, 'Mul', [x, y], { T: { type: 'DT_FLOAT' } }),
    sub: (name, x, y) => node(name, 'Sub', [x, y], { T: { type: 'DT_FLOAT' } }),
    matMul: (name, a, b) => node(name, 'MatMul', [a, b], { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } }),
    identity: (name, x) => node(name, 'Identity', [x], { T: { type: 'DT_FLOAT' } }),
  };
}

/** Fixed pseudo-random weights in [-0.5, 0.5) (a linear congruential generator). */
function fixedValues(count, seed) {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  });
}

function write(dir, g) {
  mkdirSync(dir, { recursive: true });
  const bytes = [];
  for (const w of g.weights) {
    const array = w.dtype === 'int32' ? Int32Array.from(w.values) : Float32Array.from(w.values);
    bytes.push(Buffer.from(array.buffer)); // little-endian on every platform tfjs supports
  }
  const model = {
    format: 'graph-model',
    generatedBy: 'attentive-cutmix scripts/make-fixture-models.mjs',
    convertedBy: 'hand-written fixture (TensorFlow.js converter format)',
    modelTopology: { node: g.nodes, library: {}, versions: { producer: 1 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: g.weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  writeFileSync(`${dir}/model.json`, `${JSON.stringify(model, null, 1)}\n`);
  writeFileSync(`${dir}/group1-shard1of1.bin`, Buffer.concat(bytes));
}

// tiny-cnn: a small classifier, 32×32×3 → conv stages at 32, 16 and 8 px → 10 logits.
{
  const g = graph();
  const x = g.input('input', [-1, 32, 32, 3]);
  const c1 = g.relu('block1/Relu', g.biasAdd('block1/BiasAdd', g.conv('block1/Conv2D', x, g.constant('block1/kernel', [3, 3, 3, 4], fixedValues(108, 1))), g.constant('block1/bias', [4], fixedValues(4, 2))));
  const p1 = g.avgPool('block1/AvgPool', c1, 2);
  const c2 = g.relu('block2/Relu', g.conv('block2/Conv2D', p1, g.constant('block2/kernel', [3, 3, 4, 8], fixedValues(288, 3))));
  const p2 = g.avgPool('block2/AvgPool', c2, 2);
  const c3 = g.relu('block3/Relu', g.conv('block3/Conv2D', p2, g.constant('block3/kernel', [1, 1, 8, 8], fixedValues(64, 4))));
  const gap = g.mean('head/Mean', c3, g.constant('head/axes', [2], [1, 2], 'int32'));
  g.identity('Identity', g.matMul('head/MatMul', gap, g.constant('head/kernel', [8, 10], fixedValues(80, 5))));
  write('test/fixtures/models/tiny-cnn', g);
}

// brightness: its 8×8 feature map is the mean brightness of each 4×4 block of a 32×32 input,
// so a test can compute the expected attention by hand.
{
  const g = graph();
  const x = g.input('input', [-1, 32, 32, 3]);
  const brightness = g.conv('brightness/Conv2D', x, g.constant('brightness/kernel', [1, 1, 3, 1], [1 / 3, 1 / 3, 1 / 3]), 'VALID');
  const cells = g.avgPool('cells/AvgPool', brightness, 4);
  const gap = g.mean('head/Mean', cells, g.constant('head/axes', [2], [1, 2], 'int32'));
  g.identity('Identity', gap);
  write('test/fixtures/models/brightness', g);
}

// scaled-brightness: the brightness model behind the in-graph preprocessing of TF-Hub exports
// (x·2 − 1 on [0, 1] input, before the first convolution), so the loader should feed it [0, 1].
{
  const g = graph();
  const x = g.input('input', [-1, 32, 32, 3]);
  const scaled = g.sub('preprocess/Sub', g.mul('preprocess/Mul', x, g.constant('preprocess/Mul/y', [], [2])), g.constant('preprocess/Sub/y', [], [1]));
  const brightness = g.conv('brightness/Conv2D', scaled, g.constant('brightness/kernel', [1, 1, 3, 1], [1 / 3, 1 / 3, 1 / 3]), 'VALID');
  const cells = g.avgPool('cells/AvgPool', brightness, 4);
  const gap = g.mean('head/Mean', cells, g.constant('head/axes', [2], [1, 2], 'int32'));
  g.identity('Identity', gap);
  write('test/fixtures/models/scaled-brightness', g);
}

// keras-cnn: a layers model (Keras format, as tfjs-layers saves it): 32×32×3 → conv stages at 32
// and 16 px → global average pooling → a Dense classifier of 10 classes, as CAM expects.
{
  tf.env().set('PROD', true);
  await tf.setBackend('cpu');
  const model = tfl.sequential({
    name: 'keras_cnn',
    layers: [
      tfl.layers.conv2d({ name: 'conv1', inputShape: [32, 32, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      tfl.layers.conv2d({ name: 'features', filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.globalAveragePooling2d({ name: 'gap' }),
      tfl.layers.dense({ name: 'logits', units: 10 }),
    ],
  });
  let seed = 11;
  model.setWeights(model.getWeights().map((w) => tf.tensor(fixedValues(w.size, seed++), w.shape)));
  const dir = 'test/fixtures/models/keras-cnn';
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      mkdirSync(dir, { recursive: true });
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: 'attentive-cutmix scripts/make-fixture-models.mjs',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(`${dir}/model.json`, `${JSON.stringify(json, null, 1)}\n`);
      writeFileSync(`${dir}/group1-shard1of1.bin`, Buffer.from(artifacts.weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}
