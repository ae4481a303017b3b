// Installs the packed tarball (`npm pack`) into a scratch project, as a user would, and uses it
// through import, require and TypeScript. Needs the build (`npm test` builds first).
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { npmInstall, packedProject, root, run as runIn, tfjsVersion } from './scratch.js';

let scratch: string;

const run = (file: string, args: string[], cwd = scratch) => runIn(file, args, cwd);

const USE = `
tf.env().set('PROD', true);
await tf.setBackend('cpu');
const x = tf.randomUniform([3, 8, 6, 3], 0, 1, 'float32', 1);
const r = cutMix(x, [0, 1, 2], { numClasses: 3, seed: 1, mode: 'elem' });
const m = mixup(x, [0, 1, 2], { numClasses: 3, seed: 1 });
const a = attentiveCutMix(x, [0, 1, 2], undefined, { numClasses: 3, seed: 1, grid: 4, topN: 3 });
console.log(JSON.stringify({ shape: r.images.shape, boxes: r.boxes.arraySync(), lambda: m.lambda.arraySync(), cells: a.cells.arraySync() }));
`;

// attentive-cutmix/training: what its import registers (nothing), and its functions beside tfjs-core
// alone (no tfjs-layers, so no gradients registered): the wasm kernel, run directly, and the
// batch-norm gradient's refusal, naming what to import.
const TRAINING = `
tf.env().set('PROD', true);
const registered = () => tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
const before = registered();
await tf.setBackend('wasm');
registerWasmConvGradients();
const after = registered();
const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.ones([2, 6, 6, 3]), dy: tf.ones([2, 6, 6, 4]) }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 4] });
const values = [...new Set(dw.dataSync())].sort((a, b) => a - b);
let batchNorm = 'registered';
try { registerFastBatchNormGradient(); } catch (e) { batchNorm = e.message; }
console.log(JSON.stringify({ before, after, backend: tf.getBackend(), shape: dw.shape, values, batchNorm }));
`;

// A layers model (which needs the optional peer tfjs-layers) and a graph model, from the scratch project's folder.
const LOAD_MODELS = `
tf.env().set('PROD', true);
await tf.setBackend('cpu');
const layers = await loadAttentionExtractor('models/keras-cnn/model.json').then(() => 'loaded', (e) => e.message);
const graph = await loadAttentionExtractor('models/tiny-cnn/model.json');
const map = graph.extract(tf.zeros([2, 32, 32, 3]));
console.log(JSON.stringify({ layers, format: graph.format, shape: map.shape }));
`;

describe('the packed package', () => {
  beforeAll(() => {
    const packed = packedProject('attentive-cutmix-pack-');
    scratch = packed.scratch;
    // The converter too: npm would add its newest as a peer; wasm for attentive-cutmix/training.
    npmInstall(scratch, [packed.tarball, ...['core', 'converter', 'backend-cpu', 'backend-wasm'].map((p) => `@tensorflow/tfjs-${p}@${tfjsVersion}`)]);
    writeFileSync(join(scratch, 'files.json'), JSON.stringify(packed.files));
    for (const name of ['keras-cnn', 'tiny-cnn']) cpSync(join(root, 'test/fixtures/models', name), join(scratch, 'models', name), { recursive: true });
  }, 180_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }), 120_000); // an installed project: slow to remove on a loaded machine (10 s ran out in CI)

  it('ships the ESM and CommonJS builds, the rolled-up types and the docs, and no sources or tests', () => {
    const files = JSON.parse(readFileSync(join(scratch, 'files.json'), 'utf8')) as string[];
    for (const f of ['dist/esm/index.js', 'dist/cjs/index.js', 'dist/esm/training.js', 'dist/cjs/training.js', 'dist/cjs/package.json', 'dist/attentive-cutmix.d.ts', 'dist/attentive-cutmix-training.d.ts', 'README.md', 'CHANGELOG.md', 'LICENSE', 'package.json']) {
      expect(files).toContain(f);
    }
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/'))).toBe(false);
  });

  it('ships nothing else: only the built library, its rolled-up types, README, LICENSE, CHANGELOG, the docs and package.json', () => {
    // Supply chain: an allowlist, so that a stray file (a secret, a fixture, a scratch build, the
    // api-extractor inputs in dist/types) cannot reach the registry unnoticed. The docs are the
    // pages and pictures the README links to (test/package/links.test.ts checks those links).
    const files = JSON.parse(readFileSync(join(scratch, 'files.json'), 'utf8')) as string[];
    const exact = ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'dist/attentive-cutmix.d.ts', 'dist/attentive-cutmix-training.d.ts', 'dist/cjs/package.json'];
    const built = /^dist\/(esm|cjs)\/([A-Za-z0-9_-]+\/)*[A-Za-z0-9_.-]+\.js(\.map)?$/;
    const docs = /^docs\/([A-Za-z0-9_-]+\/)*[A-Za-z0-9_.-]+\.(md|png)$|^docs\/demo\.txt$/;
    expect(files.filter((f) => !exact.includes(f) && !built.test(f) && !docs.test(f))).toEqual([]);
    for (const f of exact) expect(files).toContain(f);
    // Both builds hold the same modules.
    const modules = (dir: string) => files.filter((f) => f.startsWith(dir) && f.endsWith('.js')).map((f) => f.slice(dir.length)).sort();
    expect(modules('dist/cjs/')).toEqual(modules('dist/esm/'));
  });

  it('ships source maps that carry their sources, since the package ships no src/', () => {
    const files = JSON.parse(readFileSync(join(scratch, 'files.json'), 'utf8')) as string[];
    const maps = files.filter((f) => f.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(scratch, 'node_modules/attentive-cutmix', file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      expect(map.sourcesContent!.every((text) => typeof text === 'string' && text.length > 0), file).toBe(true);
    }
  });

  it('is tested on a tfjs version its peer range names as a bound (CI runs both bounds)', () => {
    const peers = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).peerDependencies as Record<string, string>;
    for (const [name, range] of Object.entries(peers)) {
      const bounds = /^>=(\d+\.\d+\.\d+) <=(\d+\.\d+\.\d+)$/.exec(range);
      expect(bounds, `${name}: ${range}`).not.toBeNull();
      const installed = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version as string;
      expect([bounds![1], bounds![2]], name).toContain(installed);
    }
  });

  it("gives the command line package the library's tfjs peers, ranges and version, and makes it depend on that version", () => {
    const [library, cli] = ['package.json', 'packages/cli/package.json'].map((f) => JSON.parse(readFileSync(join(root, f), 'utf8')));
    expect(cli.peerDependencies).toEqual(library.peerDependencies);
    expect(cli.peerDependenciesMeta).toEqual(library.peerDependenciesMeta);
    expect(cli.dependencies['attentive-cutmix']).toBe(`^${library.version}`);
    expect(cli.version).toBe(library.version);
  });

  it('runs no script when it is installed, nor asks to (no install hook, no prepare: npm lists those for approval)', () => {
    const installed = JSON.parse(readFileSync(join(scratch, 'node_modules/attentive-cutmix/package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const cli = JSON.parse(readFileSync(join(root, 'packages/cli/package.json'), 'utf8')) as { scripts?: Record<string, string> };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) {
      expect(installed.scripts?.[hook], hook).toBeUndefined();
      expect(cli.scripts?.[hook], `the command line's ${hook}`).toBeUndefined();
    }
  });

  it('installs without tfjs-layers, an optional peer, so that the tests below run without it', () => {
    expect(existsSync(join(scratch, 'node_modules/attentive-cutmix/package.json'))).toBe(true);
    expect(existsSync(join(scratch, 'node_modules/@tensorflow/tfjs-layers'))).toBe(false);
    expect(existsSync(join(scratch, 'node_modules/@tensorflow/tfjs-converter'))).toBe(true); // a required peer, for graph models
  });

  it.each([
    ['import (ESM)', 'layers.mjs', `import * as tf from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-cpu';\nimport { loadAttentionExtractor } from 'attentive-cutmix';\n${LOAD_MODELS}`],
    ['require (CommonJS)', 'layers.cjs', `const tf = require('@tensorflow/tfjs-core');\nrequire('@tensorflow/tfjs-backend-cpu');\nconst { loadAttentionExtractor } = require('attentive-cutmix');\n(async () => {${LOAD_MODELS}})();`],
  ])('without tfjs-layers, through %s: refuses a layers model, naming the missing package, and loads a graph model', (_, file, code) => {
    writeFileSync(join(scratch, file), code);
    const out = JSON.parse(run('node', [file])) as { layers: string; format: string; shape: number[] };
    expect(out.layers).toMatch(/models\/keras-cnn\/model.json is a layers model \(Keras format\); loading it needs @tensorflow\/tfjs-layers, .* which is not installed: npm install @tensorflow\/tfjs-layers/);
    // tiny-cnn's last spatial stage is its 8×8 one.
    expect([out.format, out.shape]).toEqual(['graph-model', [2, 8, 8]]);
  });

  it('works through import (ESM)', () => {
    writeFileSync(join(scratch, 'use.mjs'), `import * as tf from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-cpu';\nimport { attentiveCutMix, cutMix, mixup } from 'attentive-cutmix';\n${USE}`);
    const out = JSON.parse(run('node', ['use.mjs']));
    expect(out.shape).toEqual([3, 8, 6, 3]);
    expect(out.boxes).toHaveLength(3);
    expect(out.cells).toHaveLength(3);
  });

  it('works through require (CommonJS), with the same results as ESM', () => {
    writeFileSync(join(scratch, 'use.cjs'), `const tf = require('@tensorflow/tfjs-core');\nrequire('@tensorflow/tfjs-backend-cpu');\nconst { attentiveCutMix, cutMix, mixup } = require('attentive-cutmix');\n(async () => {${USE}})();`);
    const cjs = JSON.parse(run('node', ['use.cjs']));
    const esm = JSON.parse(run('node', ['use.mjs']));
    expect(cjs).toEqual(esm);
  });

  it.each([
    ['import (ESM)', 'training.mjs', `import * as tf from '@tensorflow/tfjs-core';\nimport '@tensorflow/tfjs-backend-wasm';\nimport 'attentive-cutmix';\nimport { registerFastBatchNormGradient, registerWasmConvGradients } from 'attentive-cutmix/training';\n${TRAINING}`],
    ['require (CommonJS)', 'training.cjs', `const tf = require('@tensorflow/tfjs-core');\nrequire('@tensorflow/tfjs-backend-wasm');\nrequire('attentive-cutmix');\nconst { registerFastBatchNormGradient, registerWasmConvGradients } = require('attentive-cutmix/training');\n(async () => {${TRAINING}})();`],
  ])('gives attentive-cutmix/training through %s: nothing registered on import, the wasm filter gradient once called', (_, file, code) => {
    writeFileSync(join(scratch, file), code);
    const out = JSON.parse(run('node', [file])) as { before: boolean; after: boolean; backend: string; shape: number[]; values: number[]; batchNorm: string };
    expect([out.before, out.after, out.backend]).toEqual([false, true, 'wasm']); // importing the library and the entry point registered nothing
    // Ones through a 'same' 3 × 3 convolution of 6 × 6 images, batch 2: 2·6·6 at the centre tap, 2·6·5 at an edge, 2·5·5 at a corner.
    expect([out.shape, out.values]).toEqual([[3, 3, 3, 4], [50, 60, 72]]);
    expect(out.batchNorm).toMatch(/found no gradient of FusedBatchNorm to stand in for: import '@tensorflow\/tfjs' or '@tensorflow\/tfjs-layers'/);
  });

  it('gives TypeScript users its types through the exports map', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    writeFileSync(
      join(scratch, 'use.ts'),
      `import * as tf from '@tensorflow/tfjs-core';\nimport { cutMix, type CutMixResult } from 'attentive-cutmix';\nimport { registerWasmConvGradients } from 'attentive-cutmix/training';\n` +
        `const register: () => void = registerWasmConvGradients;\nvoid register;\n` +
        `const r: CutMixResult = cutMix(tf.zeros([2, 4, 4, 1]) as tf.Tensor4D, [0, 1], { numClasses: 2 });\ntf.dispose(r);\n` +
        `// @ts-expect-error: 'mode' accepts only 'batch' or 'elem'\ncutMix(tf.zeros([2, 4, 4, 1]) as tf.Tensor4D, [0, 1], { mode: 'pairs' });\n`,
    );
    // node10 (a CommonJS project's default) reads no exports map: typesVersions points it at the entry point's types.
    for (const moduleResolution of ['nodenext', 'bundler', 'node10']) {
      const module = { nodenext: 'nodenext', bundler: 'esnext', node10: 'commonjs' }[moduleResolution]!;
      run('node', [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', module, '--moduleResolution', moduleResolution, 'use.ts']);
    }
  }, 180_000);
});
