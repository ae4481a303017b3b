// Loading layers models (Keras format, tfjs-layers) through loadAttentionExtractor: from every kind
// of source (older Keras files too) to the same model, a model tfjs-layers cannot build refused
// with nothing left behind, and the files checked as graph models' are. The loader as an attack
// surface is test/hardening/layers_loader_fuzz.test.ts.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { loadAttentionExtractor } from '../../src/index.js';
import { FIXTURE_MODELS, type FixtureModelJson, fixtureArtifacts, fixtureJson, fixturePath, fixtureSite } from '../support/fixture_models.js';

const kerasJson = fixturePath('keras-cnn');

describe('loading layers models', () => {
  const site = fixtureSite();
  const { scratch } = site;

  /** A copy of the fixture whose model.json is `change`d; returns its path. */
  function changed(name: string, change: (json: FixtureModelJson) => void): string {
    const dir = join(scratch, name);
    cpSync(join(FIXTURE_MODELS, 'keras-cnn'), dir, { recursive: true });
    const json = fixtureJson('keras-cnn');
    change(json);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    return join(dir, 'model.json');
  }

  it('gives the same maps from a path, a file:// URL, an http URL, an IOHandler, older Keras files and the LayersModel itself', async () => {
    const noFormat = changed('no-format', (json) => void delete json.format);
    // As Keras in Python writes it: no format, the model config under model_config.
    const python = changed('python-keras', (json) => {
      delete json.format;
      json.modelTopology = { keras_version: '2.2.4', backend: 'tensorflow', model_config: json.modelTopology };
    });
    const model = await tfl.loadLayersModel({ load: async () => fixtureArtifacts('keras-cnn') });
    const sources = [kerasJson, pathToFileURL(kerasJson).href, `${site.url}/keras-cnn/model.json`, { load: async () => fixtureArtifacts('keras-cnn') }, noFormat, python, model];
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
