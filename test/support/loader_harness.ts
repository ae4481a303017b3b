// What the loader fuzz tests watch while a model loads, whatever its format: every path the loader
// opens through fs/promises, the largest buffer or tensor it asks for, unhandled rejections, and
// tensors and variables left behind; and copies of a fixture model, changed, in a scratch folder
// where a valid copy of the fixture's weight file waits outside every model folder, so that a
// loader reading outside its folder would wrongly succeed.
//
// Call loaderHarness once, at the top of a test file: it installs the spies for the whole file.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

import { loadAttentionExtractor } from '../../src/index.js';

/** model.json as the tests change it: any format, one or more manifest groups. */
export type FixtureJson = { format?: unknown; modelTopology: Record<string, unknown>; weightsManifest: { paths: unknown[]; weights: Record<string, unknown>[] }[] } & Record<string, unknown>;

export type Change<J> = (dir: string, json: J) => string | Buffer | void;

/** The fixtures' weight file name (both graph and layers fixtures have one shard). */
export const WEIGHTS = 'group1-shard1of1.bin';

/**
 * Larger than any buffer or tensor the loader may legitimately make for a fixture here (model.json
 * is under 8 KB, the weights about 2 KB, the largest activation of a 32×32 probe 16 KB).
 */
export const ALLOCATION_BOUND = 64 * 1024;

/** Weight paths that must be refused before anything is opened: `..` in every spelling, absolute paths, URLs, NUL. */
export const UNSAFE_WEIGHT_PATHS = [
  '..',
  '../outside.bin',
  '../../outside.bin',
  'a/../../../outside.bin',
  `sub/../${WEIGHTS}`,
  '..\\outside.bin',
  'sub\\..\\..\\..\\outside.bin',
  '%2e%2e/%2e%2e/outside.bin',
  '.%2e/.%2e/outside.bin',
  '%2E./%2E./outside.bin',
  '..%2f..%2foutside.bin',
  '..%5c..%5coutside.bin',
  '/etc/passwd',
  '\\\\server\\share\\outside.bin',
  'C:\\outside.bin',
  'C:/outside.bin',
  'file:///etc/passwd',
  'http://127.0.0.1:1/outside.bin',
  '',
  `${WEIGHTS}\u0000.txt`,
];

/** Segments of fuzzed weight paths: dots, slashes, encodings, links (`up` leads outside), odd characters. */
export const PATH_SEGMENTS = ['..', '.', '', '%2e%2e', '.%2e', '%2E.', '%2f', 'sub', 'up', 'outside.bin', 'outside-dir', WEIGHTS, 'C:', 'file:', '\\', '\u0000', 'é', ' '];

export function loaderHarness<J extends FixtureJson>(fixtureName: string) {
  const fixture = resolve(import.meta.dirname, '../fixtures/models', fixtureName);
  // Made now, not in beforeAll, so that test files can name paths in it at the top level.
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), `attentive-cutmix-fuzz-${fixtureName}-`)));
  let counter = 0;

  const opened: string[] = [];
  let largestAllocation = 0;
  const fsOriginals = { open: fsp.open, readFile: fsp.readFile };
  const bufferOriginals = { alloc: Buffer.alloc, allocUnsafe: Buffer.allocUnsafe, allocUnsafeSlow: Buffer.allocUnsafeSlow };
  const engine = tf.engine();
  const makeTensor = engine.makeTensor;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(() => {
    writeFileSync(join(scratch, 'outside.bin'), readFileSync(join(fixture, WEIGHTS)));
    mkdirSync(join(scratch, 'outside-dir'));
    writeFileSync(join(scratch, 'outside-dir', WEIGHTS), readFileSync(join(fixture, WEIGHTS)));
    // The loader imports node:fs/promises itself; the built-in's exports object is shared, and
    // syncBuiltinESMExports makes the ES module namespace the loader sees follow it.
    fsp.open = ((path: Parameters<typeof fsp.open>[0], ...rest: unknown[]) => {
      opened.push(String(path));
      return (fsOriginals.open as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof fsp.open;
    fsp.readFile = ((path: Parameters<typeof fsp.readFile>[0], ...rest: unknown[]) => {
      opened.push(String(path));
      return (fsOriginals.readFile as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof fsp.readFile;
    syncBuiltinESMExports();
    for (const name of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
      const originalAlloc = bufferOriginals[name] as (size: number, ...rest: unknown[]) => Buffer;
      (Buffer as unknown as Record<string, unknown>)[name] = (size: number, ...rest: unknown[]) => {
        largestAllocation = Math.max(largestAllocation, size);
        return originalAlloc.call(Buffer, size, ...rest);
      };
    }
    // Tensors made from values (zeros, random initialisers, decoded weights) pass here, after
    // their values were allocated: a size taken from model.json unchecked shows up as a large one.
    engine.makeTensor = function (this: typeof engine, values, shape, ...rest) {
      largestAllocation = Math.max(largestAllocation, 4 * tf.util.sizeFromShape(shape));
      return makeTensor.call(this, values, shape, ...rest);
    };
    process.on('unhandledRejection', onUnhandled);
  });

  afterAll(() => {
    Object.assign(fsp, fsOriginals);
    syncBuiltinESMExports();
    Object.assign(Buffer, bufferOriginals);
    engine.makeTensor = makeTensor;
    process.off('unhandledRejection', onUnhandled);
    rmSync(scratch, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(unhandled, 'unhandled rejections').toEqual([]);
  });

  const original = (): J => JSON.parse(readFileSync(join(fixture, 'model.json'), 'utf8'));

  /** A new empty folder in the scratch folder. */
  const freshDir = () => join(scratch, `m${counter++}`);

  /** A copy of the fixture in a fresh folder, changed by `change` (which may return model.json's new text or bytes). */
  function model(change: Change<J> = () => undefined, folderName?: string): string {
    const dir = join(freshDir(), folderName ?? 'model');
    cpSync(fixture, dir, { recursive: true });
    const json = original();
    const written = change(dir, json);
    writeFileSync(join(dir, 'model.json'), written ?? JSON.stringify(json));
    return join(dir, 'model.json');
  }

  /** Where a model may read: its folder (after links), and the model.json path as given. */
  function allowedReads(modelJson: string, source: string = modelJson) {
    const folder = realpathSync(dirname(modelJson));
    return (p: string) => p === resolve(source) || p === modelJson || p === folder || p.startsWith(folder + sep);
  }

  const variables = () => Object.keys(engine.registeredVariables).length;

  /** Loads `source` and returns the Error it was refused with (or undefined), checking every promise made about a refusal. */
  async function attempt(source: string, modelJson = source) {
    opened.length = 0;
    largestAllocation = 0;
    const [tensors, vars] = [tf.memory().numTensors, variables()];
    let error: unknown;
    try {
      (await loadAttentionExtractor(source)).dispose();
    } catch (e) {
      error = e;
    }
    expect(tf.memory().numTensors, 'tensors left behind').toBe(tensors);
    expect(variables(), 'variables left behind').toBe(vars);
    const inside = allowedReads(modelJson, source);
    expect(opened.filter((p) => !inside(p)), 'files opened outside the model folder').toEqual([]);
    if (error !== undefined) {
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message, 'the error names model.json').toContain(modelJson);
      expect(largestAllocation, 'largest buffer or tensor made for a refused model').toBeLessThanOrEqual(ALLOCATION_BOUND);
    }
    return error as Error | undefined;
  }

  async function expectRefused(modelJson: string, ...patterns: RegExp[]) {
    const error = await attempt(modelJson);
    expect(error, 'the load should be refused').toBeInstanceOf(Error);
    for (const pattern of patterns) expect(error!.message).toMatch(pattern);
  }

  /** Loads an IOHandler's artifacts, expecting a refusal matching `pattern` that leaves no tensor or variable behind. */
  async function expectHandlerRefused(load: () => unknown, pattern: RegExp) {
    const [tensors, vars] = [tf.memory().numTensors, variables()];
    largestAllocation = 0;
    const error = await loadAttentionExtractor({ load: async () => load() as tf.io.ModelArtifacts }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(pattern);
    expect(tf.memory().numTensors, 'tensors left behind').toBe(tensors);
    expect(variables(), 'variables left behind').toBe(vars);
    expect(largestAllocation, 'largest buffer or tensor made for a refused model').toBeLessThanOrEqual(ALLOCATION_BOUND);
  }

  const weights = (json: J) => json.weightsManifest[0]!.weights;
  const weight = (json: J, name: string) => weights(json).find((w) => w.name === name)!;

  /** The fixture's weights as one ArrayBuffer of their own. */
  const weightBuffer = () => {
    const bytes = readFileSync(join(fixture, WEIGHTS));
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  };

  return { fixture, scratch, opened, original, freshDir, model, allowedReads, attempt, expectRefused, expectHandlerRefused, weights, weight, weightBuffer };
}

export type LoaderHarness<J extends FixtureJson> = ReturnType<typeof loaderHarness<J>>;

/**
 * Serves the harness's scratch folder over HTTP for the describe block it is called in, with
 * routes that override single paths, and a log of every path requested.
 */
export function scratchServer<J extends FixtureJson>(harness: LoaderHarness<J>) {
  let server: Server;
  const state = { base: '' };
  const requested: string[] = [];
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
      requested.push(path);
      const route = routes.get(path);
      if (route) return route(req, res);
      try {
        res.end(readFileSync(join(harness.scratch, path)));
      } catch {
        res.statusCode = 404;
        res.end('not found');
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    state.base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  /** A model served from the scratch folder; returns its URL and the URL path of its folder. */
  const served = (change?: Change<J>) => {
    const path = harness.model(change);
    const folder = `/${dirname(path).slice(harness.scratch.length + 1).split(sep).join('/')}/`;
    return { url: `${state.base}${folder}model.json`, folder };
  };

  const refusedOverHttp = async (url: string, pattern: RegExp) => {
    const before = tf.memory().numTensors;
    const error = await loadAttentionExtractor(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).toMatch(pattern);
    expect(tf.memory().numTensors).toBe(before);
  };

  return { state, requested, routes, served, refusedOverHttp };
}
