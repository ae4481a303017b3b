// The README as a new user meets it: its install line run in a scratch project (the packed
// tarball standing for attentive-cutmix, every @tensorflow package at the version tested here),
// one copy of tfjs-core in the result, and the README's whole programs run there with tsx, as
// they are written. Needs the build (`npm test` builds first).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { markdownSnippets } from '../docs/snippets.js';
import { npmInstall, packedProject, root, run, tfjsVersion } from './scratch.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const { snippets } = markdownSnippets('README.md', readme);
const whole = snippets.filter((s) => !s.flags.has('fragment') && !s.flags.has('no-run'));
const installSection = readme.slice(readme.indexOf('\n## Install'), readme.indexOf('\n## ', readme.indexOf('\n## Install') + 1));

/** The README's set-up lines: the program of its Install section that selects the backend. */
function setUp(): string {
  const found = markdownSnippets('README.md', installSection).snippets.filter((s) => s.flags.has('sets-backend'));
  if (found.length !== 1) throw new Error(`README.md's Install section has ${found.length} \`\`\`ts sets-backend blocks, not one`);
  return found[0]!.code;
}

/** Programs one after the other in one module, each import line once. */
function joinPrograms(...programs: string[]): string {
  const seen = new Set<string>();
  return programs
    .flatMap((p) => p.split('\n'))
    .filter((line) => !line.startsWith('import ') || (!seen.has(line) && seen.add(line)))
    .join('\n');
}

// After the README's set-up: a small CNN trained on its batches mixed by cutMix, through
// mixDataset and fitDataset as the README shows, on a task it can learn (each class its colour).
const TRAIN_MIXED_CNN = `
const classesOf = [...Array(128).keys()].map((i) => i % 4);
const colours = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5]]);
const images = tf.tidy(() => tf.add(tf.mul(tf.randomUniform([128, 16, 16, 3], 0, 1, 'float32', 7), 0.3), tf.reshape(tf.gather(colours, classesOf), [128, 1, 1, 3])));
const batchesOfImages = tf.data.zip({ xs: tf.data.array(tf.unstack(images)), ys: tf.data.array(classesOf) }).batch(16);
const cnn = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [16, 16, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tf.layers.batchNormalization(),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    tf.layers.globalAveragePooling2d({}),
    tf.layers.dense({ units: 4, activation: 'softmax' }),
  ],
});
cnn.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
let mixedRows = 0;
const mixedBatches = mixDataset(batchesOfImages, 'cutMix', { numClasses: 4, seed: 3, mode: 'elem' }).map((batch) => {
  const { ys } = batch as { ys: tf.Tensor2D };
  mixedRows += tf.tidy(() => tf.sum(tf.less(tf.max(ys, 1), 1)).arraySync() as number); // soft labels: a mixed sample
  return batch;
});
const history = await cnn.fitDataset(mixedBatches, { epochs: 6, verbose: 0 });
console.log(JSON.stringify({ backend: tf.getBackend(), losses: history.history.loss, mixedRows, filterGradient: tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined }));
`;

/** The packages of the README's install line: the `npm install` of its Install section. */
function installLine(): string[] {
  const line = installSection.split('\n').find((l) => l.startsWith('npm install '));
  if (line === undefined) throw new Error("README.md's Install section has no `npm install` line");
  return line.split(/\s+/).slice(2).filter((w) => !w.startsWith('-'));
}

/** The package an import specifier names: `@scope/name` or `name`, nothing for Node's own modules. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe("the README's install line", () => {
  it('names every package that the README\'s snippets import, and only attentive-cutmix and tfjs packages', () => {
    const packages = installLine();
    expect(packages).toContain('attentive-cutmix');
    expect(packages.filter((p) => p !== 'attentive-cutmix' && !p.startsWith('@tensorflow/'))).toEqual([]);
    const imported = new Set(snippets.flatMap((s) => [...s.code.matchAll(/(?:from|import)\s+'([^']+)'/g)].map((m) => packageOf(m[1]!)).filter((p) => p !== undefined)));
    expect([...imported].filter((p) => !packages.includes(p))).toEqual([]);
    expect(imported.size).toBeGreaterThanOrEqual(2);
  });

  describe('run in a scratch project, with the packed package', () => {
    let scratch: string;

    beforeAll(() => {
      const packed = packedProject('attentive-cutmix-readme-');
      scratch = packed.scratch;
      // Every @tensorflow package at the version tested here, the library's required peers too, as
      // the README says for a version other than the newest: npm would resolve those peers to the
      // newest of the range, a second tfjs-core beside the one an older @tensorflow/tfjs pins.
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }> };
      const requiredPeers = Object.keys(pkg.peerDependencies).filter((name) => pkg.peerDependenciesMeta[name]?.optional !== true);
      const line = installLine().map((p) => (p === 'attentive-cutmix' ? packed.tarball : `${p}@${tfjsVersion}`));
      npmInstall(scratch, [...line, ...requiredPeers.map((name) => `${name}@${tfjsVersion}`)]);
    }, 300_000);

    afterAll(() => rmSync(scratch, { recursive: true, force: true }), 60_000);

    it('installs one copy of tfjs-core, the version tested here', () => {
      const copies = run('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], scratch).trim().split('\n');
      expect([...new Set(copies)]).toEqual([join(scratch, 'node_modules/@tensorflow/tfjs-core')]);
      expect(JSON.parse(readFileSync(join(scratch, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version).toBe(tfjsVersion);
      expect(JSON.parse(readFileSync(join(scratch, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version).toBe(tfjsVersion);
    });

    it("trains a small CNN on wasm with the README's set-up lines, and mixes its batches", () => {
      const program = joinPrograms(setUp(), "import { mixDataset } from 'attentive-cutmix';", TRAIN_MIXED_CNN);
      writeFileSync(join(scratch, 'train-cnn.mts'), program);
      const tsx = createRequire(import.meta.url).resolve('tsx/cli');
      const out = JSON.parse(run(process.execPath, [tsx, 'train-cnn.mts'], scratch)) as { backend: string; losses: number[]; mixedRows: number; filterGradient: boolean };
      expect([out.backend, out.filterGradient]).toEqual(['wasm', true]);
      expect(out.losses).toHaveLength(6);
      expect(out.losses.every(Number.isFinite)).toBe(true);
      expect(out.losses.at(-1)!).toBeLessThan(out.losses[0]! * 0.8); // it learns, mixed batches and all
      expect(out.mixedRows).toBeGreaterThan(6 * 128 * 0.5); // most samples of the six epochs were mixed (a partner of the same class gives a one-hot row too)
    }, 240_000);

    it("needs skipLibCheck only for tfjs' own declarations: the library's pass a strict check", () => {
      writeFileSync(
        join(scratch, 'types.mts'),
        [setUp(), "import { cutMix } from 'attentive-cutmix';", 'tf.dispose(cutMix(tf.zeros([2, 4, 4, 1]) as tf.Tensor4D, [0, 1], { numClasses: 2 }));', 'export {};'].join('\n'),
      );
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      // One strict check without skipLibCheck, with a "types" list as many projects have: every
      // error it reports is in a declaration file of tfjs, which skipLibCheck skips, so that with
      // it the program checks clean.
      let output = '';
      try {
        run(process.execPath, [tsc, '--noEmit', '--strict', '--types', 'node', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', 'types.mts'], scratch);
      } catch (e) {
        output = (e as { stdout: string }).stdout;
      }
      const files = [...new Set([...output.matchAll(/^(\S+?)\(\d+,\d+\): error/gm)].map((m) => m[1]!))];
      expect(files.length).toBeGreaterThan(0); // tfjs' declarations fail without it
      expect(files.filter((f) => !/^node_modules\/@tensorflow\/[^/]+\/.*\.d\.ts$/.test(f))).toEqual([]);
      // What the README names, each where it says.
      expect(output).toMatch(/^node_modules\/@tensorflow\/tfjs-layers\/\S+: error TS\d+: Property '\w+' of type .* is not assignable to 'string' index type 'PyJsonValue'/m);
      expect(output).toMatch(/^node_modules\/@tensorflow\/tfjs-core\/\S+: error TS2304: Cannot find name 'Long'/m);
      expect(output).toMatch(/^node_modules\/@tensorflow\/tfjs-backend-wasm\/\S+: error TS2304: Cannot find name 'EmscriptenModule'/m);
      expect(readme).toMatch(/"skipLibCheck": true/);
    }, 600_000);

    it('runs each of the README\'s whole programs as it is written', () => {
      expect(whole.length).toBeGreaterThanOrEqual(3);
      const tsx = createRequire(import.meta.url).resolve('tsx/cli');
      for (const snippet of whole) {
        const file = `readme-${snippet.line}.mts`;
        writeFileSync(join(scratch, file), snippet.code);
        try {
          run(process.execPath, [tsx, file], scratch);
        } catch (e) {
          const error = e as { stderr?: string; message: string };
          throw new Error(`README.md:${snippet.line} failed in the scratch project: ${error.stderr || error.message}`);
        }
      }
    }, 240_000);
  });
});
