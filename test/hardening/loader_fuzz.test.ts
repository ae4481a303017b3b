// The graph-model loader as an attack surface: model.json, its weights manifest and the weight
// files are untrusted input. Whatever they hold, loading ends in a model or in a clear Error
// naming the file (never a crash inside tfjs, never an unhandled rejection, never a leaked
// tensor); nothing outside the model's folder is opened (the fs/promises calls of the loader are
// recorded, and a valid weight file waits outside the folder to be wrongly picked up); and no
// allocation is sized by a declared size before it has been checked against the real file.
// The watching is test/support/loader_harness.ts, shared with layers_loader_fuzz.test.ts.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadGraphModelSync } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import '../support/backend.js'; // the cpu backend (this file runs in the host project)
import { listFeatureNodes, loadAttentionExtractor } from '../../src/index.js';
import { type FixtureJson, PATH_SEGMENTS, UNSAFE_WEIGHT_PATHS, WEIGHTS, loaderHarness, scratchServer } from '../support/loader_harness.js';

const SEED = 20_250_607;
const WEIGHT_BYTES = 2184;

type ModelJson = FixtureJson & { modelTopology: { node: Record<string, unknown>[] } };
const harness = loaderHarness<ModelJson>('tiny-cnn');
const { fixture, scratch, opened, original, freshDir, model, attempt, expectRefused, weights, weight } = harness;

it('records what the loader opens (the spy works)', async () => {
  opened.length = 0;
  const extractor = await loadAttentionExtractor(join(fixture, 'model.json'));
  extractor.dispose();
  expect(opened).toEqual([join(fixture, 'model.json'), realpathSync(join(fixture, WEIGHTS))]);
});

// ---------------------------------------------------------------------------------------------
// model.json

describe('model.json', () => {
  it.each<[string, (dir: string, json: ModelJson) => string | Buffer | void, RegExp]>([
    ['cut in half', () => JSON.stringify(original()).slice(0, 3000), /is not valid JSON/],
    ['empty', () => '', /is not valid JSON/],
    ['bytes that are not UTF-8', () => Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc3, 0x28, 0x80]), /is not valid JSON/],
    ['null', () => 'null', /is not a TensorFlow.js model: expected a JSON object/],
    ['a list', () => '[]', /is not a TensorFlow.js model/],
    ['a string', () => '"model"', /is not a TensorFlow.js model/],
    ['a number format', (_, json) => void (json.format = 42), /is a 42, not a 'graph-model'/],
    ['a graph node that is null', (_, json) => void (json.modelTopology.node[3] = null as never), /malformed graph node at modelTopology.node\[3\]: .* but got null/],
    ['a graph node without a name', (_, json) => void delete json.modelTopology.node[2]!.name, /malformed graph node at modelTopology.node\[2\]/],
    ['graph inputs given as a string', (_, json) => void (json.modelTopology.node[4]!.input = 'input'), /malformed graph node at modelTopology.node\[4\]/],
    ['no weightsManifest', (_, json) => void delete (json as Record<string, unknown>).weightsManifest, /has no valid weightsManifest/],
    ['a weightsManifest that is an object', (_, json) => void (json.weightsManifest = { paths: [] } as never), /has no valid weightsManifest/],
    ['a manifest group that is null', (_, json) => void (json.weightsManifest = [null] as never), /has no valid weightsManifest/],
    ['paths that are a string', (_, json) => void (json.weightsManifest[0]!.paths = WEIGHTS as never), /has no valid weightsManifest/],
    ['a path that is a number', (_, json) => void (json.weightsManifest[0]!.paths = [42]), /The weight path 42 in .* is not a relative path/],
    ['a weight entry that is null', (_, json) => void (weights(json)[0] = null as never), /The weight 0 of group 0 of the weightsManifest in .* is not a \{ name, shape, dtype \} entry, but null/],
    ['a weight without a name', (_, json) => void delete weights(json)[1]!.name, /The weight 1 of group 0 .* has no name/],
    ['a float64 weight', (_, json) => void (weight(json, 'block1/bias').dtype = 'float64'), /The weight 'block1\/bias' in .* has an unsupported dtype "float64"/],
    ['a dtype that is a number', (_, json) => void (weight(json, 'block1/bias').dtype = 7), /unsupported dtype 7/],
    ['a shape that is a string', (_, json) => void (weight(json, 'block1/bias').shape = '4' as never), /The weight 'block1\/bias' in .* has an invalid shape "4"/],
    ['a negative dimension', (_, json) => void (weight(json, 'head/kernel').shape = [-8, 10]), /has an invalid shape \[-8,10\]/],
    ['a fractional dimension', (_, json) => void (weight(json, 'head/kernel').shape = [8, 10.5]), /has an invalid shape \[8,10.5\]/],
    ['a null dimension', (_, json) => void (weight(json, 'head/kernel').shape = [8, null]), /has an invalid shape \[8,null\]/],
    ['a dimension beyond 2^53', (_, json) => void (weight(json, 'head/kernel').shape = [8, 1e300]), /has an invalid shape/],
    ['more elements than can be counted', (_, json) => void (weight(json, 'head/kernel').shape = [2 ** 26, 2 ** 26, 2 ** 26]), /more elements than can be loaded/],
    ['more bytes than can be counted', (_, json) => void (weight(json, 'head/kernel').shape = [2 ** 51]), /more bytes than can be loaded/],
    ['an unknown quantization', (_, json) => void (weight(json, 'head/kernel').quantization = { dtype: 'int4' }), /unsupported quantization \{"dtype":"int4"\}/],
    ['uint8 quantization without scale', (_, json) => void (weight(json, 'head/kernel').quantization = { dtype: 'uint8', min: 0 }), /quantized as uint8 without a finite scale and min/],
    ['float16 quantization of int32', (_, json) => void (weight(json, 'head/axes').quantization = { dtype: 'float16' }), /is a int32 weight, which cannot be quantized as float16/],
  ])('refuses model.json that is %s, naming it', async (_, change, pattern) => {
    await expectRefused(model(change), pattern);
  });

  it('refuses a model.json that is a folder, or a FIFO (without waiting on it)', async () => {
    const folder = join(freshDir(), 'model.json');
    mkdirSync(folder, { recursive: true });
    await expectRefused(folder, /Cannot read the model file .*model.json: it is not a regular file/);
    const fifo = freshDir();
    mkdirSync(fifo);
    let made = true;
    try {
      execFileSync('mkfifo', [join(fifo, 'model.json')]);
    } catch {
      made = false; // no mkfifo here: the folder case above stands alone
    }
    if (made) await expectRefused(join(fifo, 'model.json'), /Cannot read the model file .*model.json: it is not a regular file/);
  });

  it('refuses a file:// URL with a host, naming it', async () => {
    const error = await loadAttentionExtractor('file://remote-host/models/model.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/Cannot read the model file file:\/\/remote-host\/models\/model.json: /);
  });

  it('reads a model.json that starts with a UTF-8 byte order mark', async () => {
    const error = await attempt(model((_, json) => `\ufeff${JSON.stringify(json)}`));
    expect(error).toBeUndefined();
  });

  it('survives any JSON value put anywhere in model.json (fuzzed)', async () => {
    // Paths into model.json and values to put there: valid-looking, wrong type, out of range.
    const places = [
      ['format'],
      ['modelTopology'],
      ['modelTopology', 'node'],
      ['modelTopology', 'node', 0],
      ['modelTopology', 'node', 5, 'input'],
      ['modelTopology', 'node', 5, 'attr'],
      ['modelTopology', 'node', 7, 'op'],
      ['weightsManifest'],
      ['weightsManifest', 0],
      ['weightsManifest', 0, 'paths'],
      ['weightsManifest', 0, 'paths', 0],
      ['weightsManifest', 0, 'weights'],
      ['weightsManifest', 0, 'weights', 2],
      ['weightsManifest', 0, 'weights', 2, 'name'],
      ['weightsManifest', 0, 'weights', 2, 'dtype'],
      ['weightsManifest', 0, 'weights', 2, 'shape'],
      ['weightsManifest', 0, 'weights', 2, 'shape', 1],
      ['weightsManifest', 0, 'weights', 4, 'quantization'],
      ['weightsManifest', 0, 'weights', 5, 'shape', 0],
    ] as const;
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, 0.5, 'float32', 'int32', 'string', 'bool', 'complex64', 'uint8', '', '..', '/etc/passwd', WEIGHTS),
      fc.array(fc.integer({ min: -2, max: 2 ** 20 }), { maxLength: 5 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...places), value, async (place, v) => {
        const path = model((_, json) => {
          let target: Record<string | number, unknown> = json;
          for (const key of place.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
          target[place.at(-1)!] = v;
        });
        await attempt(path); // loads, or is refused with an Error naming model.json; checks reads, leaks, allocations
      }),
      { seed: SEED, numRuns: 60 },
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

// ---------------------------------------------------------------------------------------------
// Weight files

describe('graph topology', () => {
  type Node = Record<string, unknown> & { name: string; op: string; input?: string[] };
  const nodes = (json: ModelJson) => json.modelTopology.node as Node[];
  const node = (json: ModelJson, name: string) => nodes(json).find((n) => n.name === name)!;
  /** What a clear refusal never says: the words of a crash inside tfjs. */
  const CRASH = /Cannot read propert|is not a function|is not iterable|undefined \(reading/;

  it.each<[string, (dir: string, json: ModelJson) => void, RegExp]>([
    ['a node that reads itself', (_, json) => void (node(json, 'block2/Relu').input = ['block2/Relu']), /The graph of .*model\.json: node 'block2\/Relu' \(modelTopology\.node\[9\]\) reads its own output 'block2\/Relu'/],
    [
      'a cycle of four nodes',
      (_, json) => void (node(json, 'block2/Conv2D').input = ['block3/Conv2D', 'block2/kernel']),
      /The graph of .*model\.json has a cycle: 'block2\/Conv2D' → 'block2\/Relu' → 'block2\/AvgPool' → 'block3\/Conv2D' → 'block2\/Conv2D' \(each node reads the one before it\)/,
    ],
    ['two nodes of one name', (_, json) => void nodes(json).push({ ...node(json, 'block2/Relu') }), /The graph of .*model\.json has two nodes named 'block2\/Relu' \(modelTopology\.node\[9\] and \[19\]\)/],
    ['an input naming a node that does not exist', (_, json) => void (node(json, 'block3/Conv2D').input = ['block9/AvgPool', 'block3/kernel']), /The graph of .*model\.json: node 'block3\/Conv2D' \(modelTopology\.node\[12\]\) reads 'block9\/AvgPool', but no node is named 'block9\/AvgPool'/],
    ['an output of a node that does not exist', (_, json) => void (node(json, 'head/MatMul').input = ['head/Mean', 'ghost:1']), /node 'head\/MatMul' .* reads 'ghost:1', but no node is named 'ghost'/],
    ['a control input naming a node that does not exist', (_, json) => void node(json, 'block1/Relu').input!.push('^nowhere'), /node 'block1\/Relu' .* reads '\^nowhere', but no node is named 'nowhere'/],
    ['the input placeholder reading a node', (_, json) => void (node(json, 'input').input = ['Identity']), /has a cycle: 'input' → 'block1\/Conv2D' → .* → 'Identity' → 'input'/],
  ])('refuses %s, naming model.json and the node', async (_, change, pattern) => {
    const path = model(change);
    await expectRefused(path, pattern);
    // listFeatureNodes reads the same files, and refuses them alike.
    await expect(listFeatureNodes(path)).rejects.toThrow(pattern);
  });

  it('refuses a graph of more nodes than it reads, before building it', async () => {
    const path = model((_, json) => {
      for (let i = 0; i < 50_000; i++) nodes(json).push({ name: `pad/${i}`, op: 'Identity', input: ['head/MatMul'] });
    });
    // model.json itself is a few megabytes here: the refusal is checked without the harness's bound on allocations.
    const before = tf.memory().numTensors;
    for (const load of [loadAttentionExtractor, listFeatureNodes]) {
      await expect(load(path)).rejects.toThrow(/The graph of .*model\.json has 50019 nodes, more than the 50000 this loader reads/);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a broken graph given as an IOHandler or a GraphModel alike, naming the source and the node', async () => {
    const broken = original();
    node(broken, 'block2/Conv2D').input = ['block3/Conv2D', 'block2/kernel'];
    const artifacts = () => ({ modelTopology: broken.modelTopology, weightSpecs: broken.weightsManifest[0]!.weights as unknown as tf.io.WeightsManifestEntry[], weightData: harness.weightBuffer() });
    const cycle = /has a cycle: 'block2\/Conv2D' → 'block2\/Relu' → 'block2\/AvgPool' → 'block3\/Conv2D' → 'block2\/Conv2D'/;
    await harness.expectHandlerRefused(artifacts, new RegExp(`The graph of the IOHandler passed as source ${cycle.source}`));
    // tfjs-converter builds such a graph without a word; it fails, or loops, only when run.
    const graphModel = loadGraphModelSync(artifacts());
    const before = tf.memory().numTensors;
    for (const load of [loadAttentionExtractor, listFeatureNodes]) {
      await expect(load(graphModel)).rejects.toThrow(new RegExp(`The graph of the GraphModel passed as source ${cycle.source}`));
    }
    expect(tf.memory().numTensors).toBe(before);
    graphModel.dispose();
  });

  it('refuses a graph tfjs-converter fails to build after decoding its weights, leaving none of them behind', async () => {
    // A shape attribute with a null dimension: tfjs-converter throws while it maps the nodes.
    const path = model((_, json) => void ((node(json, 'input').attr as { shape: { shape: { dim: unknown[] } } }).shape.shape.dim[1] = null));
    await expectRefused(path, /The graph model .*model\.json could not be built by tfjs-converter: /); // attempt() checks that no tensor is left
  });

  it('finds the same default feature node whatever order the nodes are listed in', async () => {
    const reference = await loadAttentionExtractor(model());
    for (const order of [(list: Node[]) => list.reverse(), (list: Node[]) => list.sort((a, b) => (a.name < b.name ? 1 : -1))]) {
      const extractor = await loadAttentionExtractor(model((_, json) => void order(nodes(json))));
      expect(extractor.featureNode).toBe(reference.featureNode);
      expect(extractor.normalization).toBe(reference.normalization);
      extractor.dispose();
    }
    reference.dispose();
  });

  it('takes a loop through NextIteration (TF1 control flow) for a loop, not a cycle, and says it cannot run it', async () => {
    const path = model((_, json) => {
      nodes(json).push(
        { name: 'loop/Merge', op: 'Merge', input: ['block3/Relu', 'loop/NextIteration'], attr: { T: { type: 'DT_FLOAT' }, N: { i: '2' } } },
        { name: 'loop/NextIteration', op: 'NextIteration', input: ['loop/Merge'], attr: { T: { type: 'DT_FLOAT' } } },
      );
    });
    const error = await attempt(path);
    expect(error?.message).toMatch(/control flow are not supported/);
    expect(error?.message).not.toMatch(/cycle/);
  });

  it('refuses any rewiring of the graph that breaks it with a clear error, or loads it (fuzzed)', async () => {
    const names = nodes(original()).map((n) => n.name);
    const inputName = fc.oneof(
      fc.constantFrom(...names),
      fc.constantFrom(...names).map((n) => `${n}:1`),
      fc.constantFrom(...names).map((n) => `^${n}`),
      fc.constantFrom('ghost', 'ghost:0', '^ghost', '', ':', ':0', '^'),
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('rewire' as const), at: fc.nat(names.length - 1), inputs: fc.array(inputName, { maxLength: 3 }) }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(names.length - 1) }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(names.length - 1) }),
      fc.record({ kind: fc.constant('move' as const), at: fc.nat(names.length - 1), to: fc.nat(names.length - 1) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const path = model((_, json) => {
          const list = nodes(json);
          for (const m of mutations) {
            const at = m.at % list.length;
            if (m.kind === 'rewire') list[at]!.input = m.inputs;
            else if (m.kind === 'duplicate') list.push({ ...list[at]! });
            else if (m.kind === 'delete') list.splice(at, 1);
            else list.splice(m.to % list.length, 0, ...list.splice(at, 1));
          }
        });
        const error = await attempt(path); // loads, or is refused naming model.json; no leak, no read outside
        if (error) expect(error.message).not.toMatch(CRASH);
      }),
      { seed: SEED, numRuns: 80 },
    );
  });
});

describe('weight files', () => {
  it.each<[string, (dir: string, json: ModelJson) => void, RegExp]>([
    ['empty', (dir) => writeFileSync(join(dir, WEIGHTS), ''), /The weight file 'group1-shard1of1.bin' of .* holds 0 bytes, but the weights manifest needs 2184: the file is truncated/],
    ['one byte longer than the manifest says', (dir) => writeFileSync(join(dir, WEIGHTS), Buffer.concat([readFileSync(join(dir, WEIGHTS)), Buffer.from([0])])), /holds 2185 bytes, but the weights manifest needs 2184 from it/],
    ['larger than a shape that shrank', (_, json) => void (weight(json, 'head/kernel').shape = [8, 9]), /holds 2184 bytes, but the weights manifest needs 2152 from it/],
    ['smaller than a shape that grew', (_, json) => void (weight(json, 'head/kernel').shape = [8, 100]), /holds 2184 bytes, but the weights manifest needs 5064: the file is truncated/],
    ['smaller than a huge declared shape (4 TiB)', (_, json) => void (weight(json, 'head/kernel').shape = [2 ** 20, 2 ** 20]), /holds 2184 bytes, but the weights manifest needs 4398046512968/],
    ['a folder', (dir) => (rmSync(join(dir, WEIGHTS)), mkdirSync(join(dir, WEIGHTS))), /Cannot read the weight file 'group1-shard1of1.bin' of .*: it is not a regular file/],
    ['listed twice', (_, json) => void (json.weightsManifest[0]!.paths = [WEIGHTS, WEIGHTS]), /The weight file 'group1-shard1of1.bin' of .* holds 2184 bytes, but the weights manifest needs 0 from it/],
    ['missing from a manifest that lists none', (_, json) => void (json.weightsManifest[0]!.paths = []), /The weights manifest of .* lists no weight file for weights that need 2184 bytes/],
  ])('refuses a weight file that is %s, naming it', async (_, change, pattern) => {
    await expectRefused(model(change), pattern);
  });

  it('refuses a huge weight file (a 3 GiB sparse file) from its size, before reading it', async () => {
    const path = model((dir) => truncateSync(join(dir, WEIGHTS), 3 * 2 ** 30));
    await expectRefused(path, /The weight file 'group1-shard1of1.bin' of .* holds 3221225472 bytes, but the weights manifest needs 2184 from it/);
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

  it('loads weights split over several files, and refuses a shard that is missing, too long or one too many', async () => {
    const bytes = readFileSync(join(fixture, WEIGHTS));
    const sharded = (extra: (dir: string, json: ModelJson) => void) =>
      model((dir, json) => {
        writeFileSync(join(dir, 'a.bin'), bytes.subarray(0, 1000));
        writeFileSync(join(dir, 'b.bin'), bytes.subarray(1000));
        json.weightsManifest[0]!.paths = ['a.bin', 'b.bin'];
        extra(dir, json);
      });
    expect(await attempt(sharded(() => undefined))).toBeUndefined();
    await expectRefused(sharded((dir) => rmSync(join(dir, 'b.bin'))), /Cannot read the weight file 'b.bin' of .*: ENOENT/);
    await expectRefused(sharded((dir) => writeFileSync(join(dir, 'b.bin'), Buffer.concat([bytes.subarray(1000), Buffer.alloc(16)]))), /The weight file 'b.bin' of .* holds 1200 bytes, but the weights manifest needs 1184 from it/);
    await expectRefused(sharded((dir) => writeFileSync(join(dir, 'a.bin'), bytes.subarray(0, 900))), /The weight files 'a.bin', 'b.bin' of .* hold 2084 bytes, but the weights manifest needs 2184/);
    await expectRefused(
      sharded((dir, json) => (writeFileSync(join(dir, 'c.bin'), Buffer.alloc(4)), void (json.weightsManifest[0]!.paths = ['a.bin', 'b.bin', 'c.bin']))),
      /The weight file 'c.bin' of .* holds 4 bytes, but the weights manifest needs 0 from it/,
    );
  });

  it('measures string weights by their length prefixes, and refuses data that stops short of them', async () => {
    const withStrings = (data: Buffer) =>
      model((dir, json) => {
        weights(json).push({ name: 'vocabulary', shape: [2], dtype: 'string' });
        writeFileSync(join(dir, WEIGHTS), Buffer.concat([readFileSync(join(dir, WEIGHTS)), data]));
      });
    const prefix = (n: number) => Buffer.from(new Uint32Array([n]).buffer);
    const good = Buffer.concat([prefix(3), Buffer.from('cat'), prefix(1), Buffer.from('a')]);
    expect(await attempt(withStrings(good))).toBeUndefined();
    await expectRefused(withStrings(Buffer.concat([prefix(3), Buffer.from('cat'), prefix(100), Buffer.from('a')])), /holds 2196 bytes, but the weights manifest needs 2295: the file is truncated/);
    await expectRefused(withStrings(Buffer.concat([good, Buffer.alloc(3)])), /holds 2199 bytes, but the weights manifest needs 2196/);
  });

  it('survives weight files of any length and content (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(WEIGHT_BYTES), fc.nat(3 * WEIGHT_BYTES)), fc.integer({ min: 0, max: 255 }), async (length, fillByte) => {
        const error = await attempt(model((dir) => writeFileSync(join(dir, WEIGHTS), Buffer.alloc(length, fillByte))));
        // A file of the wrong size is refused by its size; one of the right size holds garbage
        // weights, which may load or be refused (naming model.json, as attempt checks).
        if (length !== WEIGHT_BYTES) expect(error?.message).toMatch(/holds \d+ bytes, but the weights manifest needs 2184/);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Paths

describe('weight paths', () => {
  const pathModel = (path: string, setup: (dir: string) => void = () => undefined) =>
    model((dir, json) => {
      setup(dir);
      json.weightsManifest[0]!.paths = [path];
    });

  it.each(UNSAFE_WEIGHT_PATHS)('refuses the path %j before opening anything', async (path) => {
    await expectRefused(pathModel(path), /The weight path .* in .*model.json is not a relative path inside the model's folder/);
  });

  it('refuses links that lead out of the folder, however they are chained, and follows links that stay inside', async () => {
    const outside = join(scratch, 'outside.bin');
    await expectRefused(pathModel('linked.bin', (dir) => symlinkSync(outside, join(dir, 'linked.bin'))), /The weight file 'linked.bin' of .* resolves to .*outside.bin, outside the model's folder/);
    await expectRefused(
      pathModel('first.bin', (dir) => (symlinkSync(join(dir, 'second.bin'), join(dir, 'first.bin')), symlinkSync('../../outside.bin', join(dir, 'second.bin')))),
      /The weight file 'first.bin' of .* resolves to .*outside.bin, outside the model's folder/,
    );
    await expectRefused(pathModel(`sub/${WEIGHTS}`, (dir) => symlinkSync(join(scratch, 'outside-dir'), join(dir, 'sub'))), /resolves to .*outside-dir.*, outside the model's folder/);
    await expectRefused(pathModel('zero.bin', (dir) => symlinkSync('/dev/zero', join(dir, 'zero.bin'))), /resolves to \/dev\/zero, outside the model's folder/);
    await expectRefused(pathModel('dangling.bin', (dir) => symlinkSync(join(dir, 'nothing.bin'), join(dir, 'dangling.bin'))), /Cannot read the weight file 'dangling.bin' of .*: ENOENT/);
    await expectRefused(pathModel('.'), /Cannot read the weight file '.' of .*: it is not a regular file/);
    expect(await attempt(pathModel('inside.bin', (dir) => symlinkSync(WEIGHTS, join(dir, 'inside.bin'))))).toBeUndefined();
    expect(await attempt(pathModel(`./sub/./${WEIGHTS}`, (dir) => (mkdirSync(join(dir, 'sub')), cpSync(join(dir, WEIGHTS), join(dir, 'sub', WEIGHTS)))))).toBeUndefined();
  });

  it('loads a model whose folder is reached through a link', async () => {
    const real = dirname(model());
    const link = freshDir();
    symlinkSync(real, link);
    expect(await attempt(join(link, 'model.json'), join(link, 'model.json'))).toBeUndefined();
  });

  it('survives any weight path built from dots, slashes, encodings and links (fuzzed), reading nothing outside', async () => {
    const segment = fc.constantFrom(...PATH_SEGMENTS);
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.constantFrom('/', '\\'), async (segments, slash) => {
        const path = segments.join(slash);
        const source = pathModel(path, (dir) => {
          mkdirSync(join(dir, 'sub'));
          cpSync(join(dir, WEIGHTS), join(dir, 'sub', WEIGHTS));
          symlinkSync(join(scratch, 'outside-dir'), join(dir, 'up'));
        });
        await attempt(source); // checks that nothing outside the folder was opened
      }),
      { seed: SEED, numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Odd names

describe('odd file and folder names', () => {
  it.each(['with space', 'ünïcødé', 'hash#mark', 'percent%20name', 'question?mark', 'a;b&c=d'])('loads a model in a folder named %j, by path and by file:// URL', async (name) => {
    const path = model(undefined, name);
    expect(await attempt(path)).toBeUndefined();
    expect(await attempt(pathToFileURL(path).href, path)).toBeUndefined();
  });

  it('loads weights whose file names hold spaces, unicode and URL characters', async () => {
    for (const name of ['my weights.bin', 'poids-é.bin', 'w#1.bin', 'w%201.bin', 'w?x.bin']) {
      const path = model((dir, json) => {
        cpSync(join(dir, WEIGHTS), join(dir, name));
        rmSync(join(dir, WEIGHTS));
        json.weightsManifest[0]!.paths = [name];
      });
      expect(await attempt(path), name).toBeUndefined();
    }
  });

  it('refuses, naming it, a weight path that only a non-UTF-8 file name on disk would match', async () => {
    const path = model((dir, json) => {
      writeFileSync(Buffer.from(`${dir}/caf\xe9.bin`, 'latin1'), readFileSync(join(dir, WEIGHTS)));
      rmSync(join(dir, WEIGHTS));
      json.weightsManifest[0]!.paths = ['caf\ufffd.bin'];
    });
    expect(existsSync(Buffer.from(`${dirname(path)}/caf\xe9.bin`, 'latin1'))).toBe(true);
    await expectRefused(path, /Cannot read the weight file 'caf\ufffd.bin' of .*: ENOENT/);
  });
});

// ---------------------------------------------------------------------------------------------
// IOHandlers

describe('IOHandlers', () => {
  const json = original();
  const buffer = harness.weightBuffer();
  const artifacts = () => ({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights as unknown as tf.io.WeightsManifestEntry[], weightData: buffer });

  it.each<[string, () => unknown, RegExp]>([
    ['throws a string', () => Promise.reject('boom'), /The IOHandler passed as source failed to load the model: boom/],
    ['throws undefined', () => Promise.reject(undefined), /The IOHandler passed as source failed to load the model: undefined/],
    ['returns null', () => null, /The IOHandler passed as source returned null from load\(\), not model artifacts/],
    ['gives weight data as a Uint8Array', () => ({ ...artifacts(), weightData: new Uint8Array(buffer) }), /The weight data of the IOHandler passed as source is not an ArrayBuffer or a list of ArrayBuffers/],
    ['gives weight data that is too long', () => ({ ...artifacts(), weightData: new ArrayBuffer(WEIGHT_BYTES + 4) }), /holds 2188 bytes, but the weights manifest needs 2184/],
    ['gives weightSpecs that are not a list', () => ({ ...artifacts(), weightSpecs: { name: 'x' } }), /The weights of its weightSpecs in the IOHandler passed as source are not a list/],
    ['gives a weight with a negative dimension', () => ({ ...artifacts(), weightSpecs: [{ name: 'x', shape: [-1], dtype: 'float32' }] }), /The weight 'x' in the IOHandler passed as source has an invalid shape \[-1\]/],
    ['gives a binary GraphDef', () => ({ ...artifacts(), modelTopology: new ArrayBuffer(8) }), /the IOHandler passed as source is not a model this loader reads: its modelTopology is a binary GraphDef/],
  ])('refuses an IOHandler that %s', async (_, load, pattern) => {
    await harness.expectHandlerRefused(load, pattern);
  });
});

// ---------------------------------------------------------------------------------------------
// HTTP

describe('over HTTP', () => {
  const { state, requested, routes, served, refusedOverHttp } = scratchServer(harness);

  it('loads a served model, and follows a redirect that stays in its folder', async () => {
    const { url, folder } = served((dir, json) => void (cpSync(join(dir, WEIGHTS), join(dir, 'real.bin')), (json.weightsManifest[0]!.paths = ['moved.bin'])));
    routes.set(`${folder}moved.bin`, (_, res) => (res.writeHead(302, { location: 'real.bin' }), res.end()));
    (await loadAttentionExtractor(url)).dispose();
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
    await refusedOverHttp(url, /The weight file 'group1-shard1of1.bin' of .* holds 5368709120 bytes, but the weights manifest needs 2184 from it/);
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
    await refusedOverHttp(url, /The weight file 'group1-shard1of1.bin' of .* holds more than 2184 bytes, but the weights manifest needs 2184 from it/);
  });

  it('refuses an HTML page served as model.json, naming the URL', async () => {
    routes.set('/spa/model.json', (_, res) => (res.setHeader('content-type', 'text/html'), res.end('<!doctype html><title>App</title>')));
    await refusedOverHttp(`${state.base}/spa/model.json`, /is not valid JSON/);
  });
});
