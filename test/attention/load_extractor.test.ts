// loadAttentionExtractor and listFeatureNodes on graph models (tfjs-converter): the feature map,
// the node it is taken from, the normalisation, the input size. How the files are read and
// checked is test/models/graph_models.test.ts.
import { loadGraphModelSync } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { NORMALIZATION_NAMES, attentiveCutMix, listFeatureNodes, loadAttentionExtractor } from '../../src/index.js';
import { fixtureArtifacts, fixturePath } from '../support/fixture_models.js';
import { read } from '../support/tensors.js';

const brightnessJson = fixturePath('brightness');
const tinyJson = fixturePath('tiny-cnn');
const scaledJson = fixturePath('scaled-brightness');

/** Expected brightness-model map: per 4×4 block, the mean over pixels and channels of the normalised image. */
function blockBrightness(image: number[][][], normalise: (v: number, c: number) => number): number[][] {
  return Array.from({ length: 8 }, (_, r) =>
    Array.from({ length: 8 }, (_, c) => {
      let total = 0;
      for (let y = 4 * r; y < 4 * r + 4; y++) for (let x = 4 * c; x < 4 * c + 4; x++) for (let k = 0; k < 3; k++) total += normalise(image[y]![x]![k]!, k);
      return total / 48;
    }),
  );
}

async function expectMapClose(map: tf.Tensor, expected: number[][][]) {
  const got = (await read<number[][][]>(map)).flat(2);
  expected.flat(2).forEach((v, i) => expect(got[i]).toBeCloseTo(v, 4));
}

describe('loadAttentionExtractor: graph models', () => {
  it('computes the feature map of the named node, averaged over channels', async () => {
    const extractor = await loadAttentionExtractor(brightnessJson, { featureNode: 'cells/AvgPool', normalization: 'unit' });
    const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const map = extractor.extract(images);
    expect(map.shape).toEqual([2, 8, 8]);
    const pixels = await read<number[][][][]>(images);
    await expectMapClose(map, pixels.map((im) => blockBrightness(im, (v) => v)));
    tf.dispose([images, map]);
    extractor.dispose();
  });

  it.each([
    ['symmetric', (v: number) => 2 * v - 1],
    ['imagenet', (v: number, c: number) => (v - [0.485, 0.456, 0.406][c]!) / [0.229, 0.224, 0.225][c]!],
    [{ mean: [0.1, 0.2, 0.3], std: 2 }, (v: number, c: number) => (v - [0.1, 0.2, 0.3][c]!) / 2],
  ] as const)('normalises with %j', async (normalization, normalise) => {
    const extractor = await loadAttentionExtractor(brightnessJson, { featureNode: 'cells/AvgPool', normalization });
    const images = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const map = extractor.extract(images);
    await expectMapClose(map, [blockBrightness((await read<number[][][][]>(images))[0]!, normalise)]);
    tf.dispose([images, map]);
    extractor.dispose();
  });

  it('names every named normalisation in NORMALIZATION_NAMES, frozen, and takes each of them', async () => {
    expect(NORMALIZATION_NAMES).toEqual(['imagenet', 'unit', 'pixels', 'symmetric']);
    expect(Object.isFrozen(NORMALIZATION_NAMES)).toBe(true);
    for (const normalization of NORMALIZATION_NAMES) {
      const extractor = await loadAttentionExtractor(brightnessJson, { featureNode: 'cells/AvgPool', normalization });
      expect(extractor.normalization).toBe(normalization);
      extractor.dispose();
    }
  });

  it('scales int32 images from [0, 255] and resizes other sizes to the input size (bilinear)', async () => {
    const extractor = await loadAttentionExtractor(brightnessJson, { featureNode: 'cells/AvgPool', normalization: 'unit' });
    const bytes = tf.randomUniform([1, 32, 32, 3], 0, 256, 'int32', 5) as tf.Tensor4D;
    const map = extractor.extract(bytes);
    await expectMapClose(map, [blockBrightness((await read<number[][][][]>(bytes))[0]!, (v) => v / 255)]);
    // A 64 × 64 image made of 2 × 2 copies of each pixel resizes (bilinear, half-pixel) back to the 32 × 32 one.
    const small = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const large = tf.image.resizeNearestNeighbor(small, [64, 64]);
    const fromLarge = extractor.extract(large);
    const fromSmall = extractor.extract(small);
    await expectMapClose(fromLarge, await read<number[][][]>(fromSmall));
    tf.dispose([bytes, map, small, large, fromLarge, fromSmall]);
    extractor.dispose();
  });

  it("defaults to the last spatial node and lists every candidate with its shape", async () => {
    const nodes = await listFeatureNodes(tinyJson);
    expect(nodes.map((n) => n.name)).toEqual([
      'block1/Conv2D',
      'block1/BiasAdd',
      'block1/Relu',
      'block1/AvgPool',
      'block2/Conv2D',
      'block2/Relu',
      'block2/AvgPool',
      'block3/Conv2D',
      'block3/Relu',
    ]);
    expect(nodes.at(-1)).toEqual({ name: 'block3/Relu', shortName: 'block3/Relu', op: 'Relu', shape: [1, 8, 8, 8] });
    expect(nodes.find((n) => n.name === 'block1/BiasAdd')?.shortName).toBe('BiasAdd'); // the one node ending so
    const extractor = await loadAttentionExtractor(tinyJson);
    expect([extractor.featureNode, extractor.inputSize]).toEqual(['block3/Relu', [32, 32]]);
    extractor.dispose();
  });

  it('refuses a feature node that is not a spatial map, saying what its output is', async () => {
    const before = tf.memory().numTensors;
    await expect(loadAttentionExtractor(tinyJson, { featureNode: 'head/MatMul' })).rejects.toThrow(
      "Argument 'options.featureNode' passed to 'loadAttentionExtractor' must be a node whose output is a spatial map [B, h, w, C] (h, w > 1), but got 'MatMul', whose output is [1, 10] for one 32×32 image; the last spatial node is 'block3/Relu' [1, 8, 8, 8].",
    );
    expect(tf.memory().numTensors).toBe(before); // the model was disposed
  });

  it('finds a node by the end of its name, and lists the matches of an ambiguous end', async () => {
    const extractor = await loadAttentionExtractor(tinyJson, { featureNode: 'block2/AvgPool' });
    expect(extractor.featureNode).toBe('block2/AvgPool');
    extractor.dispose();
    const bySuffix = await loadAttentionExtractor(tinyJson, { featureNode: 'Relu' }).catch((e: Error) => e);
    expect((bySuffix as Error).message).toBe(
      `Argument 'options.featureNode' passed to 'loadAttentionExtractor' must be the name of one node of ${tinyJson}, or the end of only one, but got 'Relu', the end of 3 names ('block1/Relu' [1, 32, 32, 4], 'block2/Relu' [1, 16, 16, 8], 'block3/Relu' [1, 8, 8, 8]).`,
    );
    // Only whole segments count: 'lock3/Relu' is not the end of 'block3/Relu' after a '/'.
    await expect(loadAttentionExtractor(tinyJson, { featureNode: 'lock3/Relu' })).rejects.toThrow(/no node has that name \(the nearest: 'block3\/Relu' \[1, 8, 8, 8\]/);
  });

  it('says that an unknown node does not exist, suggesting at most five near names, in a short message', async () => {
    const error = (await loadAttentionExtractor(tinyJson, { featureNode: 'block3/Rellu' }).catch((e: Error) => e)) as Error;
    expect(error.message).toMatch(/^Argument 'options.featureNode' passed to 'loadAttentionExtractor' must be the name of a node of .*tiny-cnn\/model.json \(or the end of one, after a '\/'\), but got 'block3\/Rellu': no node has that name \(the nearest: 'block3\/Relu' \[1, 8, 8, 8\]/);
    const far = (await loadAttentionExtractor(tinyJson, { featureNode: 'completely/different' }).catch((e: Error) => e)) as Error;
    expect(far.message).toMatch(/but got 'completely\/different': no node has that name\.$/);
    // A model with hundreds of long node names still gets a message of a few lines.
    const many = Array.from({ length: 300 }, (_, i) => `StatefulPartitionedCall/model/stage_${i}/block/conv/Relu`);
    const { findOutput } = await import('../../src/models/feature_names.js');
    const outputs = many.map((name) => ({ name, op: 'Relu', shape: [1, 7, 7, 8] }));
    let message = '';
    try {
      findOutput('loadAttentionExtractor', 'options.featureNode', 'stage_1/block/conv/Relu6', outputs, 'node', 'model.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/no node has that name \(the nearest: 'stage_1\/block\/conv\/Relu' /);
    expect(message.split('the nearest:')[1]!.match(/'stage_\d+\/block\/conv\/Relu' \[1, 7, 7, 8\]/g)).toHaveLength(5);
    expect(message.length).toBeLessThan(1000);
  });

  it('names the model’s input shape when the input size is wrong, and the channels when the batch has others', async () => {
    await expect(loadAttentionExtractor(tinyJson, { inputSize: [64, 64] })).rejects.toThrow(
      `Argument 'options.inputSize' passed to 'loadAttentionExtractor' must be the input size of ${tinyJson}, [32, 32] (its input shape is [-1, 32, 32, 3]), or left out, but got [64, 64].`,
    );
    const extractor = await loadAttentionExtractor(tinyJson);
    const gray = tf.zeros([2, 32, 32, 1]) as tf.Tensor4D;
    expect(() => extractor.extract(gray)).toThrow(`The model ${tinyJson} takes images with 3 channels (its input shape is [-1, 32, 32, 3]), but the batch is [2, 32, 32, 1].`);
    gray.dispose();
    extractor.dispose();
  });

  it('refuses an input size beyond 4096 px a side before running the model at it, given or declared in model.json', async () => {
    const artifacts = fixtureArtifacts('tiny-cnn');
    const nodes = (artifacts.modelTopology as { node: { name: string; attr?: { shape?: { shape: { dim: { size: string }[] } } } }[] }).node;
    nodes.find((n) => n.name === 'input')!.attr!.shape!.shape.dim = ['-1', '30000', '30000', '3'].map((size) => ({ size }));
    const before = tf.memory().numBytes;
    await expect(loadAttentionExtractor({ load: async () => artifacts })).rejects.toThrow(
      "Argument 'options.inputSize' passed to 'loadAttentionExtractor' must be at most 4096 pixels a side (the input shape of the IOHandler passed as source is [-1, 30000, 30000, 3]), but got [30000, 30000].",
    );
    expect(tf.memory().numBytes).toBe(before);
    const flexible = await loadAttentionExtractor(tinyJson).then((e) => e.model); // a GraphModel: reuse it with a size given
    await expect(loadAttentionExtractor(flexible, { inputSize: [5000, 32] })).rejects.toThrow(/must be at most 4096 pixels a side .* but got \[5000, 32\]/);
    (flexible as { dispose(): void }).dispose();
  });

  it('refuses to extract once disposed, saying so', async () => {
    const extractor = await loadAttentionExtractor(tinyJson);
    extractor.dispose();
    extractor.dispose(); // twice is harmless
    const x = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    expect(() => extractor.extract(x)).toThrow(`This attention extractor (node 'block3/Relu' of ${tinyJson}) was disposed; load the model again to extract attention.`);
    x.dispose();
  });

  describe('default normalisation', () => {
    it("finds the scaling a graph does itself before its first convolution, and feeds it [0, 1] ('unit')", async () => {
      const extractor = await loadAttentionExtractor(scaledJson, { featureNode: 'cells/AvgPool' });
      expect([extractor.normalization, extractor.normalizationReason]).toEqual(['unit', 'the model scales its input itself (Mul, Sub: x·2 − 1), from [0, 1] values']);
      const images = tf.randomUniform([1, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
      const map = extractor.extract(images);
      await expectMapClose(map, [blockBrightness((await read<number[][][][]>(images))[0]!, (v) => 2 * v - 1)]);
      tf.dispose([images, map]);
      extractor.dispose();
    });

    it("keeps 'imagenet' for a graph that does not scale its input, saying why", async () => {
      const extractor = await loadAttentionExtractor(tinyJson);
      expect(extractor.normalization).toBe('imagenet');
      expect(extractor.normalizationReason).toMatch(/^no scaling of the input was found inside the model before its first other node, and 'imagenet' is the default .*'symmetric'/);
      extractor.dispose();
    });

    it('uses the normalisation given over the one found, and says it was given', async () => {
      const extractor = await loadAttentionExtractor(scaledJson, { normalization: 'symmetric' });
      expect([extractor.normalization, extractor.normalizationReason]).toEqual(['symmetric', 'given in options.normalization']);
      extractor.dispose();
    });

    it.each([
      ['x/255 − 1', 'Mul', 1 / 255, 'Sub', 'Mul, Sub: x·0.00392 − 1'],
      ['x÷127.5 + 1', 'RealDiv', 127.5, 'AddV2', 'RealDiv, AddV2: x·0.00784 + 1'],
    ])("finds 0–255 scaling (%s) and feeds such a graph 'pixels'", async (_, scaleOp, value, shiftOp, found) => {
      const artifacts = fixtureArtifacts('scaled-brightness');
      const nodes = (artifacts.modelTopology as { node: { name: string; op: string }[] }).node;
      nodes.find((n) => n.name === 'preprocess/Mul')!.op = scaleOp;
      nodes.find((n) => n.name === 'preprocess/Sub')!.op = shiftOp;
      // The scalar weights come first in the weight file, one float each, in manifest order.
      new Float32Array(artifacts.weightData as ArrayBuffer)[artifacts.weightSpecs!.findIndex((w) => w.name === 'preprocess/Mul/y')] = value;
      const extractor = await loadAttentionExtractor({ load: async () => artifacts });
      expect([extractor.normalization, extractor.normalizationReason]).toEqual(['pixels', `the model scales its input itself (${found}), from 0–255 values`]);
      extractor.dispose();
    });
  });

  it('takes a GraphModel the user loaded, and leaves it to the user on dispose', async () => {
    const model = loadGraphModelSync(fixtureArtifacts('tiny-cnn'));
    const fromFiles = await loadAttentionExtractor(tinyJson);
    const fromModel = await loadAttentionExtractor(model);
    expect([fromModel.format, fromModel.featureNode, fromModel.inputSize, fromModel.model]).toEqual(['graph-model', 'block3/Relu', [32, 32], model]);
    const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const [a, b] = [fromFiles.extract(images), fromModel.extract(images)];
    expect(await b.data()).toEqual(await a.data());
    fromModel.dispose();
    const still = model.execute(images, 'block3/Relu') as tf.Tensor; // the user's model works on
    expect(still.shape).toEqual([2, 8, 8, 8]);
    tf.dispose([images, a, b, still]);
    fromFiles.dispose();
    model.dispose();
  });

  it('drives attentiveCutMix, pasting the brightest cells of the partner', async () => {
    const extractor = await loadAttentionExtractor(brightnessJson, { featureNode: 'cells/AvgPool', normalization: 'unit' });
    // Dark images with one bright 4 × 4 block each, at cells 9 and 50 of the 8 × 8 grid.
    const images = tf.tidy(() => {
      const dark = tf.buffer([2, 32, 32, 3]);
      for (const [b, cell] of [[0, 9], [1, 50]] as const) {
        for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let c = 0; c < 3; c++) dark.set(1, b, 4 * Math.floor(cell / 8) + y, 4 * (cell % 8) + x, c);
      }
      return dark.toTensor() as tf.Tensor4D;
    });
    const result = attentiveCutMix(images, [0, 1], extractor, { numClasses: 2, grid: 8, topN: 1, partner: 'flip' });
    expect(await read(result.cells)).toEqual([[50], [9]]);
    tf.dispose([images, result]);
    extractor.dispose();
  });

  it('checks its arguments', async () => {
    await expect(loadAttentionExtractor(42 as unknown as string)).rejects.toThrow(/Argument 'source' passed to 'loadAttentionExtractor' must be a model.json URL or path, a tf.io.IOHandler, a GraphModel or a tf.LayersModel, but got 42/);
    await expect(loadAttentionExtractor(tinyJson, { normalization: 'caffe' as 'unit' })).rejects.toThrow(/Argument 'options.normalization' .* but got 'caffe'/);
    await expect(loadAttentionExtractor(tinyJson, { normalization: { mean: [0], std: [0] } })).rejects.toThrow(/positive stds/);
    await expect(loadAttentionExtractor(tinyJson, { inputSize: [32] as unknown as [number, number] })).rejects.toThrow(/Argument 'options.inputSize' .* must be \[height, width\]/);
    await expect(loadAttentionExtractor(tinyJson, { inputRange: [1, 0] })).rejects.toThrow(/Argument 'options.inputRange' .* lo < hi/);
    await expect(loadAttentionExtractor(tinyJson, { featurenode: 'x' } as object)).rejects.toThrow(/Unknown option 'featurenode' passed to 'loadAttentionExtractor'/);
  });
});
