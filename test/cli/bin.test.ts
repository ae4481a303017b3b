// The `attentive-cutmix` command as a user gets it: the packed tarball installed into a scratch
// project with tfjs-core, tfjs-converter and the cpu backend only (the wasm backend, an optional
// peer, is absent), then run through npx. The converter at the tested version too: npm would
// otherwise add its newest as a peer, which refuses an older core. Needs the build (dist/), as
// test/package/pack.test.ts does.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { readPng, samplePixels, scratchDir, writePng } from './helpers.js';

const root = resolve(import.meta.dirname, '../..');
const tfjsVersion = JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version as string;
let scratch: string;
let remove: () => void;
let packedFiles: string[];

/** Runs the command through npx; `stderr` without npm's own warnings (about the machine's npm config). */
const npx = (args: string[]) => {
  const result = spawnSync('npx', ['--no', '--', 'attentive-cutmix', ...args], { cwd: scratch, encoding: 'utf8' });
  const stderr = result.stderr
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('npm warn'))
    .join('\n');
  return { status: result.status, stdout: result.stdout, stderr };
};

describe('the attentive-cutmix command from the packed package', () => {
  beforeAll(() => {
    ({ dir: scratch, remove } = scratchDir('attentive-cutmix-bin-'));
    const run = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const packed = JSON.parse(run(['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], root)) as [{ filename: string; files: { path: string }[] }];
    packedFiles = packed[0].files.map((f) => f.path);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, version: '0.0.0' }));
    run(['install', '--prefer-offline', '--no-audit', '--no-fund', `./${packed[0].filename}`, `@tensorflow/tfjs-core@${tfjsVersion}`, `@tensorflow/tfjs-backend-cpu@${tfjsVersion}`, `@tensorflow/tfjs-converter@${tfjsVersion}`], scratch);
    for (const i of [0, 1, 2]) writePng(join(scratch, `photo${i}.png`), 40, 40, samplePixels(i, 40));
  }, 180_000);

  afterAll(() => remove());

  it('ships the command, compiled, and declares it as the package bin', () => {
    expect(packedFiles).toContain('dist/esm/cli/main.js');
    expect(readFileSync(join(root, 'dist/esm/cli/main.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const pkg = JSON.parse(readFileSync(join(scratch, 'node_modules/attentive-cutmix/package.json'), 'utf8'));
    expect(pkg.bin).toEqual({ 'attentive-cutmix': 'dist/esm/cli/main.js' });
    expect(pkg.peerDependenciesMeta['@tensorflow/tfjs-backend-wasm']).toEqual({ optional: true });
  });

  it('prints its usage', () => {
    const result = npx(['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: attentive-cutmix preview <images\.\.\.\|folder> --out grid\.png/);
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

  it('fails with one clear line and exit code 1 on a missing file', () => {
    const result = npx(['preview', 'photo0.png', 'nope.png', '--out', 'x.png']);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("attentive-cutmix: cannot read 'nope.png': no such file or folder");
  });

  it('fails with exit code 2 on a bad option', () => {
    const result = npx(['preview', 'photo0.png', 'photo1.png', '--method', 'snapmix', '--out', 'x.png']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^attentive-cutmix: option --method must be one of attentive, cutmix, mixup, but got 'snapmix'$/m);
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
