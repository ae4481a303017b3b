// The demo (`npm run demo`): its main function writes a PNG grid and a text summary next to it,
// leaves no tensor behind, and refuses a bad command line; the picture, the text and the sentence
// about them in the README are what it makes now.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type DemoReport, parseDemoArgs, runDemo } from '../../examples/demo/demo.js';
import { UsageError } from '../../packages/cli/src/errors.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'attentive-cutmix-demo-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo', () => {
  const reports: Record<string, DemoReport> = {};

  it.each(['cpu', 'wasm'] as const)('writes a PNG grid and a summary on %s', async (backend) => {
    const out = join(dir, backend, 'demo.png');
    const report = await runDemo({ out, backend });
    reports[backend] = report;
    expect(report.pngPath).toBe(out);
    expect(report.summaryPath).toBe(join(dir, backend, 'demo.txt'));
    const png = PNG.sync.read(readFileSync(out));
    expect([png.width, png.height]).toEqual([report.width, report.height]);
    expect(readFileSync(out).length).toBeLessThan(400_000); // small enough for the README (six methods, nine rows)
    const summary = readFileSync(report.summaryPath, 'utf8');
    expect(summary).toBe(`${report.summary}\n`);
    expect(summary).toContain(`backend ${backend}`);
    for (const heading of ['mixup (alpha 1):', 'cutMix (alpha 1), box [y0, x0, y1, x1],', 'resizeMix (scale 0.1–0.8)', 'fmix (alpha 1, decay 3)', 'saliencyMix (alpha 1, saliency extractor)', 'attentiveCutMix (top 6 of 7×7 cells, saliency extractor)']) {
      expect(summary).toContain(heading);
    }
    // One line per sample and method: "#0 disc ← #2 triangle  λ 0.4197  42% disc + 58% triangle …"
    const lines = summary.split('\n').filter((l) => /^ {2}#\d \w+ +← #\d \w+ +λ \d\.\d{4} {2}\d+% \w+/.test(l));
    expect(lines).toHaveLength(30);
    // cutMix, saliencyMix and attentiveCutMix say how much of the partner's object (its bounding box) they pasted.
    expect(lines.filter((l) => /object \d+%$/.test(l))).toHaveLength(15);
    expect(summary.match(/cells \[(\d+, ){5}\d+\]/g)).toHaveLength(5);
    expect(summary.match(/box \[\d+, \d+, \d+, \d+\]/g)).toHaveLength(15); // cutMix, resizeMix, saliencyMix
    expect(summary.match(/\d+ px from the partner/g)).toHaveLength(5);
    expect(summary).toContain('tensors left allocated by the run: 0');
    expect(report.leakedTensors).toBe(0);
  });

  it("is what the README shows: docs/demo.png and docs/demo.txt are the cpu run's, pixel for pixel", () => {
    const root = join(import.meta.dirname, '../..');
    const hint = 'docs/demo.* are out of date: run `npm run demo -- --out docs/demo.png` and check the README paragraph under "## Demo"';
    expect(readFileSync(join(root, 'docs/demo.txt'), 'utf8'), hint).toBe(`${reports.cpu!.summary}\n`);
    const [shown, made] = [join(root, 'docs/demo.png'), reports.cpu!.pngPath].map((f) => PNG.sync.read(readFileSync(f)));
    expect([shown!.width, shown!.height], hint).toEqual([made!.width, made!.height]);
    expect(Buffer.compare(shown!.data, made!.data), hint).toBe(0);
  });

  it("backs the README's sentence about it with the run's own numbers", () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8').replace(/\s+/g, ' ');
    const claim = /the box it pastes onto #(\d) \(the (\w+)\) covers (\d+) % of the bounding box of the partner's (\w+), while attentiveCutMix's (\w+) cells cover (\d+) % of it/.exec(readme);
    expect(claim, "README.md's demo paragraph no longer says what cutMix and attentiveCutMix pasted").not.toBeNull();
    const [, sample, base, cutShare, partner, count, attentiveShare] = claim!;
    const summary = reports.cpu!.summary.split('\n');
    const row = (heading: string) => summary[summary.findIndex((l) => l.startsWith(heading)) + 1 + Number(sample)]!;
    const share = (line: string) => /object (\d+)%$/.exec(line)?.[1];
    const cut = row('cutMix');
    const attentive = row('attentiveCutMix');
    expect(cut).toMatch(new RegExp(`^ {2}#${sample} ${base} +← #\\d ${partner} `));
    expect([share(cut), share(attentive)]).toEqual([cutShare, attentiveShare]);
    expect(attentive.match(/cells \[([\d, ]+)\]/)![1]!.split(', ')).toHaveLength(['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'].indexOf(count!) + 1);
  });

  it('gives the same mixing on cpu and wasm', () => {
    const strip = (s: string) => s.replace(/backend \w+/g, '');
    expect(strip(reports.wasm!.summary)).toBe(strip(reports.cpu!.summary));
  });

  it('writes to demo-output/demo.png by default, and reads --out and --backend', () => {
    expect(parseDemoArgs([])).toEqual({ out: 'demo-output/demo.png', backend: 'cpu' });
    expect(parseDemoArgs(['--out', 'docs/demo.png', '--backend=wasm'])).toEqual({ out: 'docs/demo.png', backend: 'wasm' });
    expect(parseDemoArgs(['-h'])).toBe('help');
  });

  it('names the argument it cannot use', () => {
    const cases: [string[], RegExp][] = [
      [['--out', 'demo.jpg'], /option --out must name a \.png file, but got 'demo\.jpg'/],
      [['--out'], /option --out needs a value/],
      [['--backend', 'webgl'], /option --backend must be cpu or wasm, but got 'webgl'/],
      [['--size', '3'], /unknown argument '--size'/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseDemoArgs(args)).toThrow(UsageError);
      expect(() => parseDemoArgs(args)).toThrow(message);
    }
  });
});
