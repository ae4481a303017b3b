// The `attentive-cutmix` command as a user gets it: both packed tarballs (the library and the
// command line) installed into a scratch project with tfjs-core, tfjs-converter and the cpu
// backend only (the wasm backend, an optional peer, is absent), then run through npx. All three at
// the tested version: npm would otherwise add the newest converter as a peer, which refuses an
// older core. Needs both builds (dist/ and packages/cli/dist/), as `npm test` makes them.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readPng, samplePixels, scratchDir, writePng } from './helpers.js';

const cliRoot = resolve(import.meta.dirname, '..');
const libraryRoot = resolve(cliRoot, '../..');
const tfjsVersion = JSON.parse(readFileSync(join(libraryRoot, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version as string;
let scratch: string;
let remove: () => void;
const packedFiles: Record<'library' | 'cli', string[]> = { library: [], cli: [] };

/** Runs the command through npx; `stderr` without npm's own warnings (about the machine's npm config). */
const npx = (args: string[], cwd = scratch) => {
  const result = spawnSync('npx', ['--no', '--', 'attentive-cutmix', ...args], { cwd, encoding: 'utf8' });
  const stderr = result.stderr
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('npm warn'))
    .join('\n');
  return { status: result.status, stdout: result.stdout, stderr };
};
const installed = (name: string) => JSON.parse(readFileSync(join(scratch, 'node_modules', name, 'package.json'), 'utf8'));

describe('the attentive-cutmix command from the packed packages', () => {
  beforeAll(() => {
    ({ dir: scratch, remove } = scratchDir('attentive-cutmix-bin-'));
    const run = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const pack = (dir: string) => {
      const [packed] = JSON.parse(run(['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], dir)) as [{ filename: string; files: { path: string }[] }];
      return { tarball: `./${packed.filename}`, files: packed.files.map((f) => f.path) };
    };
    const [library, cli] = [pack(libraryRoot), pack(cliRoot)];
    [packedFiles.library, packedFiles.cli] = [library.files, cli.files];
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, version: '0.0.0' }));
    run(['install', '--prefer-offline', '--no-audit', '--no-fund', library.tarball, cli.tarball, ...['core', 'backend-cpu', 'converter'].map((p) => `@tensorflow/tfjs-${p}@${tfjsVersion}`)], scratch);
    for (const i of [0, 1, 2]) writePng(join(scratch, `photo${i}.png`), 40, 40, samplePixels(i, 40));
  }, 180_000);

  afterAll(() => remove());

  it('ships the command, compiled, as the bin of attentive-cutmix-cli, and nothing else', () => {
    expect(packedFiles.cli).toContain('dist/main.js');
    expect(readFileSync(join(cliRoot, 'dist/main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(packedFiles.cli.filter((f) => !/^dist\/[a-z_]+\.js$/.test(f)).sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
    const pkg = installed('attentive-cutmix-cli');
    expect(pkg.bin).toEqual({ 'attentive-cutmix': 'dist/main.js' });
    expect(pkg.peerDependenciesMeta['@tensorflow/tfjs-backend-wasm']).toEqual({ optional: true });
    for (const hook of ['preinstall', 'install', 'postinstall']) expect(pkg.scripts?.[hook], hook).toBeUndefined();
  });

  it('uses the library packed beside it, which no longer ships the command or its image codecs', () => {
    expect(existsSync(join(scratch, 'node_modules/attentive-cutmix-cli/node_modules/attentive-cutmix'))).toBe(false); // no other copy, from the registry
    expect(installed('attentive-cutmix-cli').dependencies['attentive-cutmix']).toBe(`^${installed('attentive-cutmix').version}`);
    const library = installed('attentive-cutmix');
    expect(library.bin).toBeUndefined();
    expect(Object.keys(library.dependencies)).toEqual(['seedrandom']);
    expect(packedFiles.library.filter((f) => f.includes('/cli/'))).toEqual([]);
  });

  it('prints its usage', () => {
    const result = npx(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: attentive-cutmix preview <images\.\.\.\|folder> --out grid\.png/);
  });

  it('runs in this repository too, through the workspace link, its build being executable', () => {
    const result = npx(['--help'], libraryRoot);
    expect([result.status, result.stderr]).toEqual([0, '']);
    expect(result.stdout).toMatch(/^Usage: attentive-cutmix preview/);
  });

  it('writes a preview grid, on the cpu backend when wasm is not installed', () => {
    const result = npx(['preview', 'photo0.png', 'photo1.png', 'photo2.png', '--size', '40', '--grid', '5', '--top-n', '4', '--seed', '1', '--out', 'out/grid.png']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^attentiveCutMix on 3 images \(40×40 px\), top 4 of 5×5 cells, seed 1, mode elem, backend cpu$/m);
    const wrote = /^wrote out\/grid\.png \((\d+) × (\d+) px\)$/m.exec(result.stdout);
    expect(wrote).not.toBeNull();
    const png = readPng(readFileSync(join(scratch, 'out/grid.png')));
    expect([png.width, png.height]).toEqual([Number(wrote![1]), Number(wrote![2])]);
  });

  it('stops quietly when the command it is piped into stops reading (| head, 2>&1 | head), and still writes the grid', async () => {
    // The reader is gone before the command writes a line: every write to a closed pipe fails with EPIPE.
    const main = join(scratch, 'node_modules/attentive-cutmix-cli/dist/main.js');
    for (const closed of [['stdout'], ['stdout', 'stderr']] as const) {
      const out = `out/piped-${closed.length}.png`;
      const child = spawn(process.execPath, [main, 'preview', 'photo0.png', 'photo1.png', '--size', '32', '--grid', '4', '--top-n', '2', '--out', out], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
      for (const name of closed) child[name].destroy();
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      const status = await new Promise((done) => child.on('close', done));
      expect([status, stderr], closed.join(' and ')).toEqual([0, '']);
      expect(existsSync(join(scratch, out)), out).toBe(true);
    }
  });

  it('fails with one clear line and exit code 1 on a missing file', () => {
    const result = npx(['preview', 'photo0.png', 'nope.png', '--out', 'x.png']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("attentive-cutmix: cannot read 'nope.png': no such file or folder");
  });

  it('fails with exit code 2 on a bad option', () => {
    const result = npx(['preview', 'photo0.png', 'photo1.png', '--method', 'snapmix', '--out', 'x.png']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^attentive-cutmix: option --method must be one of attentive, cutmix, mixup, resizemix, saliencymix, fmix, but got 'snapmix'$/m);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('names the backend packages to install when neither is installed', () => {
    const cpu = join(scratch, 'node_modules/@tensorflow/tfjs-backend-cpu');
    renameSync(cpu, `${cpu}.aside`);
    try {
      const result = npx(['preview', 'photo0.png', 'photo1.png', '--out', 'x.png']);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/^attentive-cutmix: no TensorFlow\.js backend could be used: @tensorflow\/tfjs-backend-wasm is not installed; @tensorflow\/tfjs-backend-cpu is not installed\./);
      expect(result.stderr).toContain(`npm install @tensorflow/tfjs-backend-wasm@${tfjsVersion}\n  npm install @tensorflow/tfjs-backend-cpu@${tfjsVersion}`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    } finally {
      renameSync(`${cpu}.aside`, cpu);
    }
  });
});
