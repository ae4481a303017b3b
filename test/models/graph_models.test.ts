// Loading graph models (tfjs-converter) through loadAttentionExtractor: from every kind of source
// to the same model, and the files checked before tfjs sees them, each fault an error naming the
// file. The loader as an attack surface is test/hardening/loader_fuzz.test.ts.
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { loadAttentionExtractor } from '../../src/index.js';
import { FIXTURE_MODELS, fixtureArtifacts, fixturePath, fixtureSite } from '../support/fixture_models.js';
import { serveFolder } from '../support/serve.js';

const tinyJson = fixturePath('tiny-cnn');

describe('loading graph models', () => {
  const site = fixtureSite();
  const { scratch } = site;

  it('loads from a path, a file:// URL, an http://127.0.0.1 URL and an IOHandler, to the same extractor', async () => {
    const handler = tf.io.fromMemory(fixtureArtifacts('tiny-cnn'));
    const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const maps: Float32Array[] = [];
    for (const source of [tinyJson, pathToFileURL(tinyJson).href, `${site.url}/tiny-cnn/model.json`, handler]) {
      const extractor = await loadAttentionExtractor(source);
      const map = extractor.extract(images);
      maps.push((await map.data()) as Float32Array);
      map.dispose();
      extractor.dispose();
    }
    for (const m of maps) expect(m).toEqual(maps[0]);
    images.dispose();
  });

  describe('verifies the files before use', () => {
    /** A copy of the tiny-cnn fixture in its own folder, altered by `change`. */
    function brokenModel(name: string, change: (dir: string, json: { weightsManifest: { paths: string[] }[] } & Record<string, unknown>) => unknown): string {
      const dir = join(scratch, name, 'model');
      cpSync(join(FIXTURE_MODELS, 'tiny-cnn'), dir, { recursive: true });
      const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
      const written = change(dir, json);
      if (written !== false) writeFileSync(join(dir, 'model.json'), typeof written === 'string' ? written : JSON.stringify(json));
      return join(dir, 'model.json');
    }

    const outsideBin = () => {
      // A valid weight file outside the model's folder: it must never be read.
      const path = join(scratch, 'outside.bin');
      cpSync(join(FIXTURE_MODELS, 'tiny-cnn/group1-shard1of1.bin'), path);
      return path;
    };

    it.each([
      ['a missing model.json', () => join(scratch, 'nowhere/model.json'), /Cannot read the model file .*nowhere\/model.json: ENOENT/],
      ['model.json that is not JSON', () => brokenModel('not-json', () => '{ "format": "graph-model", '), /The model file .*not-json\/model\/model.json is not valid JSON/],
      ['a graph said to be a layers model', () => brokenModel('layers', (_, json) => void (json.format = 'layers-model')), /layers\/model\/model.json is not a layers model: its modelTopology holds no Keras model config/],
      ['another format', () => brokenModel('saved', (_, json) => void (json.format = 'saved-model')), /is a 'saved-model', not a 'graph-model' or 'layers-model'/],
      ['JSON without a graph', () => brokenModel('no-graph', (_, json) => void delete json.modelTopology), /no-graph\/model\/model.json is not a graph model: modelTopology.node/],
      ['JSON of neither kind', () => brokenModel('neither', (_, json) => void ((json.modelTopology = { layers: [] }), delete json.format)), /neither\/model\/model.json is not a TensorFlow.js model: its modelTopology has neither graph nodes/],
      ['a missing weight file', () => brokenModel('missing-weights', (dir) => (rmSync(join(dir, 'group1-shard1of1.bin')), false)), /Cannot read the weight file 'group1-shard1of1.bin' of .*missing-weights/],
      ['a truncated weight file', () => brokenModel('short', (dir) => (writeFileSync(join(dir, 'group1-shard1of1.bin'), Buffer.alloc(100)), false)), /The weight file 'group1-shard1of1.bin' of .*short\/model\/model.json holds 100 bytes, but the weights manifest needs 2184/],
      ['a ../ weight path', () => brokenModel('dotdot', (_, json) => (outsideBin(), void (json.weightsManifest[0]!.paths = ['../../outside.bin']))), /The weight path "..\/..\/outside.bin" in .*dotdot.* is not a relative path inside the model's folder/],
      ['an absolute weight path', () => brokenModel('absolute', (_, json) => void (json.weightsManifest[0]!.paths = [outsideBin()])), /The weight path ".*outside.bin" in .*absolute.* is not a relative path/],
      ['a URL weight path', () => brokenModel('url', (_, json) => void (json.weightsManifest[0]!.paths = ['file:///etc/passwd'])), /The weight path "file:\/\/\/etc\/passwd"/],
      ['a link that leaves the folder', () => brokenModel('link', (dir, json) => (symlinkSync(outsideBin(), join(dir, 'linked.bin')), void (json.weightsManifest[0]!.paths = ['linked.bin']))), /The weight file 'linked.bin' of .*link.* resolves to .*outside.bin, outside the model's folder/],
    ])('refuses %s with an error naming the file', async (_, makeSource, pattern) => {
      const before = tf.memory().numTensors;
      await expect(loadAttentionExtractor(makeSource())).rejects.toThrow(pattern);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('refuses over HTTP a missing model, a weight path leaving the folder, and a missing weight file', async () => {
      await expect(loadAttentionExtractor(`${site.url}/nothing/model.json`)).rejects.toThrow(/Cannot fetch the model file http:\/\/127.0.0.1:\d+\/nothing\/model.json: HTTP 404/);
      // Served from the scratch folder through a second server: a '..' path and a missing file.
      const files = await serveFolder(scratch);
      const { url } = files;
      brokenModel('http-dotdot', (_, json) => void (json.weightsManifest[0]!.paths = ['%2e%2e/%2e%2e/outside.bin']));
      brokenModel('http-missing', (dir) => (rmSync(join(dir, 'group1-shard1of1.bin')), false));
      await expect(loadAttentionExtractor(`${url}/http-dotdot/model/model.json`)).rejects.toThrow(/The weight path "%2e%2e\/%2e%2e\/outside.bin" .* is not a relative path inside the model's folder/);
      await expect(loadAttentionExtractor(`${url}/http-missing/model/model.json`)).rejects.toThrow(/Cannot fetch the weight file http:\/\/127.0.0.1:\d+\/http-missing\/model\/group1-shard1of1.bin: HTTP 404/);
      files.close();
    });

    it('refuses an IOHandler whose weight data is shorter than its specs', async () => {
      const handler = tf.io.fromMemory({ ...fixtureArtifacts('tiny-cnn'), weightData: new ArrayBuffer(64) });
      await expect(loadAttentionExtractor(handler)).rejects.toThrow(/The weight file 'its weight data' of the IOHandler passed as source holds 64 bytes, but the weights manifest needs 2184/);
    });
  });
});
