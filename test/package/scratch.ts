// What the package tests share: the packed tarball (`npm pack`, as it would be published) in a
// scratch project, and the tfjs version of the repository's own install, which every
// @tensorflow package installed there is pinned to (npm would otherwise add the newest as peers,
// which refuse an older tfjs-core: CI runs the suite on the lowest version of the peer range).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../..');
export const tfjsVersion = JSON.parse(readFileSync(join(root, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version as string;

/** Runs a command (in the scratch project, by default), returning its standard output. */
export const run = (file: string, args: string[], cwd: string) => execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** A scratch project holding the packed package's tarball: its folder, the tarball's name and the files it holds. */
export function packedProject(prefix: string): { scratch: string; tarball: string; files: string[] } {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], root)) as [{ filename: string; files: { path: string }[] }];
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, version: '0.0.0' }));
  return { scratch, tarball: `./${packed[0].filename}`, files: packed[0].files.map((f) => f.path) };
}

/** `npm install` in the scratch project, from the cache where it can, without audit or funding notices. */
export const npmInstall = (scratch: string, specs: string[]) => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...specs], scratch);
