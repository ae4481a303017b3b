// The layers-model loader (Keras format, built by tfjs-layers) as an attack surface, held to the
// promises of the graph loader (loader_fuzz.test.ts, same harness): whatever model.json, its Keras
// topology, its manifest and the weight files hold, loading ends in a model or in a clear Error
// naming model.json; no unhandled rejection, no tensor or variable left behind (also when
// tfjs-layers itself refuses the topology or the weights, after building some layers), nothing
// opened outside the model's folder, and nothing large allocated before it has been checked:
// neither from a declared file size nor from the sizes of the layers the topology declares.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import '../support/backend.js'; // the cpu backend (this file runs in the host project)
// Loaded now, so that the loader's dynamic import of it reads no module file while the spy records.
import '@tensorflow/tfjs-layers';
import { loadAttentionExtractor } from '../../src/index.js';
import { type FixtureJson, PATH_SEGMENTS, UNSAFE_WEIGHT_PATHS, WEIGHTS, loaderHarness, scratchServer } from '../support/loader_harness.js';

const SEED = 20_250_607;
/** keras-cnn's weights: conv1 3·3·3·4 + 4, features 3·3·4·8 + 8, logits 8·10 + 10 floats. */
const WEIGHT_BYTES = 1992;

type LayerJson = { class_name: unknown; config: Record<string, unknown> };
type KerasJson = FixtureJson & { modelTopology: { class_name: string; config: { name: string; layers: LayerJson[] } } & Record<string, unknown> };
const harness = loaderHarness<KerasJson>('keras-cnn');
const { fixture, scratch, opened, original, freshDir, model, attempt, expectRefused, weights, weight } = harness;

const layer = (json: KerasJson, name: string) => json.modelTopology.config.layers.find((l) => l.config.name === name)!;
/** As Keras in Python writes it: no format, the model config under model_config. */
const pythonKeras = (json: KerasJson) => {
  delete json.format;
  json.modelTopology = { keras_version: '2.2.4', backend: 'tensorflow', model_config: json.modelTopology } as never;
};

it('records what the loader opens (the spy works)', async () => {
  opened.length = 0;
  const extractor = await loadAttentionExtractor(join(fixture, 'model.json'));
  expect(extractor.format).toBe('layers-model');
  extractor.dispose();
  expect(opened).toEqual([join(fixture, 'model.json'), realpathSync(join(fixture, WEIGHTS))]);
});

describe('model.json', () => {
  it.each<[string, (dir: string, json: KerasJson) => string | Buffer | void, RegExp]>([
    ['cut in half', () => JSON.stringify(original()).slice(0, 2000), /is not valid JSON/],
    ['null', () => 'null', /is not a TensorFlow.js model: expected a JSON object/],
    ['an unknown format', (_, json) => void (json.format = 'keras-model'), /is a 'keras-model', not a 'graph-model' or 'layers-model'/],
    ['a layers model without a model config', (_, json) => void (json.modelTopology = { class_name: 'Sequential' } as never), /is not a layers model: its modelTopology holds no Keras model config \{ class_name, config \}/],
    ['a layers model whose class_name is a number', (_, json) => void (json.modelTopology.class_name = 7 as never), /is not a layers model: .* \(got \{"class_name":7,/],
    ['a layers model whose model_config is null', (_, json) => void (json.modelTopology.model_config = null), /is not a layers model: .* \(got null\)/],
    ['a layers model whose config is a list', (_, json) => void (json.modelTopology.config = [] as never), /is not a layers model/],
    ["'layers-model' with graph nodes", (_, json) => void (json.modelTopology = { node: [] } as never), /is not a layers model/],
    ['without format or any known topology', (_, json) => void (delete json.format, (json.modelTopology = { layers: [] } as never)), /neither graph nodes .* nor a Keras model config/],
    ['no weightsManifest', (_, json) => void delete (json as Record<string, unknown>).weightsManifest, /has no valid weightsManifest/],
    ['a weight without a name', (_, json) => void delete weights(json)[1]!.name, /The weight 1 of group 0 .* has no name/],
    ['a float64 weight', (_, json) => void (weight(json, 'conv1/bias').dtype = 'float64'), /The weight 'conv1\/bias' in .* has an unsupported dtype "float64"/],
    ['a negative dimension', (_, json) => void (weight(json, 'logits/kernel').shape = [-8, 10]), /has an invalid shape \[-8,10\]/],
    ['more bytes than can be counted', (_, json) => void (weight(json, 'logits/kernel').shape = [2 ** 51]), /more bytes than can be loaded/],
    ['uint8 quantization without scale', (_, json) => void (weight(json, 'logits/kernel').quantization = { dtype: 'uint8', min: 0 }), /quantized as uint8 without a finite scale and min/],
  ])('refuses model.json that is %s, naming it', async (_, change, pattern) => {
    await expectRefused(model(change), pattern);
  });

  it('refuses a model.json over the size cap (a 300 MB sparse file) from its size, before reading it', async () => {
    const path = model();
    truncateSync(path, 300 * 2 ** 20);
    await expectRefused(path, /Cannot read the model file .*model.json: it holds 314572800 bytes, more than the 268435456 a model.json may have/);
  });

  it('refuses a model.json that is a FIFO, without waiting on it', async () => {
    const dir = freshDir();
    mkdirSync(dir);
    try {
      execFileSync('mkfifo', [join(dir, 'model.json')]);
    } catch {
      return; // no mkfifo here
    }
    await expectRefused(join(dir, 'model.json'), /Cannot read the model file .*model.json: it is not a regular file/);
  });

  it('loads the files Keras in Python writes (no format, model_config), and with a byte order mark', async () => {
    expect(await attempt(model((_, json) => pythonKeras(json)))).toBeUndefined();
    expect(await attempt(model((_, json) => `\ufeff${JSON.stringify(json)}`))).toBeUndefined();
  });

  it('survives any JSON value put anywhere in model.json or its Keras topology, with or without the model_config wrapper (fuzzed)', async () => {
    // Places from model.json ('json'), its modelTopology ('topology') or the Keras model config
    // ('keras': the topology itself, or its model_config where it is wrapped as Python writes it).
    const places = [
      ['json', 'format'],
      ['json', 'modelTopology'],
      ['topology', 'keras_version'],
      ['topology', 'backend'],
      ['topology', 'model_config'],
      ['keras', 'class_name'],
      ['keras', 'config'],
      ['keras', 'config', 'name'],
      ['keras', 'config', 'layers'],
      ['keras', 'config', 'layers', 0],
      ['keras', 'config', 'layers', 0, 'class_name'],
      ['keras', 'config', 'layers', 0, 'config'],
      ['keras', 'config', 'layers', 0, 'config', 'batch_input_shape'],
      ['keras', 'config', 'layers', 0, 'config', 'batch_input_shape', 3],
      ['keras', 'config', 'layers', 0, 'config', 'activation'],
      ['keras', 'config', 'layers', 1, 'class_name'],
      ['keras', 'config', 'layers', 1, 'config', 'pool_size'],
      ['keras', 'config', 'layers', 2, 'config'],
      ['keras', 'config', 'layers', 2, 'config', 'filters'],
      ['keras', 'config', 'layers', 2, 'config', 'kernel_size'],
      ['keras', 'config', 'layers', 2, 'config', 'name'],
      ['keras', 'config', 'layers', 2, 'config', 'use_bias'],
      ['keras', 'config', 'layers', 3],
      ['keras', 'config', 'layers', 4, 'config', 'units'],
      ['keras', 'config', 'layers', 4, 'class_name'],
      ['json', 'weightsManifest', 0, 'paths', 0],
      ['json', 'weightsManifest', 0, 'weights', 2],
      ['json', 'weightsManifest', 0, 'weights', 2, 'name'],
      ['json', 'weightsManifest', 0, 'weights', 2, 'shape'],
      ['json', 'weightsManifest', 0, 'weights', 4, 'dtype'],
    ] as const;
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(2 ** 16, 2 ** 31, 2 ** 53, 1e308, 0.5, 'float32', '', '..', 'Conv2D', 'Dense', 'Lambda', 'Sequential', 'Model', 'relu', 'same', 'conv1/kernel', WEIGHTS),
      fc.array(fc.integer({ min: -2, max: 64 }), { maxLength: 5 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...places), value, fc.boolean(), async ([root, ...place], v, wrapped) => {
        const path = model((_, json) => {
          if (wrapped) pythonKeras(json);
          const topology = json.modelTopology as Record<string | number, unknown>;
          let target = (root === 'json' ? json : root === 'topology' || !wrapped ? topology : topology.model_config) as Record<string | number, unknown>;
          for (const key of place.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
          target[place.at(-1)!] = v;
        });
        await attempt(path); // loads, or is refused with an Error naming model.json; checks reads, leaks, allocations
      }),
      { seed: SEED, numRuns: 120 },
    );
  });

  it('survives model.json cut at any byte, or with any bytes overwritten (fuzzed)', async () => {
    const text = Buffer.from(JSON.stringify(original()));
    await fc.assert(
      fc.asyncProperty(fc.nat(text.length), fc.array(fc.tuple(fc.nat(text.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.boolean(), async (cut, edits, truncate) => {
        const bytes = Buffer.from(text);
        for (const [at, byte] of edits) bytes[at] = byte;
        await attempt(model(() => (truncate ? bytes.subarray(0, cut) : bytes)));
      }),
      { seed: SEED, numRuns: 40 },
    );
  });
});

describe('topologies that tfjs-layers refuses, or that do not fit the weights', () => {
  it.each<[string, (dir: string, json: KerasJson) => void, RegExp]>([
    ['an unknown layer class', (_, json) => void (layer(json, 'features').class_name = 'Lambda'), /could not be built by tfjs-layers: .*Lambda/],
    ['a layer config tfjs-layers rejects, after conv1 was built', (_, json) => void (layer(json, 'features').config.filters = 0.5), /could not be built by tfjs-layers: .*filters/],
    // tfjs-layers makes the initial value, then refuses the variable's name, and drops the value.
    ['a layer name that is no valid weight name', (_, json) => void (layer(json, 'features').config.name = 'my features'), /could not be built by tfjs-layers: Not a valid tensor name: 'my features\/kernel'/],
    ['a weight the layers do not have', (_, json) => void (weight(json, 'conv1/kernel').name = 'elsewhere/kernel'), /could not be built by tfjs-layers: .*elsewhere\/kernel/],
    ['a weight of the right size in the wrong shape', (_, json) => void (weight(json, 'logits/kernel').shape = [10, 8]), /could not be built by tfjs-layers: .*[Ss]hape/],
    [
      'a manifest without a weight the layers have',
      (dir, json) => {
        weights(json).pop(); // logits/bias, the last 10 floats of the file
        truncateSync(join(dir, WEIGHTS), WEIGHT_BYTES - 40);
      },
      /declares a weight larger than its weights manifest allows: 'logits\/bias' \[10\] \(10 elements\), with 0 of the manifest's 488 elements left/,
    ],
    ['a Keras config of a layer, not a model', (_, json) => void (json.modelTopology.class_name = 'Flatten'), /could not be built by tfjs-layers: its modelTopology describes a 'Flatten', not a model/],
    ['a Keras config of an activation, not a model', (_, json) => void (json.modelTopology.class_name = 'relu'), /could not be built by tfjs-layers: its modelTopology describes a 'relu', not a model/],
    ['no layer with a spatial output', (_, json) => void (layer(json, 'conv1').config.batch_input_shape = [null, 1, 1, 3]), /has no layer with a spatial output/],
  ])('refuses %s, leaving no tensor or variable behind', async (_, change, pattern) => {
    await expectRefused(model(change), pattern);
  });

  it.each<[string, (json: KerasJson) => void, RegExp]>([
    ['2^16 filters in a convolution', (json) => void (layer(json, 'features').config.filters = 2 ** 16), /'features\/kernel' \[3, 3, 4, 65536\]/],
    ['a 1000×1000 convolution kernel', (json) => void (layer(json, 'features').config.kernel_size = [1000, 1000]), /'features\/kernel' \[1000, 1000, 4, 8\]/],
    ['2^20 units in the classifier', (json) => void (layer(json, 'logits').config.units = 2 ** 20), /'logits\/kernel' \[8, 1048576\]/],
  ])('refuses a topology that declares layers larger than the weight files (%s) before making their weights', async (_, change, weightPattern) => {
    // tfjs-layers makes and initialises every weight before comparing it with the manifest:
    // unchecked, 2^26 filters cost minutes and gigabytes before the refusal.
    await expectRefused(model((_, json) => change(json)), /declares a weight larger than its weights manifest allows/, weightPattern);
  });
});

describe('weight files', () => {
  it.each<[string, (dir: string, json: KerasJson) => void, RegExp]>([
    ['empty', (dir) => writeFileSync(join(dir, WEIGHTS), ''), /The weight file 'group1-shard1of1.bin' of .* holds 0 bytes, but the weights manifest needs 1992: the file is truncated/],
    ['one byte longer than the manifest says', (dir) => writeFileSync(join(dir, WEIGHTS), Buffer.concat([readFileSync(join(dir, WEIGHTS)), Buffer.from([0])])), /holds 1993 bytes, but the weights manifest needs 1992 from it/],
    ['larger than a shape that shrank', (_, json) => void (weight(json, 'logits/kernel').shape = [8, 9]), /holds 1992 bytes, but the weights manifest needs 1960 from it/],
    ['smaller than a shape that grew', (_, json) => void (weight(json, 'logits/kernel').shape = [8, 100]), /holds 1992 bytes, but the weights manifest needs 4872: the file is truncated/],
    ['smaller than a huge declared shape (4 TiB)', (_, json) => void (weight(json, 'logits/kernel').shape = [2 ** 20, 2 ** 20]), /holds 1992 bytes, but the weights manifest needs 4398046512776/],
    ['a folder', (dir) => (rmSync(join(dir, WEIGHTS)), mkdirSync(join(dir, WEIGHTS))), /Cannot read the weight file 'group1-shard1of1.bin' of .*: it is not a regular file/],
    ['listed twice', (_, json) => void (json.weightsManifest[0]!.paths = [WEIGHTS, WEIGHTS]), /holds 1992 bytes, but the weights manifest needs 0 from it/],
    ['missing from a manifest that lists none', (_, json) => void (json.weightsManifest[0]!.paths = []), /The weights manifest of .* lists no weight file for weights that need 1992 bytes/],
  ])('refuses a weight file that is %s, naming it', async (_, change, pattern) => {
    await expectRefused(model(change), pattern);
  });

  it('refuses a huge weight file (a 3 GiB sparse file) from its size, before reading it', async () => {
    const path = model((dir) => truncateSync(join(dir, WEIGHTS), 3 * 2 ** 30));
    await expectRefused(path, /The weight file 'group1-shard1of1.bin' of .* holds 3221225472 bytes, but the weights manifest needs 1992 from it/);
  });

  it('refuses a weight file that is a FIFO without waiting on it', async () => {
    let made = true;
    const path = model((dir) => {
      rmSync(join(dir, WEIGHTS));
      try {
        execFileSync('mkfifo', [join(dir, WEIGHTS)]);
      } catch {
        made = false;
      }
    });
    if (made) await expectRefused(path, /Cannot read the weight file 'group1-shard1of1.bin' of .*: it is not a regular file/);
  });

  it('loads weights split over several files, and refuses a shard that is missing or too long', async () => {
    const bytes = readFileSync(join(fixture, WEIGHTS));
    const sharded = (extra: (dir: string) => void) =>
      model((dir, json) => {
        writeFileSync(join(dir, 'a.bin'), bytes.subarray(0, 1000));
        writeFileSync(join(dir, 'b.bin'), bytes.subarray(1000));
        json.weightsManifest[0]!.paths = ['a.bin', 'b.bin'];
        extra(dir);
      });
    expect(await attempt(sharded(() => undefined))).toBeUndefined();
    await expectRefused(sharded((dir) => rmSync(join(dir, 'b.bin'))), /Cannot read the weight file 'b.bin' of .*: ENOENT/);
    await expectRefused(sharded((dir) => writeFileSync(join(dir, 'b.bin'), Buffer.concat([bytes.subarray(1000), Buffer.alloc(16)]))), /The weight file 'b.bin' of .* holds 1008 bytes, but the weights manifest needs 992 from it/);
    await expectRefused(sharded((dir) => writeFileSync(join(dir, 'a.bin'), bytes.subarray(0, 900))), /The weight files 'a.bin', 'b.bin' of .* hold 1892 bytes, but the weights manifest needs 1992/);
  });

  it('survives weight files of any length and content (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(WEIGHT_BYTES), fc.nat(3 * WEIGHT_BYTES)), fc.integer({ min: 0, max: 255 }), async (length, fillByte) => {
        const error = await attempt(model((dir) => writeFileSync(join(dir, WEIGHTS), Buffer.alloc(length, fillByte))));
        if (length !== WEIGHT_BYTES) expect(error?.message).toMatch(/holds \d+ bytes, but the weights manifest needs 1992/);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});

describe('weight paths', () => {
  const pathModel = (path: string, setup: (dir: string) => void = () => undefined) =>
    model((dir, json) => {
      setup(dir);
      json.weightsManifest[0]!.paths = [path];
    });

  it.each(UNSAFE_WEIGHT_PATHS)('refuses the path %j before opening anything', async (path) => {
    await expectRefused(pathModel(path), /The weight path .* in .*model.json is not a relative path inside the model's folder/);
  });

  it('refuses links that lead out of the folder, and follows links that stay inside', async () => {
    await expectRefused(pathModel('linked.bin', (dir) => symlinkSync(join(scratch, 'outside.bin'), join(dir, 'linked.bin'))), /The weight file 'linked.bin' of .* resolves to .*outside.bin, outside the model's folder/);
    await expectRefused(pathModel(`sub/${WEIGHTS}`, (dir) => symlinkSync(join(scratch, 'outside-dir'), join(dir, 'sub'))), /resolves to .*outside-dir.*, outside the model's folder/);
    await expectRefused(pathModel('zero.bin', (dir) => symlinkSync('/dev/zero', join(dir, 'zero.bin'))), /resolves to \/dev\/zero, outside the model's folder/);
    expect(await attempt(pathModel('inside.bin', (dir) => symlinkSync(WEIGHTS, join(dir, 'inside.bin'))))).toBeUndefined();
  });

  it('loads a model whose folder is reached through a link', async () => {
    const link = freshDir();
    symlinkSync(dirname(model()), link);
    expect(await attempt(join(link, 'model.json'))).toBeUndefined();
  });

  it('survives any weight path built from dots, slashes, encodings and links (fuzzed), reading nothing outside', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...PATH_SEGMENTS), { minLength: 1, maxLength: 5 }), fc.constantFrom('/', '\\'), async (segments, slash) => {
        const source = pathModel(segments.join(slash), (dir) => {
          mkdirSync(join(dir, 'sub'));
          cpSync(join(dir, WEIGHTS), join(dir, 'sub', WEIGHTS));
          symlinkSync(join(scratch, 'outside-dir'), join(dir, 'up'));
        });
        await attempt(source);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

describe('odd file and folder names', () => {
  it.each(['with space', 'ünïcødé', 'hash#mark', 'percent%20name', 'question?mark'])('loads a model in a folder named %j, by path and by file:// URL', async (name) => {
    const path = model(undefined, name);
    expect(await attempt(path)).toBeUndefined();
    expect(await attempt(pathToFileURL(path).href, path)).toBeUndefined();
  });

  it('loads weights whose file name holds spaces, unicode and URL characters', async () => {
    const name = 'poids é#1%20?.bin';
    const path = model((dir, json) => {
      cpSync(join(dir, WEIGHTS), join(dir, name));
      rmSync(join(dir, WEIGHTS));
      json.weightsManifest[0]!.paths = [name];
    });
    expect(await attempt(path)).toBeUndefined();
  });
});

describe('IOHandlers', () => {
  const json = original();
  const buffer = harness.weightBuffer();
  const specs = json.weightsManifest[0]!.weights as unknown as tf.io.WeightsManifestEntry[];
  const artifacts = (change: (j: KerasJson) => void = () => undefined) => {
    const j = original();
    change(j);
    return { modelTopology: j.modelTopology, weightSpecs: j.weightsManifest[0]!.weights as unknown as tf.io.WeightsManifestEntry[], weightData: buffer };
  };

  it('loads artifacts whose weight data comes as a list of buffers', async () => {
    const extractor = await loadAttentionExtractor({ load: async () => ({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: [buffer.slice(0, 100), buffer.slice(100)] }) });
    expect(extractor.format).toBe('layers-model');
    extractor.dispose();
  });

  it.each<[string, () => unknown, RegExp]>([
    ['returns a string', () => 'model', /The IOHandler passed as source returned model from load\(\), not model artifacts/],
    ['gives a Keras config without layers config', () => ({ ...artifacts(), modelTopology: { class_name: 'Sequential' } }), /the IOHandler passed as source is not a layers model/],
    ['gives weight data that is too short', () => ({ ...artifacts(), weightData: buffer.slice(4) }), /holds 1988 bytes, but the weights manifest needs 1992/],
    ['gives no weight data', () => ({ ...artifacts(), weightData: undefined }), /holds 0 bytes, but the weights manifest needs 1992/],
    ['gives a weight the layers do not have', () => artifacts((j) => void (weight(j, 'features/bias').name = 'other/bias')), /could not be built by tfjs-layers: .*other\/bias/],
    ['gives an unknown layer class', () => artifacts((j) => void (layer(j, 'pool1').class_name = 'NoSuchLayer')), /could not be built by tfjs-layers: .*NoSuchLayer/],
    ['declares a layer larger than its weights', () => artifacts((j) => void (layer(j, 'features').config.filters = 2 ** 16)), /declares a weight larger than its weights manifest allows: 'features\/kernel'/],
  ])('refuses an IOHandler that %s', async (_, load, pattern) => {
    await harness.expectHandlerRefused(load, pattern);
  });
});

describe('over HTTP', () => {
  const { requested, routes, served, refusedOverHttp } = scratchServer(harness);

  it('loads a served model, and follows a redirect that stays in its folder', async () => {
    const { url, folder } = served((dir, json) => void (cpSync(join(dir, WEIGHTS), join(dir, 'real.bin')), (json.weightsManifest[0]!.paths = ['moved.bin'])));
    routes.set(`${folder}moved.bin`, (_, res) => (res.writeHead(302, { location: 'real.bin' }), res.end()));
    const extractor = await loadAttentionExtractor(url);
    expect(extractor.format).toBe('layers-model');
    extractor.dispose();
  });

  it('refuses a redirect out of the folder without requesting its target', async () => {
    const { url, folder } = served((_, json) => void (json.weightsManifest[0]!.paths = ['moved.bin']));
    routes.set(`${folder}moved.bin`, (_, res) => (res.writeHead(302, { location: '/outside.bin' }), res.end()));
    requested.length = 0;
    await refusedOverHttp(url, /The weight file 'moved.bin' of .* is redirected to http:\/\/127.0.0.1:\d+\/outside.bin, outside the model's folder .*; it was not fetched/);
    expect(requested).not.toContain('/outside.bin');
  });

  it('refuses a weight file whose declared Content-Length is huge, without reading its body', async () => {
    const { url, folder } = served();
    routes.set(`${folder}${WEIGHTS}`, (_, res) => {
      res.writeHead(200, { 'content-length': String(5 * 2 ** 30) });
      res.write(Buffer.alloc(1024)); // and never the rest
    });
    await refusedOverHttp(url, /holds 5368709120 bytes, but the weights manifest needs 1992 from it/);
  });

  it('stops reading a weight file sent without a length as soon as it is longer than the manifest allows', async () => {
    const { url, folder } = served();
    let sent = 0;
    routes.set(`${folder}${WEIGHTS}`, (_, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      const more = () => {
        if (sent >= 64 || res.destroyed) return res.end();
        sent++;
        res.write(Buffer.alloc(1024), () => setImmediate(more));
      };
      more();
    });
    await refusedOverHttp(url, /holds more than 1992 bytes, but the weights manifest needs 1992 from it/);
  });

  it('refuses a served Keras topology that tfjs-layers cannot build, naming the URL', async () => {
    const { url } = served((_, json) => void (layer(json, 'features').class_name = 'Lambda'));
    await refusedOverHttp(url, /could not be built by tfjs-layers: .*Lambda/);
  });
});
