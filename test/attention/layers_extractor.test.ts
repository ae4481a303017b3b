// loadAttentionExtractor and listFeatureNodes on layers models (Keras format, tfjs-layers):
// from files, from an IOHandler, and from a tf.LayersModel object such as the model being trained.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listFeatureNodes, loadAttentionExtractor } from '../../src/index.js';
import { serveFolder } from '../support/serve.js';

const fixture = resolve(import.meta.dirname, '../fixtures/models/keras-cnn');
const kerasJson = join(fixture, 'model.json');
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

type LayersJson = { format?: string; modelTopology: Record<string, unknown>; weightsManifest: { paths: string[]; weights: { name: string }[] }[] } & Record<string, unknown>;
const original = (): LayersJson => JSON.parse(readFileSync(kerasJson, 'utf8'));
const weightData = () => {
  const bytes = readFileSync(join(fixture, 'group1-shard1of1.bin'));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
};
const artifactsOf = (json: LayersJson): tf.io.ModelArtifacts => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights as tf.io.WeightsManifestEntry[], weightData: weightData() });

/** The fixture as tfjs-layers loads it, for the user's-own-model cases. */
const loadFixture = () => tfl.loadLayersModel({ load: async () => artifactsOf(original()) });

/** What the extractor should give, computed with tfjs-layers' own API: the model cut at `layer`, its output averaged over channels. */
function expectedMap(model: tfl.LayersModel, layer: string, images: tf.Tensor4D, normalize: (x: tf.Tensor4D) => tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const cut = tfl.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tfl.SymbolicTensor });
    return tf.mean(cut.predict(normalize(images)) as tf.Tensor4D, 3) as tf.Tensor3D;
  });
}
const imagenet = (x: tf.Tensor4D) => tf.div(tf.sub(x, IMAGENET.mean), IMAGENET.std) as tf.Tensor4D;

describe('loadAttentionExtractor: layers models', () => {
  let server: Awaited<ReturnType<typeof serveFolder>>;
  let baseUrl: string;
  let scratch: string;

  beforeAll(async () => {
    server = await serveFolder(join(fixture, '..'));
    baseUrl = server.url;
    scratch = mkdtempSync(join(tmpdir(), 'attentive-cutmix-layers-'));
  });

  afterAll(() => {
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A copy of the fixture whose model.json is `change`d; returns its path. */
  function changed(name: string, change: (json: LayersJson) => void): string {
    const dir = join(scratch, name);
    cpSync(fixture, dir, { recursive: true });
    const json = original();
    change(json);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    return join(dir, 'model.json');
  }

  it('takes the last spatial layer by default and computes its channel mean, as tfjs-layers computes the layer', async () => {
    const extractor = await loadAttentionExtractor(kerasJson);
    expect([extractor.format, extractor.featureNode, extractor.inputSize, extractor.normalization]).toEqual(['layers-model', 'features', [32, 32], 'imagenet']);
    const model = await loadFixture();
    const images = tf.randomUniform([3, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const [map, expected] = [extractor.extract(images), expectedMap(model, 'features', images, imagenet)];
    expect(map.shape).toEqual([3, 16, 16]);
    const [got, want] = [await map.data(), await expected.data()];
    want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    tf.dispose([images, map, expected]);
    extractor.dispose();
    model.dispose();
  });

  it('lists its spatial layers with their classes and shapes', async () => {
    expect(await listFeatureNodes(kerasJson)).toEqual([
      { name: 'conv1', shortName: 'conv1', op: 'Conv2D', shape: [1, 32, 32, 4] },
      { name: 'pool1', shortName: 'pool1', op: 'MaxPooling2D', shape: [1, 16, 16, 4] },
      { name: 'features', shortName: 'features', op: 'Conv2D', shape: [1, 16, 16, 8] },
    ]);
  });

  it('gives the same maps from a path, a file:// URL, an http URL, an IOHandler, older Keras files and the LayersModel itself', async () => {
    const noFormat = changed('no-format', (json) => void delete json.format);
    // As Keras in Python writes it: no format, the model config under model_config.
    const python = changed('python-keras', (json) => {
      delete json.format;
      json.modelTopology = { keras_version: '2.2.4', backend: 'tensorflow', model_config: json.modelTopology };
    });
    const model = await loadFixture();
    const sources = [kerasJson, pathToFileURL(kerasJson).href, `${baseUrl}/keras-cnn/model.json`, { load: async () => artifactsOf(original()) }, noFormat, python, model];
    const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    const maps: Float32Array[] = [];
    for (const source of sources) {
      const extractor = await loadAttentionExtractor(source);
      expect(extractor.format).toBe('layers-model');
      const map = extractor.extract(images);
      maps.push((await map.data()) as Float32Array);
      map.dispose();
      extractor.dispose();
    }
    for (const m of maps) expect(m).toEqual(maps[0]);
    tf.dispose(images);
    model.dispose();
  });

  it('uses a LayersModel as it is: its weights shared, inference mode, the model left to its owner', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({ name: 'conv', inputShape: [8, 8, 1], filters: 2, kernelSize: 1, useBias: false }),
        tfl.layers.dropout({ name: 'drop', rate: 0.9 }),
        tfl.layers.conv2d({ name: 'features', filters: 2, kernelSize: 1, useBias: false }),
        tfl.layers.globalAveragePooling2d({ name: 'gap' }),
        tfl.layers.dense({ name: 'logits', units: 3 }),
      ],
    });
    model.getLayer('conv').setWeights([tf.tensor4d([1, 2], [1, 1, 1, 2])]);
    model.getLayer('features').setWeights([tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2])]);
    const extractor = await loadAttentionExtractor(model, { normalization: 'unit' });
    expect([extractor.featureNode, extractor.model]).toEqual(['features', model]);
    const images = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
    const first = extractor.extract(images);
    const again = extractor.extract(images);
    // Dropout at rate 0.9 would change every call in training mode; in inference it does nothing:
    // the map is the mean of the two channels (x·1, x·2), 1.5·x.
    expect(await again.data()).toEqual(await first.data());
    const expected = await tf.mul(tf.squeeze(images, [3]), 1.5).data();
    (await first.data()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    model.getLayer('conv').setWeights([tf.tensor4d([3, 3], [1, 1, 1, 2])]); // training moves the weights: the maps follow
    const moved = extractor.extract(images);
    (await moved.data()).forEach((v, i) => expect(v).toBeCloseTo(3 * (expected[i]! / 1.5), 5));
    extractor.dispose();
    expect((model.predict(images) as tf.Tensor).shape).toEqual([2, 3]); // still the user's, and alive
    tf.dispose([images, first, again, moved]);
    model.dispose();
  });

  it.each([
    ['Rescaling(1/255)', 'pixels', [{ scale: 1 / 255 }], "Rescaling 'r0': x·0.00392 + 0), from 0–255"],
    ['Rescaling(1/127.5, −1)', 'pixels', [{ scale: 1 / 127.5, offset: -1 }], "Rescaling 'r0': x·0.00784 − 1), from 0–255"],
    ['Rescaling(2, −1)', 'unit', [{ scale: 2, offset: -1 }], "Rescaling 'r0': x·2 − 1), from [0, 1]"],
    ['Rescaling(1/255) then Rescaling(2, −1)', 'pixels', [{ scale: 1 / 255 }, { scale: 2, offset: -1 }], "Rescaling 'r0', Rescaling 'r1': x·0.00784 − 1), from 0–255"],
  ] as const)('finds a model that scales its input itself with %s and feeds it %s', async (_, normalization, rescalings, found) => {
    const model = tfl.sequential({
      layers: [
        ...rescalings.map((r, i) => tfl.layers.rescaling({ name: `r${i}`, ...r, ...(i === 0 ? { inputShape: [8, 8, 3] } : {}) })),
        tfl.layers.conv2d({ name: 'features', filters: 2, kernelSize: 1 }),
      ],
    });
    const extractor = await loadAttentionExtractor(model);
    expect(extractor.normalization).toBe(normalization);
    expect(extractor.normalizationReason).toContain(`(${found}`);
    extractor.dispose();
    model.dispose();
  });

  it('names layers in its errors: an unknown one with its near names, one without a spatial output with its shape', async () => {
    await expect(loadAttentionExtractor(kerasJson, { featureNode: 'feature' })).rejects.toThrow(/must be the name of a layer of .*keras-cnn\/model.json .*, but got 'feature': no layer has that name \(the nearest: 'features' \[1, 16, 16, 8\]\)/);
    await expect(loadAttentionExtractor(kerasJson, { featureNode: 'gap' })).rejects.toThrow("must be a layer whose output is a spatial map [B, h, w, C] (h, w > 1), but got 'gap', whose output is [1, 8] for one 32×32 image; the last spatial layer is 'features' [1, 16, 16, 8].");
    await expect(loadAttentionExtractor(kerasJson, { inputSize: [64, 64] })).rejects.toThrow(/must be the input size of .*keras-cnn\/model.json, \[32, 32\] \(its input shape is \[null, 32, 32, 3\]\)/);
    const x = tfl.input({ shape: [8, 8, 3] });
    const y = tfl.input({ shape: [8, 8, 3] });
    const twoInputs = tfl.model({ inputs: [x, y], outputs: tfl.layers.add().apply([x, y]) as tfl.SymbolicTensor });
    await expect(loadAttentionExtractor(twoInputs)).rejects.toThrow(/has 2 inputs; an attention extractor needs a model with one image input/);
    twoInputs.dispose();
  });

  it('refuses a layers model tfjs-layers cannot build, leaving no tensor or variable behind', async () => {
    const before = tf.memory().numTensors;
    const unknownLayer = changed('lambda', (json) => {
      const layers = (json.modelTopology as { config: { layers: { class_name: string }[] } }).config.layers;
      layers[2]!.class_name = 'Lambda';
    });
    await expect(loadAttentionExtractor(unknownLayer)).rejects.toThrow(/The layers model .*lambda\/model.json could not be built by tfjs-layers: .*Lambda/);
    // The layers are built (their variables made) before the weights are found not to fit.
    const renamed = changed('renamed', (json) => void (json.weightsManifest[0]!.weights[0]!.name = 'elsewhere/kernel'));
    await expect(loadAttentionExtractor(renamed)).rejects.toThrow(/The layers model .*renamed\/model.json could not be built by tfjs-layers/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('verifies layers model files as it does graph model files', async () => {
    const truncated = changed('truncated', () => undefined);
    writeFileSync(join(truncated, '..', 'group1-shard1of1.bin'), Buffer.alloc(100));
    await expect(loadAttentionExtractor(truncated)).rejects.toThrow(/The weight file 'group1-shard1of1.bin' of .*truncated\/model.json holds 100 bytes, but the weights manifest needs 1992: the file is truncated/);
    const outside = changed('outside', (json) => void (json.weightsManifest[0]!.paths = ['../keras-cnn-copy.bin']));
    await expect(loadAttentionExtractor(outside)).rejects.toThrow(/The weight path "..\/keras-cnn-copy.bin" in .*outside\/model.json is not a relative path inside the model's folder/);
    const broken = changed('no-config', (json) => void (json.modelTopology = { class_name: 'Sequential' }));
    await expect(loadAttentionExtractor(broken)).rejects.toThrow(/no-config\/model.json is not a layers model: its modelTopology holds no Keras model config \{ class_name, config \}/);
  });
});
