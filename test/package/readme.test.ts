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

/** The packages of the README's install line: the `npm install` of its Install section. */
function installLine(): string[] {
  const section = readme.slice(readme.indexOf('\n## Install'), readme.indexOf('\n## ', readme.indexOf('\n## Install') + 1));
  const line = section.split('\n').find((l) => l.startsWith('npm install '));
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

    afterAll(() => rmSync(scratch, { recursive: true, force: true }));

    it('installs one copy of tfjs-core, the version tested here', () => {
      const copies = run('npm', ['ls', '@tensorflow/tfjs-core', '--all', '--parseable'], scratch).trim().split('\n');
      expect([...new Set(copies)]).toEqual([join(scratch, 'node_modules/@tensorflow/tfjs-core')]);
      expect(JSON.parse(readFileSync(join(scratch, 'node_modules/@tensorflow/tfjs-core/package.json'), 'utf8')).version).toBe(tfjsVersion);
      expect(JSON.parse(readFileSync(join(scratch, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version).toBe(tfjsVersion);
    });

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
