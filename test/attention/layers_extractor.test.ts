// loadAttentionExtractor and listFeatureNodes on layers models (Keras format, tfjs-layers): the
// feature map, the layers listed, a tf.LayersModel (such as the model being trained) used as it is,
// the normalisation found. How the files are read and checked is test/models/layers_models.test.ts.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { listFeatureNodes, loadAttentionExtractor } from '../../src/index.js';
import { fixtureArtifacts, fixturePath } from '../support/fixture_models.js';

const kerasJson = fixturePath('keras-cnn');
const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** What the extractor should give, computed with tfjs-layers' own API: the model cut at `layer`, its output averaged over channels. */
function expectedMap(model: tfl.LayersModel, layer: string, images: tf.Tensor4D, normalize: (x: tf.Tensor4D) => tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const cut = tfl.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tfl.SymbolicTensor });
    return tf.mean(cut.predict(normalize(images)) as tf.Tensor4D, 3) as tf.Tensor3D;
  });
}
const imagenet = (x: tf.Tensor4D) => tf.div(tf.sub(x, IMAGENET.mean), IMAGENET.std) as tf.Tensor4D;

describe('loadAttentionExtractor: layers models', () => {
  it('takes the last spatial layer by default and computes its channel mean, as tfjs-layers computes the layer', async () => {
    const extractor = await loadAttentionExtractor(kerasJson);
    expect([extractor.format, extractor.featureNode, extractor.inputSize, extractor.normalization]).toEqual(['layers-model', 'features', [32, 32], 'imagenet']);
    const model = await tfl.loadLayersModel({ load: async () => fixtureArtifacts('keras-cnn') });
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
});
