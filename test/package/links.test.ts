// The READMEs as users read them: from the installed package (or npm's page of it), not from the
// repository. Every relative link and image of the library's README and of the command line's
// README must name a file that the packed tarball holds (a heading, where it names one), and the
// other packed docs must lose no link by being packed.
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

import { root, run } from './scratch.js';

/** The files `npm pack` would put in the package of the folder `dir` (relative to it). */
function packedFiles(dir: string): string[] {
  const packed = JSON.parse(run('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], dir)) as [{ files: { path: string }[] }];
  return packed[0].files.map((f) => f.path);
}

/** The relative links and images of a markdown text (outside code), with their lines. */
function relativeLinks(markdown: string): { target: string; line: number }[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, (block) => block.replace(/[^\n]/g, ' ')).replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
  const found: { target: string; line: number }[] = [];
  for (const m of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)|<img\s[^>]*src="([^"]+)"/g)) {
    const target = (m[1] ?? m[2])!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    found.push({ target, line: prose.slice(0, m.index).split('\n').length });
  }
  return found;
}

/** The anchors of a markdown file's headings, as GitHub and npm make them. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const m of markdown.replace(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const slug = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    result.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return result;
}

/** What is wrong with each relative link of `file` (in the package folder `dir`) for a user of the package holding `files`. */
function brokenLinks(dir: string, file: string, files: readonly string[], only: (target: string) => boolean = () => true, read = (path: string) => readFileSync(join(dir, path), 'utf8')): string[] {
  const broken: string[] = [];
  for (const { target, line } of relativeLinks(read(file))) {
    const [path = '', anchor] = target.split('#');
    const resolved = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
    if (!only(resolved)) continue;
    if (!files.includes(resolved)) broken.push(`${file}:${line}: ${target} (${resolved} is not in the package)`);
    else if (anchor !== undefined && resolved.endsWith('.md') && !anchors(read(resolved)).has(anchor)) broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${resolved})`);
  }
  return broken;
}

describe('the link check', () => {
  it('reports a missing file, a missing heading and a link that leaves the package, and passes good ones', () => {
    const text = ['# Title', '## Two words: here', '[a](docs/a.md) [b](docs/a.md#nowhere) [c](#two-words-here) ![d](../outside.png)', '`[e](code.md)`', '[f](https://example.com/x.md)'].join('\n');
    const read = (path: string) => (path === 'README.md' ? text : '# A\n');
    expect(brokenLinks(root, 'README.md', ['README.md', 'docs/a.md'], undefined, read).map((b) => b.replace(/ \(.*/, ''))).toEqual(['README.md:3: docs/a.md#nowhere', 'README.md:3: ../outside.png']);
  });
});

describe("the library's packed README and docs", () => {
  const files = packedFiles(root);
  const inRepository = (path: string) => {
    try {
      readFileSync(join(root, path));
      return true;
    } catch {
      return false;
    }
  };

  it('link only to files the package holds: every relative link and image of README.md resolves there', () => {
    expect(relativeLinks(readFileSync(join(root, 'README.md'), 'utf8')).length).toBeGreaterThanOrEqual(10);
    expect(brokenLinks(root, 'README.md', files)).toEqual([]);
  });

  it('lose no link by being packed: what a packed doc links to in the repository, the package holds', () => {
    const docs = files.filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(docs).toEqual(expect.arrayContaining(['docs/api.md', 'docs/extractors.md', 'docs/cli.md', 'CHANGELOG.md']));
    expect(docs.flatMap((doc) => brokenLinks(root, doc, files, inRepository))).toEqual([]);
  });

  it('hold the demo picture the README shows', () => {
    expect(files).toContain('docs/demo.png');
  });
});

describe("the command line's packed README", () => {
  const dir = join(root, 'packages/cli');
  const files = packedFiles(dir);

  it('links only to files its package holds, or to pages on the web', () => {
    expect(files).toContain('README.md');
    expect(brokenLinks(dir, 'README.md', files)).toEqual([]);
  });

  it("is its manual: it names every option of the command's usage text", async () => {
    const { USAGE } = await import('../../packages/cli/src/args.js');
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const options = [...new Set([...USAGE.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]))];
    expect(options.length).toBeGreaterThanOrEqual(10);
    expect(options.filter((o) => !readme.includes(o))).toEqual([]);
  });
});
